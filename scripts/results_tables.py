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

--check also reads results/README.md and fails on a path it lists (in backquotes, under
results/) that does not exist, and checks the learning checks' thresholds
(configs/paper/learn_checks.csv) against the random episodes they come from.
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


def fig3_table(source, random=None):
    if not os.path.exists(os.path.join(ROOT, source)):
        return ["| planner | seeds | MPC episodes |", "|---|---:|---:|", "| (none finished yet) | 0 | 0 |"]
    runs = runs_from(source, random)
    out = ["| planner | seeds | MPC episodes | final episode | mean of the last 2 | best MPC episode |",
           "|---|---:|---:|---:|---:|---:|"]
    for label in sorted(runs):
        mpc = {s: [x for _, x, rnd in sorted(eps) if not rnd] for s, eps in runs[label].items()}
        n = min(len(v) for v in mpc.values())
        mpc = {s: v[:n] for s, v in mpc.items()}
        out.append(f"| {label} | {len(mpc)} | {n} | {pm([v[-1] for v in mpc.values()])} | "
                   f"{pm([sum(v[-2:]) / len(v[-2:]) for v in mpc.values()])} | "
                   f"{pm([max(v) for v in mpc.values()])} |")
    return out


def random_table(*args):
    out = ["| task | random episodes | return |", "|---|---:|---:|"]
    args = list(args)
    while args:
        source = args.pop(0)
        random = args.pop(0)[len("random="):] if args and args[0].startswith("random=") else None
        episodes = {}
        for label, seeds in runs_from(source, random).items():
            for seed, eps in seeds.items():
                for e, x, rnd in eps:
                    if rnd:
                        episodes[(seed, e)] = x
        task = source.rstrip("/").split("/")[2]
        out.append(f"| {task} | {len(episodes)} | {pm(list(episodes.values()))} |")
    return out


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
         "best": best_table, "toy": toy_table}


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
        episodes = {}
        for seeds in runs_from(source, random or None).values():
            for seed, eps in seeds.items():
                episodes.update({(seed, e): x for e, x, rnd in eps if rnd})
        m, s = mean_std(list(episodes.values()))
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--check", action="store_true")
    group.add_argument("--write", action="store_true")
    parser.add_argument("--root", default=ROOT, help="the repository (default: this script's)")
    args = parser.parse_args()
    set_root(args.root)
    problems = index_problems() + threshold_problems() if args.check else []
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
