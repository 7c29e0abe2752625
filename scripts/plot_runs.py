#!/usr/bin/env python3
"""Learning curves from mbrl run directories: return per episode, mean ± std over seeds, one line
per planner, one panel per task.

    /usr/bin/python3 scripts/plot_runs.py DIR_OR_RUNS_CSV... --out FILE.png
        [--x episode|env_steps|mpc_episode] [--label-key planner.population] [--csv FILE.csv]
        [--runs-csv FILE.csv] [--random-episodes N]

Every directory under the given ones that holds metrics.csv and config.yaml is a run (a run
directory itself, or a sweep's output); a given *.csv is a runs table as --runs-csv writes it,
each task's random episodes and episode length taken from configs/paper/fig3/<task>.yaml. A run's line label is its label.txt when there is one,
else its planner's type, plus ` key=value` for each --label-key. Runs of
the same task and label are seeds of one line. Rows of interrupted (partial) episodes are
skipped. --csv writes the plotted points (task, label, x, mean, std, seeds); --runs-csv writes
every run's own returns (task, label, seed, episode, env_steps, return, run directory).
--x mpc_episode numbers each run's MPC episodes 1, 2, ... and leaves its random (pretraining)
episodes out of the lines: runs that pretrain on different numbers of random episodes line up,
and the random episodes of all runs of a task are drawn instead as a dashed band (mean ± std).
"""
import argparse
import csv
import math
import os
import sys
from collections import defaultdict


def read_config(path):
    """The resolved config.yaml as {dotted.key: value} (mbrl writes two levels, 'key: value')."""
    values, section = {}, None
    with open(path) as f:
        for raw in f:
            line = raw.split("#", 1)[0].rstrip()
            if not line.strip() or ":" not in line:
                continue
            key, _, value = line.strip().partition(":")
            value = value.strip()
            if raw.startswith((" ", "\t")):
                if section is not None:
                    values[section + "." + key] = value
            elif value == "":
                section = key
            else:
                section = None
                values[key] = value
    return values


def find_runs(roots):
    runs = []
    for root in roots:
        if not os.path.isdir(root):
            sys.exit(f"error: {root}: no such directory")
        for dirpath, _, files in os.walk(root):
            if "metrics.csv" in files and "config.yaml" in files:
                runs.append(dirpath)
    return sorted(runs)


def finished_episodes(run_dir):
    """The rows of a run's metrics.csv, without those of interrupted (partial) episodes."""
    with open(os.path.join(run_dir, "metrics.csv")) as f:
        return [row for row in csv.DictReader(f) if row.get("interrupted", "0") != "1"]


def mean_std(values):
    """(mean, population std, count) of a non-empty list."""
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)), len(values)


def save_figure(fig, out):
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=120)


class Run:
    """One run: its task, line label, seed, episode length and finished episodes
    [(episode, env_steps, return, random)]."""

    def __init__(self, task, label, seed, length, episodes, source):
        self.task, self.label, self.seed, self.length = task, label, seed, length
        self.episodes, self.source = episodes, source


def read_run(run_dir, label_keys):
    config = read_config(os.path.join(run_dir, "config.yaml"))
    label_file = os.path.join(run_dir, "label.txt")
    if os.path.exists(label_file):
        with open(label_file) as f:
            label = f.read().strip()
    else:
        label = config.get("planner.type", "?")
    for key in label_keys:
        if key not in config:
            sys.exit(f"error: --label-key {key}: not in {run_dir}/config.yaml")
        label += f" {key.split('.')[-1]}={config[key]}"
    episodes = [(int(row["episode"]), float(row["env_steps"]), float(row["return"]),
                 row.get("random", "0") == "1") for row in finished_episodes(run_dir)]
    return Run(config.get("task", "?"), label, config.get("seed", "?"),
               config.get("env.episode_length", "?"), episodes, run_dir)


def read_runs_table(path, root, random_episodes=None):
    """The runs of a runs table (a Figure 3 runs.csv: task,label,seed,episode,env_steps,return per
    row), each task's random episodes (unless random_episodes gives their number) and episode
    length from the paper's protocol configs/paper/fig3/<task>.yaml under root."""
    grouped = defaultdict(list)
    with open(path) as f:
        for row in csv.DictReader(f):
            grouped[(row["task"], row["label"], row["seed"])].append(
                (int(row["episode"]), float(row["env_steps"]), float(row["return"])))
    runs = []
    for (task, label, seed), rows in sorted(grouped.items()):
        protocol = os.path.join(root, "configs", "paper", "fig3", task + ".yaml")
        if not os.path.exists(protocol):
            sys.exit(f"error: {path}: task '{task}' needs its protocol {protocol}")
        config = read_config(protocol)
        seed_episodes = int(config["pets.seed_episodes"]) if random_episodes is None \
            else random_episodes
        runs.append(Run(task, label, seed, config.get("env.episode_length", "?"),
                        [(e, s, r, e <= seed_episodes) for e, s, r in sorted(rows)], path))
    return runs


def load_runs(inputs, label_keys=(), root=None, random_episodes=None):
    """The runs under the given directories and in the given runs tables (*.csv)."""
    root = root or os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    runs = [read_run(d, label_keys) for d in find_runs([i for i in inputs if not i.endswith(".csv")])]
    for table in (i for i in inputs if i.endswith(".csv")):
        if not os.path.exists(table):
            sys.exit(f"error: {table}: no such file")
        runs += read_runs_table(table, root, random_episodes)
    return runs


def write_runs_csv(path, runs):
    """One row per finished episode of every run: the data behind the plot, seed by seed."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["task", "label", "seed", "episode", "env_steps", "return", "run"])
        for run in runs:
            for episode, steps, ret, _ in run.episodes:
                w.writerow([run.task, run.label, run.seed, episode, f"{steps:.0f}", f"{ret:.6f}",
                            run.source])


def points_of(run, x_key):
    if x_key == "mpc_episode":
        mpc = [e for e in run.episodes if not e[3]]
        return [(float(i), e[2]) for i, e in enumerate(mpc, 1)]
    return [(float(e[0]) if x_key == "episode" else e[1], e[2]) for e in run.episodes]


def aggregate(runs, x_key):
    """({task: {label: [(x, mean, std, seeds)]}}: the seeds' returns at each x they share,
    {task: [return of each distinct random episode of its runs]}). Runs of one seed share their
    random episodes (the same seed draws the same random actions), so each is counted once."""
    by_line = defaultdict(lambda: defaultdict(list))
    randoms = defaultdict(dict)
    for run in runs:
        by_line[run.task][run.label].append(dict(points_of(run, x_key)))
        randoms[run.task].update({(run.seed, e[0]): e[2] for e in run.episodes if e[3]})
    curves = {}
    for task, lines in by_line.items():
        curves[task] = {}
        for label, seeds in lines.items():
            xs = sorted(set().union(*[s.keys() for s in seeds]))
            curve = []
            for x in xs:
                curve.append((x, *mean_std([s[x] for s in seeds if x in s])))
            curves[task][label] = curve
    return curves, {task: list(r.values()) for task, r in randoms.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dirs", nargs="+", help="run or sweep directories")
    parser.add_argument("--out", required=True, help="the PNG to write")
    parser.add_argument("--x", default="episode", choices=["episode", "env_steps", "mpc_episode"])
    parser.add_argument("--label-key", action="append", default=[],
                        help="config key appended to each line's label (repeatable)")
    parser.add_argument("--csv", help="also write the plotted points here")
    parser.add_argument("--runs-csv", help="also write every run's returns per episode here")
    parser.add_argument("--random-episodes", type=int,
                        help="a runs table's random episodes (default: its task's "
                             "configs/paper/fig3/<task>.yaml pets.seed_episodes)")
    args = parser.parse_args()

    runs = load_runs(args.dirs, args.label_key, random_episodes=args.random_episodes)
    if not runs:
        sys.exit(f"error: no run directories (metrics.csv + config.yaml) under {' '.join(args.dirs)}")
    curves, randoms = aggregate(runs, args.x)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    tasks = sorted(curves)
    fig, axes = plt.subplots(1, len(tasks), figsize=(5.5 * len(tasks), 5), squeeze=False)
    for ax, task in zip(axes[0], tasks):
        for label in sorted(curves[task]):
            curve = curves[task][label]
            xs = [p[0] for p in curve]
            mean = [p[1] for p in curve]
            std = [p[2] for p in curve]
            seeds = max(p[3] for p in curve)
            line, = ax.plot(xs, mean, marker="o", markersize=3, label=f"{label} ({seeds} seeds)")
            ax.fill_between(xs, [m - s for m, s in zip(mean, std)],
                            [m + s for m, s in zip(mean, std)], color=line.get_color(), alpha=0.2)
        random = randoms.get(task, [])
        if args.x == "mpc_episode" and random:
            mean, std, n = mean_std(random)
            ax.axhline(mean, color="gray", linestyle="--", linewidth=1,
                       label=f"random actions ({n} episodes)")
            ax.axhspan(mean - std, mean + std, color="gray", alpha=0.12)
        lengths = sorted({r.length for r in runs if r.task == task})
        ax.set_title(f"{task} ({' / '.join(lengths)}-step episodes)")
        if args.x in ("episode", "mpc_episode"):
            ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.set_xlabel({"env_steps": "environment steps", "episode": "episode",
                       "mpc_episode": "MPC episode (after the random ones)"}[args.x])
        ax.set_ylabel("return (mean ± std over seeds)")
        ax.grid(alpha=0.3)
        # below the axes, where it covers no data
        ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2,
                  frameon=False)
    save_figure(fig, args.out)
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["task", "label", args.x, "mean_return", "std_return", "seeds"])
            for task in tasks:
                for label in sorted(curves[task]):
                    for x, mean, std, n in curves[task][label]:
                        w.writerow([task, label, f"{x:g}", f"{mean:.6f}", f"{std:.6f}", n])
    if args.runs_csv:
        write_runs_csv(args.runs_csv, runs)
    print(f"{len(runs)} runs, {sum(len(v) for v in curves.values())} lines -> {args.out}")


if __name__ == "__main__":
    main()
