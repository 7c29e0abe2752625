#!/usr/bin/env python3
"""The tables of the project's documents, made from the committed files under results/, and a
check that the documents and the results index agree with those files.

    /usr/bin/python3 scripts/results_tables.py --check    exit 1 naming each difference
    /usr/bin/python3 scripts/results_tables.py --write    rewrite the tables in the documents

A table in a document (README.md, docs/*.md) sits between two markers,

    <!-- table: KIND ARG... -->
    | ... |
    <!-- /table -->

and is exactly what KIND makes from its ARGs (paths relative to the repository):

    planners CSV [TABLES]        the paper's Tables 1-2 beside `mbrl bench planners`' CSV
                                 (TABLES: the paper's numbers, default configs/paper/tables.yaml)
    fig3 SOURCE [random=N]       per planner: final, mean of the last two and best MPC episode,
                                 mean ± population std over seeds. SOURCE: a folder of run
                                 records (metrics.csv per run) or a runs CSV of
                                 scripts/plot_runs.py --runs-csv, whose first N episodes are random
    random SOURCE [random=N]...  the random episodes' return per task, each distinct episode once
    best CSV                     scripts/plot_samples.py --csv: best return per samples per step
    toy CSV                      mbrl toy's success.csv
    floor CSV                    `mbrl bench planners`' CSV: each step against its arithmetic floor
    vs_pytorch MD...             scripts/bench_vs_pytorch.sh's vs_pytorch.md files, their rows
                                 under the task each names
    diagnosis SUMMARY...         `mbrl diagnose`'s summary.csv of runs (results/diagnose/TASK/
                                 PLANNER/summary.csv): per MPC episode

--check also reads results/README.md and fails on a path it lists (in backquotes, under
results/) that does not exist, checks the learning checks' thresholds
(configs/paper/learn_checks.csv) against the random episodes they come from, and checks the prose:
every template of scripts/prose_facts.py must read in its document as its data make it, and every
number in a checked document's prose must be a template's value (see prose_problems).
"""
import argparse
import csv
import glob
import math
import os
import re
import sys
from collections import defaultdict

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
MARK = re.compile(r"^<!-- table: (.+?) -->\n(.*?)^<!-- /table -->\n", re.M | re.S)


def set_root(root):
    global ROOT
    ROOT = os.path.abspath(root)


def documents():
    docs = sorted(os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(ROOT, "docs", "*.md")))
    return [d for d in ["README.md"] + docs if os.path.exists(os.path.join(ROOT, d))]


def mean_std(values):
    m = sum(values) / len(values)
    return m, math.sqrt(sum((v - m) ** 2 for v in values) / len(values))


def pm(values, digits=1):
    m, s = mean_std(values)
    return f"{m:.{digits}f} ± {s:.{digits}f}"


def read_csv(path):
    with open(os.path.join(ROOT, path)) as f:
        return list(csv.DictReader(f))


def read_yaml(path):
    import yaml
    with open(os.path.join(ROOT, path)) as f:
        return yaml.safe_load(f)


def planners_table(path, tables="configs/paper/tables.yaml"):
    paper = read_yaml(tables)
    rows = read_csv(path)
    out = ["| task | planner | t = 0 step (s) | later step (s) | per step over an episode (s) "
           "| paper (s) | peak tensor memory (MB) | paper (MB) | peak RSS (MB) |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        label, task = r["planner"], r["task"]
        on_paper = int(r["horizon"]) == paper["horizon"]
        t = paper["time_s"].get(label, {}).get(task) if on_paper else None
        m = paper["memory_mb"].get(label, {}).get(task) if on_paper else None
        out.append(f"| {task} | {label} | {float(r['first_ms']) / 1000:.3f} | "
                   f"{float(r['later_mean_ms']) / 1000:.3f} | {float(r['episode_mean_s']):.3f} | "
                   f"{'' if t is None else t} | {r['peak_mb']} | {'' if m is None else m} | "
                   f"{r['peak_rss_mb']} |")
    return out


def floor_table(path):
    rows = read_csv(path)
    out = ["| task | planner | t = 0 step (s) | its floor (s) | step / floor | later step (s) "
           "| its floor (s) | step / floor | GEMM (GFLOP/s) |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['task']} | {r['planner']} | {float(r['first_ms']) / 1000:.3f} | "
                   f"{float(r['first_floor_ms']) / 1000:.3f} | {r['first_x_floor']} | "
                   f"{float(r['later_mean_ms']) / 1000:.3f} | "
                   f"{float(r['later_floor_ms']) / 1000:.3f} | {r['later_x_floor']} | "
                   f"{r['gemm_gflops']} |")
    return out


def vs_pytorch_table(*paths):
    """The t = 0 and later steps of each file, with the later step's arithmetic floor where the
    file gives it, and the time of the file's `before` side (an older build) where one has it."""
    rows = []
    floor_of = re.compile(r"(\S+) (\d+\.\d+) s \(PyTorch (\d+\.\d+)x, ours (\d+\.\d+)x\)")
    for path in paths:
        with open(os.path.join(ROOT, path)) as f:
            text = f.read()
        task = text.split(",")[0].strip()
        floors = {m[0]: m[1:] for m in floor_of.findall(text)}
        rows += [(task, path, floors, r) for r in md_rows(path)
                 if r["step"] in ("t = 0", "t > 0, mean")]
    before = any("before (s)" in r for _, _, _, r in rows)
    out = ["| task | planner | step | PyTorch (s) |" + (" before (s) |" if before else "") +
           " ours (s) | ratio | floor (s) | PyTorch / floor | ours / floor | file |",
           "|---|---|---|---:|" + ("---:|" if before else "") + "---:|---:|---:|---:|---:|---|"]
    for task, path, floors, r in rows:
        f = floors.get(r["planner"]) if r["step"] == "t > 0, mean" else None
        cells = f"{f[0]} | {f[1]}x | {f[2]}x" if f else " | | "
        out.append(f"| {task} | {r['planner']} | {r['step']} | {r['PyTorch (s)']} | " +
                   (f"{r.get('before (s)', '')} | " if before else "") +
                   f"{r['ours (s)']} | {r['ratio']} | {cells} | `{os.path.dirname(path)}/` |")
    return out


def diagnosis_table(*paths):
    out = ["| task | planner | episode | 1-step error | H-step error (H) | within 1σ | within 2σ "
           "| spread–error ρ | predicted return | real return | predicted − real |",
           "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for path in paths:
        task, planner = os.path.normpath(path).split(os.sep)[-3:-1]
        for r in read_csv(path):
            out.append(f"| {task} | {planner} | {r['episode']} | {float(r['error_step1']):.2f} | "
                       f"{float(r['error_last']):.2f} ({r['horizon']}) | "
                       f"{float(r['within_1sigma_step1']):.2f} | "
                       f"{float(r['within_2sigma_step1']):.2f} | "
                       f"{float(r['spearman_step1']):.2f} | "
                       f"{float(r['predicted_return_mean']):.1f} | "
                       f"{float(r['real_return_mean']):.1f} | {float(r['optimism']):.1f} |")
    return out


def runs_from(source, random=None):
    """{label: {seed: [(episode, return, is_random)]}} from run records or a runs CSV."""
    runs = defaultdict(dict)
    path = os.path.join(ROOT, source)
    if os.path.isdir(path):
        for metrics in sorted(glob.glob(os.path.join(path, "*", "seed_*", "metrics.csv"))):
            label = os.path.basename(os.path.dirname(os.path.dirname(metrics)))
            seed = os.path.basename(os.path.dirname(metrics))[len("seed_"):]
            with open(metrics) as f:
                rows = [r for r in csv.DictReader(f) if r.get("interrupted", "0") != "1"]
            runs[label][seed] = [(int(r["episode"]), float(r["return"]), r["random"] == "1")
                                 for r in rows]
    else:
        if random is None:
            raise SystemExit(f"{source}: a runs CSV needs random=N (its random episodes)")
        for r in read_csv(source):
            e = int(r["episode"])
            runs[r["label"]].setdefault(r["seed"], []).append(
                (e, float(r["return"]), e <= int(random)))
    return runs


class Cell:
    """One planner's runs of a Figure 3 sweep, cut to the MPC episodes every seed has: per seed
    (in seed order) its MPC returns, and the three measures of the tables."""

    def __init__(self, mpc):
        n = min(len(v) for v in mpc.values())
        self.seeds = sorted(mpc)
        self.episodes = [mpc[s][:n] for s in self.seeds]
        self.final = [v[-1] for v in self.episodes]
        self.last2 = [sum(v[-2:]) / len(v[-2:]) for v in self.episodes]
        self.best = [max(v) for v in self.episodes]


def fig3_cells(source, random=None):
    """{label: Cell} of a Figure 3 sweep (SOURCE and random= as the fig3 table takes them)."""
    runs = runs_from(source, random)
    return {label: Cell({s: [x for _, x, rnd in sorted(eps) if not rnd]
                         for s, eps in runs[label].items()}) for label in sorted(runs)}


def fig3_table(source, random=None):
    if not os.path.exists(os.path.join(ROOT, source)):
        return ["| planner | seeds | MPC episodes |", "|---|---:|---:|", "| (none finished yet) | 0 | 0 |"]
    out = ["| planner | seeds | MPC episodes | final episode | mean of the last 2 | best MPC episode |",
           "|---|---:|---:|---:|---:|---:|"]
    for label, c in fig3_cells(source, random).items():
        out.append(f"| {label} | {len(c.seeds)} | {len(c.final and c.episodes[0])} | {pm(c.final)} | "
                   f"{pm(c.last2)} | {pm(c.best)} |")
    return out


def random_table(*args):
    out = ["| task | random episodes | return |", "|---|---:|---:|"]
    args = list(args)
    while args:
        source = args.pop(0)
        random = args.pop(0)[len("random="):] if args and args[0].startswith("random=") else None
        episodes = random_returns(source, random)
        task = source.rstrip("/").split("/")[2]
        out.append(f"| {task} | {len(episodes)} | {pm(episodes)} |")
    return out


def random_returns(source, random=None):
    """The returns of a sweep's random episodes, each distinct episode once (a seed's runs share
    theirs)."""
    episodes = {}
    for seeds in runs_from(source, random).values():
        for seed, eps in seeds.items():
            episodes.update({(seed, e): x for e, x, rnd in eps if rnd})
    return [episodes[k] for k in sorted(episodes)]


def best_table(path):
    rows = read_csv(path)
    out = ["| planner | samples per step | seeds | best return |", "|---|---:|---:|---:|"]
    for r in rows:
        out.append(f"| {r['planner']} | {r['samples_per_step']} | {r['seeds']} | "
                   f"{float(r['mean_best_return']):.1f} ± {float(r['std_best_return']):.1f} |")
    return out


def toy_table(path):
    rows = read_csv(path)
    return ["| N_init | " + " | ".join(r["n_init"] for r in rows) + " |",
            "|---|" + "---:|" * len(rows),
            f"| below the barrier (of {rows[0]['trials']}) | " +
            " | ".join(f"{float(r['fraction_below']):.2f}" for r in rows) + " |"]


KINDS = {"planners": planners_table, "fig3": fig3_table, "random": random_table,
         "best": best_table, "toy": toy_table, "floor": floor_table,
         "diagnosis": diagnosis_table, "vs_pytorch": vs_pytorch_table}


def make(spec):
    kind, *args = spec.split()
    if kind not in KINDS:
        raise SystemExit(f"unknown table kind '{kind}' (one of: {', '.join(KINDS)})")
    if kind == "fig3":
        keyword = {a.split("=")[0]: a.split("=")[1] for a in args[1:]}
        return "\n".join(fig3_table(args[0], **keyword)) + "\n"
    return "\n".join(KINDS[kind](*args)) + "\n"


def threshold_problems(path="configs/paper/learn_checks.csv"):
    """Rows of the learning checks' thresholds that disagree with the random episodes they name."""
    full = os.path.join(ROOT, path)
    if not os.path.exists(full):
        return []
    problems = []
    with open(full) as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    for r in rows:
        if not r.get("source"):
            continue
        source, _, random = r["source"].partition(":")
        episodes = random_returns(source, random or None)
        m, s = mean_std(episodes)
        made = (f"{m + 5 * s:.1f}", f"{m:.1f}", f"{s:.1f}", str(len(episodes)))
        given = (r["threshold"], r["random_mean"], r["random_std"], r["random_episodes"])
        if made != given:
            problems.append(f"{path}: {r['task']}: {given} but {r['source']} gives {made}")
    return problems


def index_problems():
    """Paths results/README.md lists that do not exist."""
    index = os.path.join(ROOT, "results", "README.md")
    if not os.path.exists(index):
        return ["results/README.md: missing"]
    problems = []
    with open(index) as f:
        for n, line in enumerate(f, 1):
            for path in re.findall(r"`(results/[^`*{} ]+)`", line):
                if not os.path.exists(os.path.join(ROOT, path)):
                    problems.append(f"results/README.md:{n}: {path} does not exist")
    return problems


# --- The prose: every number is made by a template of scripts/prose_facts.py or is a reference --
FIELD = re.compile(r"\{\{(.+?)\}\}", re.S)
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
# Spans whose numbers are not results: code, links, comments, quotations of the paper, names of
# figures, tables, equations and sections, the planners' names (CEM 500, N_r 50: their settings
# are in configs/paper/planners/), seeds, the first planning step (t = 0), a year in a citation,
# and software versions.
IGNORED = re.compile(
    r"`[^`]*`|\]\([^)]*\)|<[^>]*>|https?://\S+|\"[^\"]*\"|“[^”]*”"
    r"|(?:Figures?|Fig\.|Tables?|Eq\.|§|Section|Algorithm)\s*\d+(?:\.\d+)*[a-z]?"
    r"(?:\s*(?:,|and|–|-|to)\s*\d+[a-z]?)*"
    r"|(?:CEM|N_r|N_init|N_r =|N_init =|N =|seeds?)\s+\d+(?:(?:,|, and| and| or| to|–)\s*\d+)*"
    r"|\bt [=>] 0\b|π/\d|(?<=\()\d{4}(?=[;),])"
    r"|(?:LibTorch|PyTorch|torch|CUDA|Python)\s+\d+(?:\.\d+)*(?:\.x)?(?:(?:,| and| or)\s+\d+(?:\.\d+)+)*")


def prose_of(doc, text):
    """The checked prose of a document, whitespace collapsed: README.md's headlines (the second
    cell of each row of its Results table); in any other document everything but code blocks and
    generated tables."""
    if doc == "README.md":
        section = re.search(r"^## Results\n(.*?)(?=^## )", text, re.M | re.S)
        rows = [line.split("|") for line in (section.group(1) if section else "").splitlines()
                if line.startswith("|") and not line.startswith("|---")]
        cells = [r[2].strip() for r in rows[1:] if len(r) > 3]
        return " \n ".join(cells)
    text = MARK.sub("\n", text)
    text = re.sub(r"^```.*?^```", "\n", text, flags=re.M | re.S)
    return " ".join(text.split())


def render(template, namespace):
    """(text, [(start, end) of each field's value]) of a template, its whitespace collapsed."""
    text, fields, last = "", [], 0
    for m in FIELD.finditer(template):
        text += re.sub(r"\s+", " ", template[last:m.start()])
        value = re.sub(r"\s+", " ", str(eval(m.group(1), namespace)))
        fields.append((len(text), len(text) + len(value)))
        text += value
        last = m.end()
    return text + re.sub(r"\s+", " ", template[last:]), fields


def prose_problems(path="scripts/prose_facts.py"):
    """Templates of the prose whose sentence the document does not hold as made from the data,
    and numbers in a checked document that no template makes."""
    full = os.path.join(ROOT, path)
    if not os.path.exists(full):
        return []
    import runpy
    namespace = runpy.run_path(full, init_globals=dict(HELPERS, ROOT=ROOT, os=os, csv=csv,
                                                       glob=glob, math=math))
    problems = []
    for doc, templates in namespace["FACTS"].items():
        with open(os.path.join(ROOT, doc)) as f:
            prose = prose_of(doc, f.read())
        covered = [False] * len(prose)
        for template in templates:
            try:
                sentence, fields = render(template, namespace)
            except Exception as e:  # a template that cannot be made names itself
                problems.append(f"{path}: {doc}: '{template[:60]}...' fails: {e!r}")
                continue
            start = prose.find(sentence)
            if start < 0:
                problems.append(f"{doc}: no text reads, as its data make it, \"{sentence}\" "
                                f"({path})")
            while start >= 0:  # only the fields' values are made from data, not the words around
                for a, b in fields:
                    covered[start + a:start + b] = [True] * (b - a)
                start = prose.find(sentence, start + 1)
        for m in IGNORED.finditer(prose):
            covered[m.start():m.end()] = [True] * (m.end() - m.start())
        for m in NUMBER.finditer(prose):
            if not all(covered[m.start():m.end()]):
                context = prose[max(0, m.start() - 50):m.end() + 30]
                problems.append(f"{doc}: the number {m.group()} in \"...{context}...\" is made by "
                                f"no template of {path}")
    return problems


def welch_t(a, b):
    """Welch's t of mean(a) - mean(b), with the samples' (n - 1) variances."""
    va = sum((x - sum(a) / len(a)) ** 2 for x in a) / (len(a) - 1)
    vb = sum((x - sum(b) / len(b)) ** 2 for x in b) / (len(b) - 1)
    return (sum(a) / len(a) - sum(b) / len(b)) / math.sqrt(va / len(a) + vb / len(b))


T_CLEAR = 3.0  # |t| from which two sets of seeds differ (about the 5 % level for 3 seeds each)


def better(a, b):
    """The verdict on "a is better than b" (higher is better), by the rules of
    docs/reproduction.md: reproduced when t >= T_CLEAR, contradicted when t <= -T_CLEAR."""
    t = welch_t(a, b)
    return "reproduced" if t >= T_CLEAR else "contradicted" if t <= -T_CLEAR else "inconclusive"


LEVEL_MARGIN = 0.1  # "as good as": a's mean at most this fraction of |b's mean| below b's


def level(a, b):
    """The verdict on "a is as good as b": reproduced when a's mean is at most LEVEL_MARGIN of
    |b's mean| below b's (or above it), else contradicted when t <= -T_CLEAR, else inconclusive."""
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    if ma >= mb - LEVEL_MARGIN * abs(mb):
        return "reproduced"
    return "contradicted" if welch_t(a, b) <= -T_CLEAR else "inconclusive"


def fmt(x, digits=1):
    return f"{x:.{digits}f}"


def span(values, digits=1, scale=1.0):
    """'low–high' of values times scale."""
    return f"{min(values) * scale:.{digits}f}–{max(values) * scale:.{digits}f}"


def md_rows(path):
    """The rows of the markdown table in a file, as dicts by its header (a repeated column name
    gives its first column)."""
    with open(os.path.join(ROOT, path)) as f:
        lines = [line.strip() for line in f if line.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        row = {}
        for name, cell in zip(header, line.strip("|").split("|")):
            row.setdefault(name, cell.strip())
        rows.append(row)
    return rows


def either(condition, yes, no):
    """yes when the data make condition true, else no: a word of the prose that follows its data."""
    return yes if condition else no


def spearman(x, y):
    """Spearman's rank correlation of two lists without ties in x (ties in y get mean ranks)."""
    def ranks(v):
        order = sorted(range(len(v)), key=lambda i: v[i])
        r = [0.0] * len(v)
        i = 0
        while i < len(v):
            j = i
            while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2 + 1
            i = j + 1
        return r
    rx, ry = ranks(x), ranks(y)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    return cov / math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))


HELPERS = {"md_rows": md_rows, "either": either, "spearman": spearman, "read_csv": read_csv, "read_yaml": read_yaml, "fig3_cells": fig3_cells,
           "random_returns": random_returns, "mean_std": mean_std, "pm": pm, "fmt": fmt,
           "span": span, "welch_t": welch_t, "better": better, "level": level,
           "T_CLEAR": T_CLEAR, "LEVEL_MARGIN": LEVEL_MARGIN}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true")
    group.add_argument("--write", action="store_true")
    parser.add_argument("--root", default=ROOT, help="the repository (default: this script's)")
    args = parser.parse_args()
    set_root(args.root)
    problems = index_problems() + threshold_problems() + prose_problems() if args.check else []
    tables = 0
    for doc in documents():
        path = os.path.join(ROOT, doc)
        with open(path) as f:
            text = f.read()

        def replace(match):
            nonlocal tables
            tables += 1
            made = make(match.group(1))
            if args.check and made != match.group(2):
                problems.append(f"{doc}: the table '{match.group(1)}' differs from its data "
                                f"(scripts/results_tables.py --write remakes it)")
            return f"<!-- table: {match.group(1)} -->\n{made}<!-- /table -->\n"

        new = MARK.sub(replace, text)
        if args.write and new != text:
            with open(path, "w") as f:
                f.write(new)
            print(f"rewrote the tables of {doc}")
    for p in problems:
        print(p, file=sys.stderr)
    if args.check:
        print(f"results_tables: {tables} tables checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
