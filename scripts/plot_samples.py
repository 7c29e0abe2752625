#!/usr/bin/env python3
"""Best return against samples per planning step (the CEM-GD paper's Figure 4): CEM with N samples
per step (population x iterations) against CEM-GD with N_r samples per step after the first, each
point the mean ± std over seeds of every run's best episode return (random episodes excluded);
the Grad baseline, which samples nothing, as a horizontal line.

    /usr/bin/python3 scripts/plot_samples.py DIR_OR_RUNS_CSV... --out FILE.png [--csv FILE.csv]
        [--episodes N]

Every directory under the given ones that holds metrics.csv and config.yaml is a run. A runs.csv
(a Figure 3 table: task,label,seed,episode,...,return per row) is read as one run per label and
seed, its planner from configs/paper/planners/<label>.yaml and its random episodes the first
pets.seed_episodes of configs/paper/fig3/<task>.yaml. One panel per task. --csv writes the plotted points (task, planner, samples, mean, std, seeds). --episodes N
compares runs of different lengths fairly: the best of each run's first N episodes, and only runs
that have finished N.
"""
import argparse
import csv
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_runs import (finished_episodes, find_runs, mean_std, read_config,  # noqa: E402
                       read_runs_table, save_figure)


def samples_per_step(config):
    """(planner family, samples per step after the first), or None for planners without a count."""
    kind = config.get("planner.type")
    if kind == "cem":
        return "cem", int(config["planner.population"]) * int(config["planner.iterations"])
    if kind == "cem-gd":
        return "cem-gd", int(config["planner.n_r"])
    if kind == "grad":
        return "grad", 0
    return None


def best_return(run_dir, episodes=None):
    """The best return of the run's finished MPC episodes (of its first `episodes` when given, and
    then None unless it has finished that many), or None when there is none."""
    return best_of([(int(row["episode"]), float(row["return"]), row.get("random", "0") == "1")
                    for row in finished_episodes(run_dir)], episodes)


def table_runs(path, root):
    """[(task, (family, samples), [(episode, return, random)]), ...] of a runs.csv table, one entry
    per (label, seed), with the paper's planner files and Figure 3 protocol under `root`."""
    out = []
    for run in read_runs_table(path, root):
        planner_file = os.path.join(root, "configs", "paper", "planners", run.label + ".yaml")
        if not os.path.exists(planner_file):
            sys.exit(f"error: {path}: label '{run.label}' of task '{run.task}' needs {planner_file}")
        planner = {"planner." + k: v for k, v in read_config(planner_file).items()}
        key = samples_per_step(planner)
        if key is not None:
            out.append((run.task, key, [(e, r, rnd) for e, _, r, rnd in run.episodes]))
    return out


def best_of(episodes, first=None):
    """The best return of the MPC episodes among [(episode, return, random)] (of the first `first`
    when given, and then None unless there are that many), or None when there is none."""
    if first is not None:
        episodes = [e for e in episodes if e[0] <= first]
        if len(episodes) < first:
            return None
    returns = [r for _, r, random in episodes if not random]
    return max(returns) if returns else None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dirs", nargs="+", help="run or sweep directories")
    parser.add_argument("--out", required=True, help="the PNG to write")
    parser.add_argument("--csv", help="also write the plotted points here")
    parser.add_argument("--episodes", type=int,
                        help="the best of each run's first N episodes; runs with fewer left out")
    args = parser.parse_args()

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    tables = [d for d in args.dirs if d.endswith(".csv")]
    runs = find_runs([d for d in args.dirs if not d.endswith(".csv")])
    points = defaultdict(lambda: defaultdict(list))  # {task: {(family, samples): [best, ...]}}
    for run in runs:
        config = read_config(os.path.join(run, "config.yaml"))
        key = samples_per_step(config)
        best = best_return(run, args.episodes)
        if key is None or best is None:
            continue
        points[config.get("task", "?")][key].append(best)
    for table in tables:
        for task, key, episodes in table_runs(table, root):
            best = best_of(episodes, args.episodes)
            if best is not None:
                points[task][key].append(best)
        runs.append(table)
    if not points:
        sys.exit(f"error: no CEM, CEM-GD or Grad runs with an MPC episode under {' '.join(args.dirs)}"
                 + (f" that have finished {args.episodes} episodes" if args.episodes else ""))

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    tasks = sorted(points)
    fig, axes = plt.subplots(1, len(tasks), figsize=(5.5 * len(tasks), 4), squeeze=False)
    rows = []
    for ax, task in zip(axes[0], tasks):
        for family, name in (("cem", "CEM (N samples)"), ("cem-gd", "CEM-GD (N_r samples)")):
            keys = sorted(k for k in points[task] if k[0] == family)
            if not keys:
                continue
            xs = [k[1] for k in keys]
            s = [mean_std(points[task][k]) for k in keys]
            ax.errorbar(xs, [m for m, _, _ in s], yerr=[d for _, d, _ in s], marker="o",
                        capsize=3, label=f"{name}, {max(n for _, _, n in s)} seeds")
            rows += [(task, family, x, m, d, n) for x, (m, d, n) in zip(xs, s)]
        if ("grad", 0) in points[task]:
            m, d, n = mean_std(points[task][("grad", 0)])
            ax.axhline(m, color="grey", linestyle="--", label=f"Grad ({n} seeds)")
            rows.append((task, "grad", 0, m, d, n))
        ax.set_xscale("log")
        ax.set_title(task)
        ax.set_xlabel("samples per planning step")
        ax.set_ylabel("best MPC episode return" +
                      (f",\nfirst {args.episodes} episodes incl. random ones" if args.episodes
                       else "") + "\n(mean ± std over seeds)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8, loc="lower right")  # the small-sample points sit at the left
    save_figure(fig, args.out)
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["task", "planner", "samples_per_step", "mean_best_return",
                        "std_best_return", "seeds"])
            for task, family, x, m, d, n in rows:
                w.writerow([task, family, x, f"{m:.6f}", f"{d:.6f}", n])
    print(f"{sum(len(v) for t in points.values() for v in t.values())} runs -> {args.out}")


if __name__ == "__main__":
    main()
