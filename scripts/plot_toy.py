#!/usr/bin/python3
"""Plot the toy-barrier study written by `mbrl toy` (CEM-GD paper, Figure 2).

Usage: /usr/bin/python3 scripts/plot_toy.py [DIR]   (DIR defaults to results/toy_barrier)
Reads DIR/success.csv, DIR/paths.csv, DIR/trials.csv and DIR/task.csv (the barrier as the study
ran it) and writes DIR/toy_barrier.png, as the paper's Figure 2: (a) an episode passing above at
the smallest example N_init, (b) one passing below at the largest (executed path, and the first
plan before and after gradient refinement), (c) the fraction of episodes passing below the
barrier against N_init. It also prints, per N_init, which side the first plan passes before and
after its gradient refinement.
"""
import csv
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402



def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def print_sides(trials):
    """Per N_init, where the t = 0 plan passes the barrier before and after refinement (below,
    above, or short: it ends before the barrier's x), how often refinement changed a side the
    samples had set, and where the executed episodes passed."""
    print("N_init | initial plan below/above/short | refined below/above/short | "
          "side changed by refinement | executed below")
    for n in sorted({int(t["n_init"]) for t in trials}):
        sel = [t for t in trials if int(t["n_init"]) == n]
        count = lambda key, side: sum(t[key] == side for t in sel)  # noqa: E731
        sided = [t for t in sel if t["first_plan_initial_side"] in ("0", "1")]
        changed = sum(t["first_plan_refined_side"] != t["first_plan_initial_side"] for t in sided)
        init = "/".join(str(count("first_plan_initial_side", v)) for v in ("1", "0", "-1"))
        refined = "/".join(str(count("first_plan_refined_side", v)) for v in ("1", "0", "-1"))
        print(f"{n} | {init} | {refined} | {changed} of {len(sided)} | "
              f"{count('below', '1')} of {len(sel)}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "results/toy_barrier"
    files = {name: os.path.join(out, name + ".csv") for name in ("success", "paths", "task", "trials")}
    for f in files.values():
        if not os.path.exists(f):
            sys.exit(f"plot_toy.py: {f} not found; run `build/mbrl toy --out {out}` first")
    rows = read(files["success"])
    points = read(files["paths"])
    task = {k: float(v) for k, v in read(files["task"])[0].items()}
    START, GOAL = (task["start_x"], task["start_y"]), (task["goal_x"], task["goal_y"])
    CENTRE, RADIUS = (task["centre_x"], task["centre_y"]), task["radius"]
    if "bound" not in task:
        sys.exit(f"plot_toy.py: {files['task']} has no 'bound' column; rerun `build/mbrl toy`")
    # The push strength * (1 - d / r)^2 outweighs an action at its bound where d < BLOCKS.
    BLOCKS = RADIUS * (1 - math.sqrt(task["bound"] / task["strength"]))
    print_sides(read(files["trials"]))

    # (a) passing above at the smallest example N_init, (b) passing below at the largest.
    panels = []
    for kind, pick in (("failed", min), ("success", max)):
        ns = [int(p["n_init"]) for p in points if p["kind"] == kind]
        if ns:
            n = pick(ns)
            panels.append((kind, n, [p for p in points if p["kind"] == kind and int(p["n_init"]) == n]))
    fig, axes = plt.subplots(1, len(panels) + 1, figsize=(5 * (len(panels) + 1), 4.2))
    styles = {
        "first_plan_initial": ("tab:red", "--", "initial plan (sampled)"),
        "first_plan_refined": ("tab:blue", "-", "plan after gradient refinement"),
        "executed": ("black", ":", "executed (MPC)"),
    }
    for ax, (kind, n_init, sel), letter in zip(axes, panels, "ab"):
        ax.add_patch(plt.Circle(CENTRE, RADIUS, color="tab:gray", alpha=0.2,
                                label="barrier's reach (push > 0)"))
        ax.add_patch(plt.Circle(CENTRE, BLOCKS, color="tab:gray", alpha=0.45,
                                label="push > largest action"))
        ax.plot(*CENTRE, "+", color="tab:gray")
        for stage, (color, ls, label) in styles.items():
            xs = [float(p["x"]) for p in sel if p["stage"] == stage]
            ys = [float(p["y"]) for p in sel if p["stage"] == stage]
            ax.plot(xs, ys, color=color, ls=ls, marker=".", ms=3, label=label)
        ax.plot(*START, "go", label="start")
        ax.plot(*GOAL, "r*", ms=12, label="goal")
        where = "passes above (local optimum)" if kind == "failed" else "passes below (global optimum)"
        ax.set_title(f"({letter}) N_init = {n_init}: {where}", fontsize=10)
        ax.set_aspect("equal")
        ax.set_xlim(-2.6, 2.6)
        ax.set_ylim(-2.0, 2.0)
        ax.legend(fontsize=7, loc="lower right" if kind == "failed" else "upper left")
    ax = axes[-1]
    n = [int(r["n_init"]) for r in rows]
    frac = [float(r["fraction_below"]) for r in rows]
    ax.plot(n, frac, "o-", color="tab:blue")
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("N_init (samples at t = 0)")
    ax.set_ylabel("fraction of episodes passing below")
    ax.set_title(f"(c) CEM-GD, N_r = {rows[0]['n_r']}, {rows[0]['trials']} episodes each", fontsize=10)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    png = os.path.join(out, "toy_barrier.png")
    fig.savefig(png, dpi=120)
    print(f"wrote {png}")


if __name__ == "__main__":
    main()
