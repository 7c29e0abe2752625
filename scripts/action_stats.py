#!/usr/bin/env python3
"""What a run's agent did, episode by episode, from its replay buffer: how hard it pushed its
actions. A planner that drives its actions into the bounds shows here long before it shows in a
plot of returns.

    /usr/bin/python3 scripts/action_stats.py RUN_DIR... [--bound B] [--mbrl build/mbrl]
        [--csv FILE.csv]

For each run directory (its replay_buffer.bin, metrics.csv and config.yaml) and each episode:
the return, mean (a / bound)^2 over steps and action dimensions (1/3 for actions uniform in the
bounds, 1 for bang-bang) and the fraction of action components within 3% of a bound. The bound
is the task's (symmetric) action bound, read from `mbrl tasks`, or --bound. Episodes are split by
metrics.csv's step counts, so early terminations and an interrupted last episode are counted right.
"""
import argparse
import csv
import os
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from plot_runs import read_config  # noqa: E402

MAGIC = b"MBRLBUF1"


def read_buffer(path):
    """(obs [N, O], actions [N, A], rewards [N], next_obs [N, O]) of an mbrl replay buffer file
    (src/data/replay_buffer.cc)."""
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:8] != MAGIC:
        sys.exit(f"error: {path}: not an mbrl replay buffer (bad header)")
    obs_dim, act_dim = (int(x) for x in np.frombuffer(raw, np.int32, 2, 8))
    n = int(np.frombuffer(raw, np.int64, 1, 16)[0])
    need = 24 + 4 * n * (2 * obs_dim + act_dim + 1) + n
    if len(raw) < need:
        sys.exit(f"error: {path}: truncated ({len(raw)} bytes, expected {need})")
    offset = 24
    obs = np.frombuffer(raw, np.float32, n * obs_dim, offset).reshape(n, obs_dim)
    offset += 4 * n * obs_dim
    actions = np.frombuffer(raw, np.float32, n * act_dim, offset).reshape(n, act_dim)
    offset += 4 * n * act_dim
    rewards = np.frombuffer(raw, np.float32, n, offset)
    offset += 4 * n
    next_obs = np.frombuffer(raw, np.float32, n * obs_dim, offset).reshape(n, obs_dim)
    return obs, actions, rewards, next_obs


def task_bounds(mbrl):
    """{task: symmetric action bound} from `mbrl tasks` ('[-3, 3]' in its last column)."""
    try:
        out = subprocess.run([mbrl, "tasks"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"error: cannot run '{mbrl} tasks' to read the action bounds ({e}); "
                 "build mbrl or pass --bound")
    bounds = {}
    for line in out.splitlines()[1:]:
        if "[" in line:
            name = line.split()[0]
            high = line[line.index("[") + 1:line.index("]")].split(",")[1]
            bounds[name] = float(high)
    return bounds


def read_episodes(run_dir):
    """The transitions of a run directory (replay_buffer.bin with metrics.csv) or of an `mbrl eval`
    output directory (transitions.bin with eval.csv, every episode an MPC one):
    ((obs, actions, rewards, next_obs), [(row, kind, steps slice)]), one entry per episode whose
    steps are all in the buffer (a buffer saved during an episode lacks the later ones)."""
    is_eval = not os.path.exists(os.path.join(run_dir, "replay_buffer.bin"))
    buffer = "transitions.bin" if is_eval else "replay_buffer.bin"
    if not os.path.exists(os.path.join(run_dir, buffer)):
        sys.exit(f"error: {run_dir}: neither replay_buffer.bin (a run) nor transitions.bin "
                 "(mbrl eval)")
    arrays = read_buffer(os.path.join(run_dir, buffer))
    with open(os.path.join(run_dir, "eval.csv" if is_eval else "metrics.csv")) as f:
        metrics = list(csv.DictReader(f))
    episodes, start = [], 0
    for m in metrics:
        steps = int(m["steps"])
        if start + steps > len(arrays[2]):
            break  # the buffer was saved before this episode (a run still going)
        kind = "random" if m.get("random") == "1" else "mpc"
        episodes.append((m, kind, slice(start, start + steps)))
        start += steps
    return arrays, episodes


def task_episodes(runs, obs_dim, task, mpc_only=False):
    """read_episodes over several run (or eval) directories of one task, exiting with an error
    when a directory's observations are not the task's `obs_dim` values: yields
    (run, (obs, actions, rewards, next_obs), metrics row, kind, steps slice) per episode,
    random episodes left out with `mpc_only`."""
    for run in runs:
        arrays, episodes = read_episodes(run)
        if arrays[0].shape[1] != obs_dim:
            sys.exit(f"error: {run}: observations of {arrays[0].shape[1]} values, not {task}'s "
                     f"{obs_dim}")
        for m, kind, s in episodes:
            if not (mpc_only and kind == "random"):
                yield run, arrays, m, kind, s


def episode_rows(run_dir, bound):
    (_, actions, rewards, _), episodes = read_episodes(run_dir)
    rows = []
    for m, kind, s in episodes:
        a = actions[s] / bound
        rows.append({
            "episode": int(m["episode"]),
            "kind": kind,
            "steps": s.stop - s.start,
            "return": float(rewards[s].sum()),
            "mean_sq_action": float(np.mean(a ** 2)),
            "at_bound": float(np.mean(np.abs(a) >= 0.97)),
            "interrupted": m.get("interrupted", "0") == "1",
        })
    return rows


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("runs", nargs="+", help="run directories")
    p.add_argument("--bound", type=float, help="the action bound (default: the task's)")
    p.add_argument("--mbrl", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "..", "build", "mbrl"))
    p.add_argument("--csv", help="also write every row here")
    args = p.parse_args()
    bounds = None if args.bound else task_bounds(args.mbrl)
    table = []
    for run in args.runs:
        for name in ("replay_buffer.bin", "metrics.csv", "config.yaml"):
            if not os.path.isfile(os.path.join(run, name)):
                sys.exit(f"error: {run}: no {name} (not a run directory, or pets.save_buffer off)")
        task = read_config(os.path.join(run, "config.yaml")).get("task", "")
        bound = args.bound or bounds.get(task)
        if not bound:
            sys.exit(f"error: {run}: unknown task '{task}'; pass --bound")
        print(f"{run} ({task}, bound {bound:g})")
        print("  episode  kind    steps    return  mean (a/bound)^2  at bound")
        for r in episode_rows(run, bound):
            note = "  (interrupted)" if r["interrupted"] else ""
            print(f"  {r['episode']:7d}  {r['kind']:6s} {r['steps']:6d} {r['return']:9.2f}"
                  f"  {r['mean_sq_action']:16.2f}  {r['at_bound']:8.2f}{note}")
            table.append({"run": run, "task": task, **r})
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(table[0].keys()) if table else ["run"])
            w.writeheader()
            w.writerows(table)


if __name__ == "__main__":
    main()
