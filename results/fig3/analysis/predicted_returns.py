#!/usr/bin/env python3
"""What the planner expected against what it got (docs/reproduction.md, "What the runs showed").

For each run directory, per MPC episode: the return the environment gave, the same scaled to one
planning horizon (return x H / episode steps, the order a sane 45-step prediction should have), and
the model's predicted return of the plan the planner chose, averaged over the episode's steps
(metrics.csv's plan_best_return for CEM, plan_return_after_refine for CEM-GD and Grad). A
prediction many orders of magnitude off means the model's 45-step rollouts diverge and the
planner is choosing among diverging rollouts.

    /usr/bin/python3 results/fig3/analysis/predicted_returns.py runs/paper/fig3/pusher/*/seed_*
"""
import argparse
import csv
import os
import sys

PREDICTED = ("plan_best_return", "plan_return_after_refine")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="run directories (each with metrics.csv)")
    parser.add_argument("--horizon", type=int, default=45, help="planning horizon (default 45)")
    args = parser.parse_args()
    print(f"{'run':<48} {'ep':>3} {'return':>10} {'per H':>9} {'predicted':>11}")
    for run in args.runs:
        path = os.path.join(run, "metrics.csv")
        if not os.path.exists(path):
            sys.exit(f"predicted_returns.py: {run} has no metrics.csv")
        with open(path) as f:
            rows = list(csv.DictReader(f))
        column = next((c for c in PREDICTED if rows and c in rows[0]), None)
        for row in rows:
            if row["random"] == "1":
                continue
            ret, steps = float(row["return"]), int(row["steps"])
            per_h = ret * args.horizon / max(steps, 1)
            pred = float(row[column]) if column else float("nan")
            print(f"{run:<48} {row['episode']:>3} {ret:>10.1f} {per_h:>9.1f} {pred:>11.3g}")


if __name__ == "__main__":
    main()
