#!/usr/bin/env python3
"""Did the pusher agent push? Its return split into what it spent on actions and what the task's
state terms gave, and where the object ended (docs/reproduction.md, "What the runs showed").

Pusher's reward per step is -(0.5 |tip - obj|_1 + 1.25 |goal - obj|_1 + 0.1 sum a^2)
(../shared/specs/tasks.md); its observation holds the tip at [14:17] and the object at [17:20], and
the goal is fixed at (0.45, -0.05, -0.323). For each run directory and episode this prints the
return, the action cost (0.1 sum a^2 over the episode), the state part (return + action cost), the
smallest tip-object distance reached and the object-goal distance at the start and the end. An
agent that learned to push ends with the object nearer the goal than it started; one that only
learned to spend less on actions shows a smaller action cost and an unchanged state part.

    /usr/bin/python3 results/fig3/analysis/pusher_progress.py runs/paper/fig3/pusher/*/seed_0
"""
import argparse
import csv
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "scripts"))
from action_stats import task_episodes  # noqa: E402

GOAL = np.array([0.45, -0.05, -0.323])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", help="pusher run directories")
    parser.add_argument("--csv", help="also write the rows here")
    parser.add_argument("--mpc-only", action="store_true", help="leave random episodes out")
    args = parser.parse_args()
    header = ["run", "episode", "kind", "return", "action_cost", "state_part", "min_tip_obj",
              "obj_goal_start", "obj_goal_end"]
    rows = []
    for run, (obs, actions, rewards, next_obs), m, kind, s in task_episodes(
            args.runs, 20, "pusher", args.mpc_only):
        ret = float(rewards[s].sum())
        action_cost = float(0.1 * (actions[s].astype(np.float64) ** 2).sum())
        tip, obj = next_obs[s, 14:17], next_obs[s, 17:20]
        rows.append([run, int(m["episode"]), kind, ret, action_cost, ret + action_cost,
                     float(np.abs(tip - obj).sum(1).min()),
                     float(np.abs(obs[s][0, 17:20] - GOAL).sum()),
                     float(np.abs(obj[-1] - GOAL).sum())])
    print(f"{'run':<44} {'ep':>3} {'kind':<6} {'return':>8} {'actions':>8} {'state':>8} "
          f"{'min tip-obj':>11} {'obj-goal start':>14} {'end':>6}")
    for r in rows:
        print(f"{r[0]:<44} {r[1]:>3} {r[2]:<6} {r[3]:>8.1f} {r[4]:>8.1f} {r[5]:>8.1f} "
              f"{r[6]:>11.3f} {r[7]:>14.3f} {r[8]:>6.3f}")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            for r in rows:
                w.writerow([r[0], r[1], r[2]] + [f"{v:.4f}" for v in r[3:]])


if __name__ == "__main__":
    main()
