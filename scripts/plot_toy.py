#!/usr/bin/python3
"""Plot the toy-barrier study written by `mbrl toy` (CEM-GD paper, Figure 2).

Usage: /usr/bin/python3 scripts/plot_toy.py [DIR]   (DIR defaults to results/toy_barrier)
Reads DIR/success.csv and DIR/paths.csv and writes DIR/toy_barrier.png: left, one failed and one
successful episode (executed path, and the first plan before and after gradient refinement);
right, the fraction of episodes passing below the barrier against N_init.
"""
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# Must match include/mbrl/env/toy_barrier.h.
START, GOAL, CENTRE, RADIUS = (-1.3, 0.0), (1.3, 0.0), (0.0, 0.15), 1.0


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "results/toy_barrier"
    success_csv = os.path.join(out, "success.csv")
    paths_csv = os.path.join(out, "paths.csv")
    for f in (success_csv, paths_csv):
        if not os.path.exists(f):
            sys.exit(f"plot_toy.py: {f} not found; run `build/mbrl toy --out {out}` first")
    with open(success_csv) as f:
        rows = list(csv.DictReader(f))
    with open(paths_csv) as f:
        points = list(csv.DictReader(f))

    kinds = [k for k in ("failed", "success") if any(p["kind"] == k for p in points)]
    fig, axes = plt.subplots(1, len(kinds) + 1, figsize=(5 * (len(kinds) + 1), 4.2))
    styles = {
        "first_plan_initial": ("tab:red", "--", "initial plan (sampled)"),
        "first_plan_refined": ("tab:blue", "-", "plan after gradient refinement"),
        "executed": ("black", ":", "executed (MPC)"),
    }
    for ax, kind in zip(axes, kinds):
        sel = [p for p in points if p["kind"] == kind]
        ax.add_patch(plt.Circle(CENTRE, RADIUS, color="tab:gray", alpha=0.35, label="barrier"))
        for stage, (color, ls, label) in styles.items():
            xs = [float(p["x"]) for p in sel if p["stage"] == stage]
            ys = [float(p["y"]) for p in sel if p["stage"] == stage]
            ax.plot(xs, ys, color=color, ls=ls, marker=".", ms=3, label=label)
        ax.plot(*START, "go", label="start")
        ax.plot(*GOAL, "r*", ms=12, label="goal")
        n_init = sel[0]["n_init"] if sel else "?"
        ax.set_title(f"{'passes above (local optimum)' if kind == 'failed' else 'passes below (global optimum)'}, N_init = {n_init}")
        ax.set_aspect("equal")
        ax.set_xlim(-2.6, 2.6)
        ax.set_ylim(-2.0, 2.0)
        ax.legend(fontsize=7, loc="lower left")
    ax = axes[-1]
    n = [int(r["n_init"]) for r in rows]
    frac = [float(r["fraction_below"]) for r in rows]
    ax.plot(n, frac, "o-", color="tab:blue")
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("N_init (samples at t = 0)")
    ax.set_ylabel("fraction of episodes passing below")
    ax.set_title(f"CEM-GD, N_r = {rows[0]['n_r']}, {rows[0]['trials']} trials each")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    png = os.path.join(out, "toy_barrier.png")
    fig.savefig(png, dpi=120)
    print(f"wrote {png}")


if __name__ == "__main__":
    main()
