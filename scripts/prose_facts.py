"""The numbers in the prose of the documents, each made from the committed data it reports.

scripts/results_tables.py --check runs this file with its helpers (fig3_cells, pm, span, better,
level, either, ...) already defined, then renders every template of FACTS: each {{ expression }}
is evaluated here and the document must hold the rendered text (whitespace aside). Every number in
a document's checked prose must be the value of some field (or sit in code, a link, a quotation of
the paper, a planner's name, or a figure's or table's name). README.md's checked prose is the
headline column of its Results table; any other document's is all but its code and generated
tables.
"""
import re

# --- Data ---------------------------------------------------------------------------------------
# Figure 3's sweeps: {planner label: Cell} (per seed: MPC returns, final, last2, best).
CART = fig3_cells("results/fig3/cartpole_swingup/runs.csv", 1)
PUSH = fig3_cells("results/fig3/pusher/runs.csv", 20)
CHEETAH = fig3_cells("results/fig3/half_cheetah/runs.csv", 15)
HUMANOID = fig3_cells("results/fig3/humanoid_standup/runs")
HUMANOID1 = fig3_cells("results/fig3/humanoid_standup_one_random/runs.csv", 1)
TASKS = {"cartpole": CART, "pusher": PUSH, "half-cheetah": CHEETAH, "humanoid": HUMANOID}
RANDOM = {"cartpole": random_returns("results/fig3/cartpole_swingup/runs.csv", 1),
          "pusher": random_returns("results/fig3/pusher/runs.csv", 20),
          "half-cheetah": random_returns("results/fig3/half_cheetah/runs.csv", 15),
          "humanoid": random_returns("results/fig3/humanoid_standup/runs")}
# Figure 4: the CEM and CEM-GD cells beyond Figure 3's, with Figure 3's cartpole cells.
FIG4 = dict(fig3_cells("results/fig4/cartpole_swingup/runs"), **CART)
CEM_N = {50: "cem50", 100: "cem100", 500: "cem500", 1000: "cem1000"}
CEMGD_NR = {10: "cem_gd_nr10", 50: "cem_gd", 100: "cem_gd_nr100", 500: "cem_gd_nr500"}
# Figure 4 scores the best of all 9 MPC episodes, and of the first ones: plot_samples.py's
# --episodes in scripts/paper_figures.sh counts episodes, the random one included.
FIG4_ALL = len(CART["cem500"].episodes[0])
with open(os.path.join(ROOT, "scripts/paper_figures.sh")) as _f:
    FIG4_FIRST = int(re.search(r"--episodes (\d+)", _f.read()).group(1)) - 1
MEASURE = "last2"  # the verdicts' measure: each seed's mean of its last two MPC episodes


def best_of(cell, mpc_episodes):
    """Per seed, the best of its first mpc_episodes MPC episodes."""
    return [max(v[:mpc_episodes]) for v in cell.episodes]


def end(cell):
    return getattr(cell, MEASURE)


def t(a, b):
    """Welch's t of two cells' verdict measure, as the prose prints it."""
    return f"{welch_t(end(a), end(b)):.1f}".replace("-", "−")


# Tables 1 and 2: mbrl's bench and the paper's numbers.
BENCH = {(r["task"], r["planner"]): r for r in read_csv("results/bench/planners/planners_cpu.csv")}
PAPER = read_yaml("configs/paper/tables.yaml")
BENCH_TASKS = sorted({task for task, _ in BENCH})


def per_step(task, planner):
    return float(BENCH[(task, planner)]["episode_mean_s"])


def later(task, planner):
    return float(BENCH[(task, planner)]["later_mean_ms"]) / 1000


def ratios(f, a, b, source=None):
    """f(task, a) / f(task, b) on every bench task (source: a function of the paper's numbers)."""
    return [f(task, a) / f(task, b) for task in BENCH_TASKS]


def paper_time(task, planner):
    return PAPER["time_s"][planner][task]


def paper_memory(task, planner):
    return PAPER["memory_mb"][planner][task]


def peak(task, planner):
    return float(BENCH[(task, planner)]["peak_mb"])


def rss(task, planner):
    return float(BENCH[(task, planner)]["peak_rss_mb"])


def pct_less(values):
    """'low–high' percent by which values (ratios below 1) are less than 1."""
    return span([100 * (1 - v) for v in values], 0)


# The planners' settings and the paper's.
PLANNERS = {name: read_yaml(f"configs/paper/planners/{name}.yaml")
            for name in ["cem50", "cem500", "cem5000", "cem_gd", "grad"]}
SETTINGS = PAPER["settings"]
FIG3_CONFIG = {task: read_yaml(f"configs/paper/fig3/{name}.yaml") for task, name in
               [("cartpole", "cartpole_swingup"), ("pusher", "pusher"),
                ("half-cheetah", "half_cheetah"), ("humanoid", "humanoid_standup")]}

TASK_CONFIG = {"half_cheetah": read_yaml("configs/half_cheetah.yaml")}
BENCH_STEPS = {int(r["steps"]) for r in BENCH.values()}.pop()  # planning steps per bench cell


def same_as_paper(planner, *keys):
    """'the same settings' when configs/paper/planners/<planner>.yaml holds the paper's value of
    each key (settings of configs/paper/tables.yaml), else what differs."""
    differ = [k for k in keys if PLANNERS[planner][k] != SETTINGS[k]]
    return "the same settings" if not differ else f"{', '.join(differ)} differ"


def plan_samples(cells, label):
    """Samples scored per planning step over a sweep's MPC episodes (metrics' plan_samples)."""
    rows = []
    for path in sorted(glob.glob(os.path.join(ROOT, cells, label, "seed_*", "metrics.csv"))):
        rows += [r for r in csv.DictReader(open(path)) if r["random"] == "0" and r["plan_samples"]]
    return sum(float(r["plan_samples"]) * int(r["steps"]) for r in rows) / \
        sum(int(r["steps"]) for r in rows)


# Analyses of the runs.
ACTIONS = read_csv("results/fig3/analysis/cartpole_action_stats.csv")
GAIT = read_csv("results/fig3/analysis/half_cheetah_gait.csv")
PUSHER = read_csv("results/fig3/analysis/pusher_progress.csv")
PLAIN = read_csv("results/fig3/analysis/cartpole_cemgd_plain_gradient.csv")
NO_WARM = read_csv("results/fig3/analysis/cartpole_grad_no_warm_start.csv")
TOY = read_csv("results/toy_barrier/success.csv")


def of_planner(rows, label, kind="mpc"):
    return [r for r in rows if r["run"].split("/")[-2] == label and r.get("kind", kind) == kind]


def at_bound(label):
    return [float(r["at_bound"]) for r in of_planner(ACTIONS, label)]


def flipped(label, threshold=0.0):
    """MPC episodes of a half-cheetah planner with |pitch| > pi/2 for more than threshold of the
    episode, and its MPC episodes."""
    rows = of_planner(GAIT, label)
    return sum(float(r["flipped_fraction"]) > threshold for r in rows), len(rows)


def pushed(label, toward):
    """A pusher planner's MPC episodes that moved the object toward the goal (or away): its
    distance to the goal changed by more than 1 mm."""
    rows = of_planner(PUSHER, label)
    moved = [float(r["obj_goal_start"]) - float(r["obj_goal_end"]) for r in rows]
    return sum(m > 0.001 if toward else m < -0.001 for m in moved)


def sides():
    """results/toy_barrier/sides.txt: {N_init: the row's cells}."""
    out = {}
    with open(os.path.join(ROOT, "results/toy_barrier/sides.txt")) as f:
        for line in f:
            cells = [c.strip() for c in line.split("|")]
            if len(cells) == 5 and cells[0].isdigit():
                out[int(cells[0])] = cells
    return out


def predicted(path):
    """analysis/predicted_returns.py's table: (run, episode, return per horizon, predicted)."""
    rows = []
    with open(os.path.join(ROOT, path)) as f:
        for line in f:
            cells = line.split()
            if len(cells) == 5 and cells[1].isdigit():
                rows.append((cells[0], int(cells[1]), float(cells[3]), float(cells[4])))
    return rows


PREDICTED = {"pusher": predicted("results/fig3/analysis/pusher_predicted_returns.txt"),
             "humanoid": predicted("results/fig3/analysis/humanoid_predicted_returns.txt")}


SANE_FACTOR = 3.0  # a prediction "within 3x" of the real return


def first_sane(task, labels, factor=SANE_FACTOR, sweep="fig3_one_random"):
    """Per run of the labels in a sweep, the MPC episode (1 = the first) from which every
    prediction of the executed plan is within factor of the real return per horizon."""
    runs = {}
    for run, episode, real, pred in PREDICTED[task]:
        if f"/{sweep}/" in run or (sweep == "fig3_one_random" and task == "humanoid"):
            if run.split("/")[-2] in labels:
                runs.setdefault(run, []).append((episode, abs(pred) <= factor * abs(real)
                                                 and pred * real > 0))
    out = []
    for eps in runs.values():
        eps.sort()
        k = len(eps)
        while k > 0 and eps[k - 1][1]:
            k -= 1
        out.append(k + 1)
    return out


def sci(x):
    """x as 'm × 10ⁿ' with one significant digit, the minus sign typographic."""
    e = int(math.floor(math.log10(abs(x))))
    m = round(x / 10 ** e)
    sup = str(e).translate(str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻"))
    return (f"{m} × 10{sup}" if abs(m) != 1 else f"{'−' if m < 0 else ''}10{sup}").replace("-", "−")


# README's other results.
SMALL = {(r["env"], r["variant"]): {k: float(v) for k, v in r.items() if k not in ("env", "variant")}
         for r in read_csv("results/small_data/summary.csv")}
REACHER_PETS = [(int(r["episode"]), float(r["return"]))
                for r in read_csv("results/tasks_from_files/reacher/pets/metrics.csv")
                if r["random"] == "0"]
REACHER_RANDOM = [float(r["return"]) for path in sorted(glob.glob(os.path.join(
    ROOT, "results/tasks_from_files/reacher/random/seed_*/metrics.csv")))
    for r in csv.DictReader(open(path)) if r["random"] == "1"]


def vs_ratio(kind, planner, step):
    """A ratio of scripts/bench_vs_pytorch.sh's table results/bench/vs_pytorch/KIND/."""
    rows = md_rows(f"results/bench/vs_pytorch/{kind}/vs_pytorch.md")
    return fmt(float(next(r for r in rows if r["planner"] == planner and r["step"] == step)
                     ["ratio"].rstrip("x")))


FLOOR = read_csv("results/bench/floor/planners_cpu.csv")


def floor_ratios(step, planners):
    """Each task's step over its arithmetic floor (step "later" or "first") for the planners."""
    return [float(r[f"{step}_x_floor"]) for r in FLOOR if r["planner"] in planners]


def minus(text):
    """Numbers as prose prints them: the typographic minus."""
    return str(text).replace("-", "−")


# `mbrl diagnose` on one seed per planner, rerun with its models kept (results/diagnose/).
def diag(task, planner):
    """{episode: {summary column: value}} of a diagnosis."""
    return {int(r["episode"]): {k: float(v) for k, v in r.items() if k != "episode"}
            for r in read_csv(f"results/diagnose/{task}/{planner}/summary.csv")}


DIAG = {(task, planner): diag(task, planner) for task, planner in (
    ("humanoid_standup", "cem5000"), ("humanoid_standup", "cem_gd"),
    ("half_cheetah", "grad"), ("half_cheetah", "cem_gd"))}


def dv(task, planner, key, first=None, last=None):
    """A diagnosis column over its episodes first..last (default: all)."""
    return [row[key] for e, row in sorted(DIAG[(task, planner)].items())
            if (first is None or e >= first) and (last is None or e <= last)]


def first_mpc(task, planner):
    return min(DIAG[(task, planner)])


def gap_ratio(task, planner, episode):
    """Predicted over real return of an episode's executed plans."""
    row = DIAG[(task, planner)][episode]
    return row["predicted_return_mean"] / row["real_return_mean"]


def gap_share(task, planner, first=None):
    """(predicted − real) / real per episode, in percent."""
    return [100 * row["optimism"] / row["real_return_mean"]
            for e, row in sorted(DIAG[(task, planner)].items()) if first is None or e >= first]


def diag_returns(task, planner):
    """The rerun's MPC returns, from its record."""
    return [float(r["return"]) for r in read_csv(f"results/diagnose/{task}/{planner}/run/metrics.csv")
            if r["random"] == "0" and r.get("interrupted", "0") != "1"]


# --- The verdicts' rules (docs/reproduction.md, "Verdicts") -------------------------------------
RHO_TREND = 0.8  # Spearman's rho from which a trend counts


def consistency():
    """"CEM-GD performs consistently, Grad varies wildly": CEM-GD as good as Grad on every task
    and better on one reproduces it; Grad better on any task contradicts it."""
    as_good = [level(end(c["cem_gd"]), end(c["grad"])) for c in TASKS.values()]
    ahead = [better(end(c["cem_gd"]), end(c["grad"])) for c in TASKS.values()]
    if "contradicted" in ahead:
        return "contradicted"
    if all(v == "reproduced" for v in as_good) and "reproduced" in ahead:
        return "reproduced"
    return "inconclusive"


def nr_extremes(mpc_episodes):
    """The CEM-GD cells of Figure 4 with the lowest and the highest mean best return."""
    cells = sorted((sum(best_of(FIG4[label], mpc_episodes)) / 3, nr)
                   for nr, label in CEMGD_NR.items())
    return cells[0][1], cells[-1][1]


def fig4_verdict():
    """CEM 500 better than CEM 100, and CEM-GD's lowest N_r cell as good as its highest, on the
    best of all MPC episodes."""
    collapse = better(best_of(FIG4["cem500"], FIG4_ALL), best_of(FIG4["cem100"], FIG4_ALL))
    low, high = nr_extremes(FIG4_ALL)
    flat = level(best_of(FIG4[CEMGD_NR[low]], FIG4_ALL), best_of(FIG4[CEMGD_NR[high]], FIG4_ALL))
    return collapse if collapse == flat else "inconclusive"


def trend(x, y):
    rho = spearman(x, y)
    return "reproduced" if rho >= RHO_TREND else "contradicted" if rho <= -RHO_TREND \
        else "inconclusive"


def order(ratios_here, below_one_in_paper):
    """A measurement without seeds: the paper's order on every task, or the reverse on every one."""
    here = [r < 1 for r in ratios_here]
    if all(h == below_one_in_paper for h in here):
        return "reproduced"
    if all(h != below_one_in_paper for h in here):
        return "contradicted"
    return "inconclusive"


def toy_default(key):
    """A default of `mbrl toy`'s study (include/mbrl/experiments/toy_study.h)."""
    with open(os.path.join(ROOT, "include/mbrl/experiments/toy_study.h")) as f:
        return re.search(r"c\." + key + r" = ([^;]+);", f.read()).group(1).strip('"')


# --- Templates per document ---------------------------------------------------------------------
FACTS = {"docs/reproduction.md": [
    'than B": **reproduced** when t ≥ {{ fmt(T_CLEAR, 0) }}, **contradicted** when t ≤ −{{ fmt(T_CLEAR, 0) }}, otherwise **inconclusive**: with {{ len(HUMANOID["cem500"].seeds) }}',
    "when A's mean is at most {{ fmt(100 * LEVEL_MARGIN, 0) }}",
    'otherwise **contradicted** when t ≤ −{{ fmt(T_CLEAR, 0) }}',
    'correlation ρ; **reproduced** when ρ ≥ {{ fmt(RHO_TREND, 1) }}',
    'last two MPC episodes\' mean, CEM-GD {{ pm(end(HUMANOID["cem_gd"])) }} against CEM 5000\'s {{ pm(end(HUMANOID["cem5000"])) }}, t = {{ t(HUMANOID["cem_gd"], HUMANOID["cem5000"]) }}; every CEM 5000 final episode ({{ span(HUMANOID["cem5000"].final) }}) is {{ either(min(HUMANOID["cem5000"].final) > max(HUMANOID["cem_gd"].final), "above", "not above") }} every CEM-GD final episode ({{ span(HUMANOID["cem_gd"].final) }}',
    ' **{{ better(end(HUMANOID["cem_gd"]), end(HUMANOID["cem5000"])) }}',
    'on half-cheetah (CEM 5000 costs {{ fmt(per_step("half_cheetah", "cem5000")) }}',
    'humanoid: CEM 500 {{ pm(end(HUMANOID["cem500"])) }} against CEM 5000\'s {{ pm(end(HUMANOID["cem5000"])) }}, t = {{ t(HUMANOID["cem5000"], HUMANOID["cem500"]) }}; CEM 50 {{ pm(end(HUMANOID["cem50"])) }}, t = {{ t(HUMANOID["cem500"], HUMANOID["cem50"]) }}',
    ' **{{ better(end(HUMANOID["cem5000"]), end(HUMANOID["cem500"])) }}',
    'below CEM 500 (CEM 500 against CEM 50: {{ better(end(HUMANOID["cem500"]), end(HUMANOID["cem50"])) }}',
    'cartpole: CEM-GD {{ pm(end(CART["cem_gd"])) }} against CEM 500\'s {{ pm(end(CART["cem500"])) }}; pusher: CEM-GD {{ pm(end(PUSH["cem_gd"])) }} against {{ pm(end(PUSH["cem500"])) }}',
    ' **{{ either(level(end(CART["cem_gd"]), end(CART["cem500"])) == level(end(PUSH["cem_gd"]), end(PUSH["cem500"])), level(end(CART["cem_gd"]), end(CART["cem500"])), "mixed") }}',
    'against Grad, t per task: cartpole {{ t(CART["cem_gd"], CART["grad"]) }}, pusher {{ t(PUSH["cem_gd"], PUSH["grad"]) }}, half-cheetah {{ t(CHEETAH["cem_gd"], CHEETAH["grad"]) }} (Grad {{ pm(end(CHEETAH["grad"])) }} against {{ pm(end(CHEETAH["cem_gd"])) }}; CEM-GD flipped onto its back in {{ flipped("cem_gd")[0] }} of {{ flipped("cem_gd")[1] }} MPC episodes), humanoid {{ t(HUMANOID["cem_gd"], HUMANOID["grad"]) }}',
    ' **{{ consistency() }}',
    'than CEM with 5000 samples" (Table 1: {{ span([paper_time(k, "cem-gd") / paper_time(k, "cem5000") for k in BENCH_TASKS], 2) }}',
    'per step over an episode CEM-GD costs {{ span(ratios(per_step, "cem-gd", "cem5000"), 2) }}',
    ' **{{ order(ratios(per_step, "cem-gd", "cem5000"), True) }}',
    'Table 1\'s other order: CEM-GD costs {{ span([paper_time(k, "cem-gd") / paper_time(k, "cem500") for k in BENCH_TASKS], 1) }}',
    ' CEM-GD costs {{ span(ratios(per_step, "cem-gd", "cem500"), 2) }}',
    'step over an episode (its later steps {{ span(ratios(later, "cem-gd", "cem500"), 2) }}',
    ' **{{ order(ratios(per_step, "cem-gd", "cem500"), False) }}',
    'less memory" than CEM 5000 (Table 2: {{ pct_less([paper_memory(k, "cem-gd") / paper_memory(k, "cem5000") for k in BENCH_TASKS]) }}',
    'live tensor bytes at its t = 0 step is {{ span(ratios(peak, "cem-gd", "cem5000"), 2) }}× CEM 5000\'s (peak RSS {{ span(ratios(rss, "cem-gd", "cem5000"), 1) }}',
    'in the paper CEM 500 and CEM 5000 use {{ either(all(paper_memory(k, "cem500") == paper_memory(k, "cem5000") for k in BENCH_TASKS), "the same", "different") }}',
    'best of each run\'s {{ FIG4_ALL }} MPC episodes (below): CEM 500 {{ pm(best_of(FIG4["cem500"], FIG4_ALL)) }} against CEM 100\'s {{ pm(best_of(FIG4["cem100"], FIG4_ALL)) }}; CEM-GD from {{ pm(best_of(FIG4[CEMGD_NR[nr_extremes(FIG4_ALL)[0]]], FIG4_ALL)) }} (N_r {{ nr_extremes(FIG4_ALL)[0] }}) to {{ pm(best_of(FIG4[CEMGD_NR[nr_extremes(FIG4_ALL)[1]]], FIG4_ALL)) }} (N_r {{ nr_extremes(FIG4_ALL)[1] }}). Within the first {{ FIG4_FIRST }} MPC episodes CEM-GD\'s best varies {{ fmt(sum(best_of(FIG4[CEMGD_NR[nr_extremes(FIG4_FIRST)[1]]], FIG4_FIRST)) / sum(best_of(FIG4[CEMGD_NR[nr_extremes(FIG4_FIRST)[0]]], FIG4_FIRST))) }}',
    ' **{{ fig4_verdict() }}',
    '{{ ", ".join(fmt(float(r["fraction_below"]), 2) for r in TOY) }} of {{ TOY[0]["trials"] }} episodes pass below for N_init {{ ", ".join(r["n_init"] for r in TOY) }}; ρ = {{ fmt(spearman([float(r["n_init"]) for r in TOY], [float(r["fraction_below"]) for r in TOY]), 2) }}',
    ' **{{ trend([float(r["n_init"]) for r in TOY], [float(r["fraction_below"]) for r in TOY]) }}',
    'CEM 50 ({{ PLANNERS["cem50"]["population"] }} × {{ PLANNERS["cem50"]["iterations"] }}), CEM 500 ({{ PLANNERS["cem500"]["population"] }} × {{ PLANNERS["cem500"]["iterations"] }}), CEM 5000 ({{ PLANNERS["cem5000"]["population"] }} × {{ PLANNERS["cem5000"]["iterations"] }}), CEM-GD (N_init 15000, N_r 50, k {{ SETTINGS["top_k"] }}, G {{ SETTINGS["grad_steps"] }}, η {{ SETTINGS["eta_init"] }}, ρ {{ SETTINGS["rho"] }}, J {{ SETTINGS["line_search_trials"] }}',
    ' {{ same_as_paper("cem_gd", "n_init", "n_r", "top_k", "grad_steps", "eta_init", "rho", "line_search_trials") }}',
    'CEM 5000 costs {{ span([per_step(k, "cem5000") for k in BENCH_TASKS]) }}',
    'with α {{ PLANNERS["cem500"]["alpha"] }}',
    'Eq. 3: η ∇R, η_init {{ SETTINGS["eta_init"] }}, G = {{ SETTINGS["grad_steps"] }}',
    'Adam\'s step, η_init {{ PLANNERS["cem_gd"]["eta_init"] }}',
    '), G {{ PLANNERS["cem_gd"]["grad_steps"] }}',
    '{{ PLANNERS["cem_gd"]["cem_iterations"] }}',
    '0 step\'s samples weigh: CEM-GD scores {{ fmt(plan_samples("results/fig3/humanoid_standup/runs", "cem_gd")) }}',
    '{{ fmt(5000 / plan_samples("results/fig3/humanoid_standup/runs", "cem_gd"), 0) }}',
    'horizon {{ SETTINGS["horizon"] }}; {{ SETTINGS["hidden_layers"] }} × {{ SETTINGS["hidden_size"] }}',
    ' horizon {{ FIG3_CONFIG["cartpole"]["agent"]["horizon"] }}; {{ FIG3_CONFIG["cartpole"]["model"]["num_layers"] }} × {{ FIG3_CONFIG["cartpole"]["model"]["hidden_size"] }} on cartpole, pusher and humanoid, **{{ FIG3_CONFIG["half-cheetah"]["model"]["num_layers"] }} × {{ FIG3_CONFIG["half-cheetah"]["model"]["hidden_size"] }}',
    '{{ FIG3_CONFIG["cartpole"]["model"]["ensemble_size"] }} members, TS-inf with {{ FIG3_CONFIG["cartpole"]["rollout"]["particles"] }}',
    '{{ SETTINGS["pretraining_rollouts"] }}',
    'pusher {{ FIG3_CONFIG["pusher"]["pets"]["seed_episodes"] }} ({{ FIG3_CONFIG["pusher"]["pets"]["seed_episodes"] * FIG3_CONFIG["pusher"]["env"]["episode_length"] }} transitions), half-cheetah {{ FIG3_CONFIG["half-cheetah"]["pets"]["seed_episodes"] }} × {{ FIG3_CONFIG["half-cheetah"]["env"]["episode_length"] }} steps ({{ FIG3_CONFIG["half-cheetah"]["pets"]["seed_episodes"] * FIG3_CONFIG["half-cheetah"]["env"]["episode_length"] }}), humanoid {{ FIG3_CONFIG["humanoid"]["pets"]["seed_episodes"] }} ({{ FIG3_CONFIG["humanoid"]["pets"]["seed_episodes"] * FIG3_CONFIG["humanoid"]["env"]["episode_length"] }}), cartpole {{ FIG3_CONFIG["cartpole"]["pets"]["seed_episodes"] }}',
    '{{ SETTINGS["experiments"] }}',
    ' {{ len(CART["cem500"].seeds) }}',
    'after the random ones: cartpole {{ len(CART["cem500"].episodes[0]) }}, humanoid {{ len(HUMANOID["cem500"].episodes[0]) }}, pusher {{ len(PUSH["cem500"].episodes[0]) }}, half-cheetah {{ len(CHEETAH["cem500"].episodes[0]) }}',
    'cartpole {{ FIG3_CONFIG["cartpole"]["env"]["episode_length"] }}, pusher {{ FIG3_CONFIG["pusher"]["env"]["episode_length"] }}, **half-cheetah {{ FIG3_CONFIG["half-cheetah"]["env"]["episode_length"] }}**, humanoid {{ FIG3_CONFIG["humanoid"]["env"]["episode_length"] }}',
    ' half-cheetah\'s usual {{ TASK_CONFIG["half_cheetah"]["env"]["episode_length"] }}',
    'cost {{ fmt(TASK_CONFIG["half_cheetah"]["env"]["episode_length"] / FIG3_CONFIG["half-cheetah"]["env"]["episode_length"], 0) }}',
    'the best return of each run\'s {{ FIG4_ALL }} MPC episodes (after {{ FIG3_CONFIG["cartpole"]["pets"]["seed_episodes"] }} random), and of its first {{ FIG4_FIRST }}',
    'an untrained model on real states, {{ BENCH_STEPS }}',
    '{{ toy_default("step") }}',
    ') at η_init {{ toy_default("eta_init") }}',
    'rewards are small: a step of η_init {{ SETTINGS["eta_init"] }}',
    '1 and 2 Per planning step, horizon {{ SETTINGS["horizon"] }}',
    'std over seeds: **Cartpole swing-up** ({{ FIG3_CONFIG["cartpole"]["pets"]["seed_episodes"] }} random + {{ len(CART["cem500"].episodes[0]) }}',
    'step) ends as good as CEM 500 (t = {{ t(CART["cem_gd"], CART["cem500"]) }}',
    'below CEM-GD, though not clearly (t = {{ t(CART["cem_gd"], CART["grad"]) }}). **Pusher** ({{ FIG3_CONFIG["pusher"]["pets"]["seed_episodes"] }} random + {{ len(PUSH["cem500"].episodes[0]) }}',
    'ends at least as well as CEM 500 (t = {{ t(PUSH["cem_gd"], PUSH["cem500"]) }}), Grad as well as CEM-GD (t = {{ t(PUSH["cem_gd"], PUSH["grad"]) }}',
    'to push it (below). **Half-cheetah at {{ FIG3_CONFIG["half-cheetah"]["env"]["episode_length"] }} steps** ({{ FIG3_CONFIG["half-cheetah"]["pets"]["seed_episodes"] }} random + {{ len(CHEETAH["cem500"].episodes[0]) }}',
    'and it ends ahead of CEM-GD (t = {{ t(CHEETAH["grad"], CHEETAH["cem_gd"]) }}, short of the rule\'s {{ fmt(T_CLEAR, 0) }}',
    'over seeds is at or above CEM 500\'s in {{ sum(sum(a) >= sum(b) for a, b in zip(zip(*CHEETAH["cem_gd"].episodes), zip(*CHEETAH["cem500"].episodes))) }} of {{ len(CHEETAH["cem500"].episodes[0]) }}',
    'most (below). **Humanoid standup** ({{ FIG3_CONFIG["humanoid"]["pets"]["seed_episodes"] }} random + {{ len(HUMANOID["cem500"].episodes[0]) }}',
    'MPC episode of CEM-GD and Grad returns {{ span([x / (sum(RANDOM["humanoid"]) / len(RANDOM["humanoid"])) for label in ("cem_gd", "grad") for v in HUMANOID[label].episodes for x in v]) }} times the random actions\' mean ({{ fmt(min(x for label in ("cem_gd", "grad") for v in HUMANOID[label].episodes for x in v), 0) }} to {{ fmt(max(x for label in ("cem_gd", "grad") for v in HUMANOID[label].episodes for x in v), 0) }} against {{ fmt(sum(RANDOM["humanoid"]) / len(RANDOM["humanoid"])) }}',
    'final episode is above CEM-GD\'s in {{ sum(a > b for a, b in zip(HUMANOID["cem5000"].final, HUMANOID["cem_gd"].final)) }} of {{ len(HUMANOID["cem_gd"].seeds) }} seeds (t = {{ t(HUMANOID["cem_gd"], HUMANOID["cem5000"]) }}',
    'and Grad is level with CEM-GD (t = {{ t(HUMANOID["grad"], HUMANOID["cem_gd"]) }}). CEM 50\'s best episodes reach {{ fmt(100 * sum(HUMANOID["cem50"].best) / sum(HUMANOID["cem_gd"].best), 0) }}',
    'cells are Figure 3\'s). Each run has {{ FIG3_CONFIG["cartpole"]["pets"]["seed_episodes"] }} random episode and {{ FIG4_ALL }}',
    'episodes. The best of each run\'s first {{ FIG4_FIRST }} MPC episodes, {{ len(CART["cem500"].seeds) }}',
    'cartpole), and at N_r 50 its best is {{ fmt(100 * sum(best_of(CART["cem_gd"], FIG4_FIRST)) / sum(best_of(CART["cem500"], FIG4_FIRST)), 0) }}',
    "them alone). The best of each run's {{ FIG4_ALL }}",
    'at N_r 10 to 500 hardly differ (within {{ fmt(100 * (1 - sum(best_of(FIG4[CEMGD_NR[nr_extremes(FIG4_ALL)[0]]], FIG4_ALL)) / sum(best_of(FIG4[CEMGD_NR[nr_extremes(FIG4_ALL)[1]]], FIG4_ALL))), 0) }}',
    'samples, Eq. 3\'s plain step at η_init {{ toy_default("eta_init") }}',
    'plan ends before the barrier\'s x in {{ sides()[10][1].split("/")[2] }} and {{ sides()[50][1].split("/")[2] }} of {{ TOY[0]["trials"] }}',
    'gradient carries it to one (below in {{ sides()[10][2].split("/")[0] }} and {{ sides()[50][2].split("/")[0] }}',
    'keeps the side they pass in all but {{ sum(int(c[3].split()[0]) for n, c in sides().items() if n >= 50) }} of {{ sum(int(c[3].split()[2]) for n, c in sides().items() if n >= 50) }}',
    'picks it. That is why N_init 10 ({{ fmt(float(TOY[0]["fraction_below"]), 2) }}) is not below N_init 50 ({{ fmt(float(TOY[1]["fraction_below"]), 2) }}',
    'plain gradient step of Eq. 3 at η_init {{ SETTINGS["eta_init"] }}',
    'that step reached a best return of {{ fmt(max(float(r["return"]) for r in PLAIN if r["seed"] == "0")) }} in {{ sum(r["seed"] == "0" for r in PLAIN) - 1 }}',
    'where CEM-GD with Adam\'s step reaches {{ pm(best_of(CART["cem_gd"], FIG4_ALL)) }}',
    'its best MPC episode {{ fmt(max(float(r["return"]) for r in NO_WARM if int(r["episode"]) > 1)) }}, random actions {{ pm(RANDOM["cartpole"]) }}',
    'In every cartpole MPC episode {{ span(at_bound("cem50"), 0, 100) }}',
    'against {{ span(at_bound("cem500"), 0, 100) }}',
    'costs more than the pole earns. With {{ PLANNERS["cem50"]["population"] }} samples and {{ round(PLANNERS["cem50"]["population"] * PLANNERS["cem50"]["elite_ratio"]) }}',
    'and CEM exploits them.** The model\'s {{ SETTINGS["horizon"] }}-step rollouts after {{ FIG3_CONFIG["humanoid"]["env"]["episode_length"] }} (humanoid) or {{ FIG3_CONFIG["pusher"]["env"]["episode_length"] }}',
    'most, with predicted returns down to {{ sci(min(p for r, e, real, p in PREDICTED["pusher"] if "/fig3_one_random/" in r and r.split("/")[-2] in ("cem50", "cem500"))) }} on pusher and up to {{ sci(max(p for r, e, real, p in PREDICTED["humanoid"])) }}',
    "plans' predicted returns stay within {{ fmt(SANE_FACTOR, 0) }}",
    'on: on pusher, from the first in {{ sum(k == 1 for k in first_sane("pusher", ["cem_gd", "grad"])) }} of {{ len(first_sane("pusher", ["cem_gd", "grad"])) }} CEM-GD and Grad runs and {{ sum(k == 1 for k in first_sane("pusher", ["cem50", "cem500"])) }} of {{ len(first_sane("pusher", ["cem50", "cem500"])) }}',
    'diverged, from the third in {{ sum(k <= 3 for k in first_sane("humanoid", ["cem_gd", "grad"])) }} of {{ len(first_sane("humanoid", ["cem_gd", "grad"])) }} CEM-GD and Grad runs and {{ sum(k <= 3 for k in first_sane("humanoid", ["cem50", "cem500"])) }} of {{ len(first_sane("humanoid", ["cem50", "cem500"])) }}',
    'tip to the object (closest approach {{ span([mean_std([float(r["min_tip_obj"]) for r in of_planner(PUSHER, p)])[0] for p in ("cem_gd", "grad")], 2) }} on average, against {{ fmt(mean_std([float(r["min_tip_obj"]) for r in PUSHER if r["kind"] == "random"])[0], 2) }}',
    'and spend least on actions. Of its {{ len(of_planner(PUSHER, "cem_gd")) }}',
    'moved the object toward the goal in {{ pushed("cem_gd", True) }} and away in {{ pushed("cem_gd", False) }}; Grad toward in {{ pushed("grad", True) }} and away in {{ pushed("grad", False) }}',
    'reach. CEM-GD flips at some point in {{ flipped("cem_gd")[0] }} of its {{ flipped("cem_gd")[1] }} MPC episodes, Grad in {{ flipped("grad")[0] }}, CEM 500 in {{ flipped("cem500")[0] }}',
    'for more than a tenth of the episode: {{ flipped("cem_gd", 0.1)[0] }}, {{ flipped("grad", 0.1)[0] }} and {{ flipped("cem500", 0.1)[0] }}',
    '## At the paper\'s scale The paper\'s {{ SETTINGS["experiments"] }}',
    'One seed of CEM 5000 and of CEM-GD on humanoid, and of Grad and CEM-GD on half-cheetah, ran again with the Figure 3 configs and their models kept, and `mbrl diagnose` scored the model that planned each MPC episode on that episode\'s transitions ([diagnose.md](diagnose.md); commands in `results/README.md`, plots in `results/diagnose/`). Within a task the two runs share their random episodes and seed, so the same model, byte for byte, plans their first MPC episode. The reruns are not replays of Figure 3\'s seed 0: under the current code their returns differ from the first MPC episode on (CEM 5000\'s first {{ fmt(diag_returns("humanoid_standup", "cem5000")[0], 0) }} against {{ fmt(HUMANOID["cem5000"].episodes[0][0], 0) }} in Figure 3\'s run, CEM-GD\'s {{ fmt(diag_returns("humanoid_standup", "cem_gd")[0], 0) }} against {{ fmt(HUMANOID["cem_gd"].episodes[0][0], 0) }}), and over their last two MPC episodes {{ either(sum(diag_returns("humanoid_standup", "cem_gd")[-2:]) > sum(diag_returns("humanoid_standup", "cem5000")[-2:]), "CEM-GD", "CEM 5000") }} returned more ({{ fmt(sum(diag_returns("humanoid_standup", "cem_gd")[-2:]) / 2, 0) }} against CEM 5000\'s {{ fmt(sum(diag_returns("humanoid_standup", "cem5000")[-2:]) / 2, 0) }}), where in Figure 3 CEM 5000 did {{ either(all(a > b for a, b in zip(HUMANOID["cem5000"].last2, HUMANOID["cem_gd"].last2)), "in every seed", "not in every seed") }}. Each rerun ran all its MPC episodes: {{ len(DIAG[("humanoid_standup", "cem5000")]) }} on humanoid, {{ len(DIAG[("half_cheetah", "grad")]) }} on half-cheetah. Errors are RMS over the observation\'s dimensions, each in units of its standard deviation over the run\'s observations, open loop along the real actions, one step and H = {{ SETTINGS["horizon"] }} steps ahead (the planning horizon). The shares within one and two predicted standard deviations and ρ (Spearman\'s, the members\' spread against the error over start states) are one step ahead. "Predicted" is the mean over an episode\'s executed plans of their predicted return over H steps; "real", what the system gave over the same steps under MPC:',
    '**Humanoid: the first model diverges over the horizon, and CEM 5000 believes it most.** After the {{ FIG3_CONFIG["humanoid"]["pets"]["seed_episodes"] }} random episodes, the shared model\'s mean rollout errs by {{ fmt(dv("humanoid_standup", "cem5000", "error_step1")[0], 2) }} (on CEM 5000\'s episode) and {{ fmt(dv("humanoid_standup", "cem_gd", "error_step1")[0], 2) }} (on CEM-GD\'s) one step ahead, and by {{ fmt(dv("humanoid_standup", "cem5000", "error_last")[0], 0) }} and {{ fmt(dv("humanoid_standup", "cem_gd", "error_last")[0], 0) }} at {{ SETTINGS["horizon"] }} steps. On it, CEM 5000\'s executed plans predicted {{ fmt(gap_ratio("humanoid_standup", "cem5000", first_mpc("humanoid_standup", "cem5000"))) }}× the return the system gave over their steps, CEM-GD\'s {{ fmt(gap_ratio("humanoid_standup", "cem_gd", first_mpc("humanoid_standup", "cem_gd"))) }}×, and the episode returned {{ fmt(diag_returns("humanoid_standup", "cem5000")[0], 0) }} under CEM 5000 against {{ fmt(diag_returns("humanoid_standup", "cem_gd")[0], 0) }} under CEM-GD: with {{ fmt(5000 / plan_samples("results/fig3/humanoid_standup/runs", "cem_gd"), 0) }}× more samples per step, CEM found larger errors of the model to exploit (one model, one seed). From CEM-GD\'s second MPC episode on, its models\' {{ SETTINGS["horizon"] }}-step error stays within {{ span(dv("humanoid_standup", "cem_gd", "error_last", first_mpc("humanoid_standup", "cem_gd") + 1), 2) }} and its plans promise {{ span(gap_share("humanoid_standup", "cem_gd", first_mpc("humanoid_standup", "cem_gd") + 1), 0) }} % more than the system gives. From CEM 5000\'s second MPC episode on, its models\' {{ SETTINGS["horizon"] }}-step error is {{ span(dv("humanoid_standup", "cem5000", "error_last", first_mpc("humanoid_standup", "cem5000") + 1), 2) }}, and its plans\' predictions stay within {{ fmt(max(abs(x) for x in gap_share("humanoid_standup", "cem5000", first_mpc("humanoid_standup", "cem5000") + 1)), 0) }} % of the real return, above or below (predicted − real from {{ minus(fmt(min(gap_share("humanoid_standup", "cem5000", first_mpc("humanoid_standup", "cem5000") + 1)), 0)) }} to {{ minus(fmt(max(gap_share("humanoid_standup", "cem5000", first_mpc("humanoid_standup", "cem5000") + 1)), 0)) }} %), {{ either(all(a < b for a, b in zip(gap_share("humanoid_standup", "cem5000", first_mpc("humanoid_standup", "cem5000") + 1), gap_share("humanoid_standup", "cem_gd", first_mpc("humanoid_standup", "cem_gd") + 1))), "below CEM-GD\'s in every one of these episodes", "not always below CEM-GD\'s") }}. Those episodes returned {{ span(diag_returns("humanoid_standup", "cem5000")[1:], 0) }} under CEM 5000 against {{ span(diag_returns("humanoid_standup", "cem_gd")[1:len(diag_returns("humanoid_standup", "cem5000"))], 0) }} in CEM-GD\'s same episodes, and CEM 5000 returned more in {{ either(2 * sum(a > b for a, b in zip(diag_returns("humanoid_standup", "cem5000")[1:], diag_returns("humanoid_standup", "cem_gd")[1:])) < len(diag_returns("humanoid_standup", "cem5000")) - 1, "only ", "") }}{{ sum(a > b for a, b in zip(diag_returns("humanoid_standup", "cem5000")[1:], diag_returns("humanoid_standup", "cem_gd")[1:])) }} of {{ len(diag_returns("humanoid_standup", "cem5000")) - 1 }}: in this seed, plans that its model predicts well did not make CEM 5000 the better planner. One step ahead the models are close to calibrated ({{ span(dv("humanoid_standup", "cem_gd", "within_1sigma_step1") + dv("humanoid_standup", "cem5000", "within_1sigma_step1"), 2) }} of the real observations within one standard deviation, {{ span(dv("humanoid_standup", "cem_gd", "within_2sigma_step1") + dv("humanoid_standup", "cem5000", "within_2sigma_step1"), 2) }} within two), and the members\' spread ranks the one-step errors less well as the data grow (ρ {{ span(dv("humanoid_standup", "cem_gd", "spearman_step1", last=first_mpc("humanoid_standup", "cem_gd") + 2), 2) }} in CEM-GD\'s first three MPC episodes, {{ span(dv("humanoid_standup", "cem_gd", "spearman_step1", first=first_mpc("humanoid_standup", "cem_gd") + 3), 2) }} in its last three).',
    '**Half-cheetah: from the same first model, CEM-GD\'s models predict its episodes less well than Grad\'s predict Grad\'s.** On the shared first model the two episodes look alike: {{ fmt(dv("half_cheetah", "grad", "error_step1")[0], 2) }} and {{ fmt(dv("half_cheetah", "cem_gd", "error_step1")[0], 2) }} one step ahead (Grad\'s episode, CEM-GD\'s), {{ fmt(dv("half_cheetah", "grad", "error_last")[0], 2) }} and {{ fmt(dv("half_cheetah", "cem_gd", "error_last")[0], 2) }} at {{ SETTINGS["horizon"] }} steps, plans promising {{ fmt(dv("half_cheetah", "grad", "optimism")[0]) }} and {{ fmt(dv("half_cheetah", "cem_gd", "optimism")[0]) }} more than the system gave. In the {{ len(dv("half_cheetah", "grad", "error_step1")) - 1 }} MPC episodes after it, Grad\'s models err by {{ span(dv("half_cheetah", "grad", "error_step1", first_mpc("half_cheetah", "grad") + 1), 2) }} one step ahead and {{ span(dv("half_cheetah", "grad", "error_last", first_mpc("half_cheetah", "grad") + 1), 2) }} at {{ SETTINGS["horizon"] }}, CEM-GD\'s by {{ span(dv("half_cheetah", "cem_gd", "error_step1", first_mpc("half_cheetah", "cem_gd") + 1), 2) }} and {{ span(dv("half_cheetah", "cem_gd", "error_last", first_mpc("half_cheetah", "cem_gd") + 1), 2) }} (each run in its own units), and Grad returns {{ span(diag_returns("half_cheetah", "grad")[1:], 0) }} against CEM-GD\'s {{ minus(fmt(min(diag_returns("half_cheetah", "cem_gd")[1:]), 0)) }} to {{ fmt(max(diag_returns("half_cheetah", "cem_gd")[1:]), 0) }}: CEM-GD\'s episodes are the harder ones to predict, as far as the runs\' different units allow the comparison. Both are calibrated one step ahead ({{ span(dv("half_cheetah", "grad", "within_1sigma_step1") + dv("half_cheetah", "cem_gd", "within_1sigma_step1"), 2) }} within one standard deviation, {{ span(dv("half_cheetah", "grad", "within_2sigma_step1") + dv("half_cheetah", "cem_gd", "within_2sigma_step1"), 2) }} within two).',
], "README.md": [
    'CEM-GD\'s later step costs {{ span(ratios(later, "cem-gd", "cem500"), 2) }}× a CEM 500 step here',
    'on humanoid and Grad on half-cheetah {{ better(end(HUMANOID["cem_gd"]), end(HUMANOID["cem5000"])) }} with {{ len(HUMANOID["cem500"].seeds) }} seeds',
    'within the first {{ FIG4_FIRST }} MPC episodes they vary {{ fmt(sum(best_of(FIG4[CEMGD_NR[nr_extremes(FIG4_FIRST)[1]]], FIG4_FIRST)) / sum(best_of(FIG4[CEMGD_NR[nr_extremes(FIG4_FIRST)[0]]], FIG4_FIRST))) }}×',
    '{{ fmt(float(TOY[1]["fraction_below"]), 2) }} of {{ TOY[1]["trials"] }} episodes pass below at N_init 50, {{ fmt(float(TOY[3]["fraction_below"]), 2) }} at N_init 500, {{ fmt(float(TOY[5]["fraction_below"]), 2) }} at N_init 5000',
    'a step {{ vs_ratio("cem", "cem50", "all timed, mean") }}× faster on CEM 50, {{ vs_ratio("cem", "cem500", "all timed, mean") }}× on CEM 500, {{ vs_ratio("cem_gd", "cem-gd", "t > 0, mean") }}× on CEM-GD\'s later steps and {{ vs_ratio("cem_gd", "cem-gd", "per step, 200-step episode") }}× over a whole episode (cartpole); on half-cheetah and humanoid {{ span([float(vs_ratio(f"tasks/{k}", p, "t > 0, mean")) for k in ("half_cheetah", "humanoid_standup") for p in ("cem50", "cem500")]) }}× on CEM 50 and 500, {{ span([float(vs_ratio(f"tasks/{k}", "cem-gd", "t > 0, mean")) for k in ("half_cheetah", "humanoid_standup")]) }}× on CEM-GD\'s later steps',
    '{{ span([float(r["% of GEMM rate"][:-1]) for r in md_rows("results/bench/forward/forward_cpu.md") if int(r["rows per member"]) >= sorted({int(r["rows per member"]) for r in md_rows("results/bench/forward/forward_cpu.md")})[-2]], 0) }} % of the GEMM rate from {{ sorted({int(r["rows per member"]) for r in md_rows("results/bench/forward/forward_cpu.md")})[-2] }} rows per member',
    'on humanoid\'s first model CEM 5000\'s plans predicted {{ fmt(gap_ratio("humanoid_standup", "cem5000", first_mpc("humanoid_standup", "cem5000"))) }}× the return they got, CEM-GD\'s {{ fmt(gap_ratio("humanoid_standup", "cem_gd", first_mpc("humanoid_standup", "cem_gd"))) }}×; CEM-GD\'s later plans {{ span(gap_share("humanoid_standup", "cem_gd", first_mpc("humanoid_standup", "cem_gd") + 1), 0) }} % above it',
    'later steps {{ span(floor_ratios("later", ("cem500", "cem5000")), 2) }}× their arithmetic floor on CEM 500 and 5000, {{ span(floor_ratios("later", ("cem50", "cem-gd")), 2) }}× on CEM 50 and CEM-GD',
    '{{ max(int(r["syncs_per_step"]) for r in read_csv("results/bench/ops_per_step/capture_ready_on.csv")) }} host syncs in every planner\'s capture-ready step',
    'the first MPC episode {{ either(all(SMALL[(e, "after")]["mpc_1"] > SMALL[(e, "after")]["random_mean"] for e in ("cartpole", "reacher", "pendulum", "reach2d")), "beats", "does not always beat") }} random actions',
    'and a planar reach ({{ minus(fmt(SMALL[("reach2d", "after")]["mpc_1"])) }} against {{ minus(fmt(SMALL[("reach2d", "after")]["random_mean"])) }}; before: {{ minus(fmt(SMALL[("reach2d", "before")]["mpc_1"])) }})',
    'PETS returns {{ minus(fmt(max(x for e, x in REACHER_PETS[-5:]))) }} to {{ minus(fmt(min(x for e, x in REACHER_PETS[-5:]))) }} in its last {{ len(REACHER_PETS[-5:]) }} MPC episodes; random actions {{ minus(pm(REACHER_RANDOM)) }}',
]}
