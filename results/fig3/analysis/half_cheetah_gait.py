#!/usr/bin/env python3
"""How did each half-cheetah agent move? Per episode: the return split into forward progress and
action cost, the torso's pitch, and how much of the episode the cheetah spent flipped onto its
back (docs/reproduction.md, "What the runs showed").

Half-cheetah's reward per step is x_velocity - 0.1 sum a^2 (../shared/specs/tasks.md); its
observation is [x_velocity, qpos[1:], qvel], so obs[2] is the torso's pitch (rooty, radians, 0
upright). A cheetah with |pitch| > pi/2 lies on its back: it can still move forward by kicking,
the classic half-cheetah local optimum, and cannot easily get back up. For each run directory and
episode this prints the return, the forward part (sum of x-velocities), the action cost, the
fraction of actions at the bounds (|a| > 0.95), the largest |pitch| and the fraction of steps
flipped.

    /usr/bin/python3 results/fig3/analysis/half_cheetah_gait.py runs/paper/fig3/half_cheetah/*/seed_* --mpc-only
"""
import argparse
import csv
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                                "scripts"))
from action_stats import task_episodes  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+",
                        help="half-cheetah run directories or `mbrl eval --out` directories")
    parser.add_argument("--csv", help="also write the rows here")
    parser.add_argument("--mpc-only", action="store_true", help="leave random episodes out")
    args = parser.parse_args()
    header = ["run", "episode", "kind", "return", "forward", "action_cost", "at_bounds",
              "max_abs_pitch", "flipped_fraction"]
    rows = []
    for run, (_, actions, rewards, next_obs), m, kind, s in task_episodes(
            args.runs, 18, "half-cheetah", args.mpc_only):
        a = actions[s].astype(np.float64)
        pitch = np.abs(next_obs[s, 2].astype(np.float64))
        rows.append([run, int(m["episode"]), kind, float(rewards[s].sum()),
                     float(next_obs[s, 0].sum()), float(0.1 * (a ** 2).sum()),
                     float((np.abs(a) > 0.95).mean()), float(pitch.max()),
                     float((pitch > np.pi / 2).mean())])
    print("\t".join(header))
    for r in rows:
        print("\t".join([r[0], str(r[1]), r[2]] + [f"{v:.3f}" for v in r[3:]]))
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(rows)


if __name__ == "__main__":
    main()
