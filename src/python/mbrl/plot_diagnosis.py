#!/usr/bin/env python3
"""Plots of `mbrl diagnose`'s CSV files, one PNG each, readable without the text. `mbrl diagnose`
and Run.diagnose draw them; by hand (needs only matplotlib, not mbrl's module):

    /usr/bin/python3 src/python/mbrl/plot_diagnosis.py DIR   (DIR: RUN/diagnosis or --out)

error.png: the normalised open-loop error against the steps ahead, the ensemble's mean rollout and
each member, one panel per episode. calibration.png: the share of real observations within the
predicted 1σ and 2σ against the steps ahead (68 % and 95 % dashed) and the negative
log-likelihood. disagreement.png: the rank correlation between the members' spread and the mean
rollout's error. optimism.png: each plan's predicted return against the real return of the same
steps, per episode, with the line where they are equal.
"""
import csv
import os
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def by_episode(rows):
    out = defaultdict(list)
    for r in rows:
        out[int(r["episode"])].append(r)
    return dict(sorted(out.items()))


def panels(n):
    cols = min(n, 3)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.8 * cols, 3.8 * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    return fig, list(axes.flat[:n])


def save(fig, path):
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(f"wrote {path}")


def plot_error(out):
    episodes = by_episode(read(os.path.join(out, "error.csv")))
    fig, axes = panels(len(episodes))
    for ax, (ep, rows) in zip(axes, episodes.items()):
        lines = defaultdict(list)
        for r in rows:
            lines[r["rollout"]].append((int(r["step"]), float(r["error"])))
        for name, pts in sorted(lines.items()):
            xs, ys = zip(*sorted(pts))
            if name == "mean":
                ax.plot(xs, ys, color="black", lw=2, label="ensemble mean rollout")
            else:
                ax.plot(xs, ys, lw=0.8, alpha=0.6,
                        label="each member on its own" if name == "member_0" else None)
        ax.set_title(f"episode {ep}: open-loop error along the real actions", fontsize=9)
        ax.set_xlabel("steps ahead of the real state")
        ax.set_ylabel("RMS error (per-dimension std units)")
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    save(fig, os.path.join(out, "error.png"))


def plot_calibration(out):
    episodes = by_episode([r for r in read(os.path.join(out, "calibration.csv"))
                           if r["dim"] == "all"])
    fig, axes = panels(len(episodes))
    for ax, (ep, rows) in zip(axes, episodes.items()):
        steps = [int(r["step"]) for r in rows]
        ax.plot(steps, [float(r["within_1sigma"]) for r in rows], color="tab:blue",
                label="within 1σ")
        ax.plot(steps, [float(r["within_2sigma"]) for r in rows], color="tab:orange",
                label="within 2σ")
        ax.axhline(0.6827, color="tab:blue", ls="--", lw=0.8, label="68 % (calibrated)")
        ax.axhline(0.9545, color="tab:orange", ls="--", lw=0.8, label="95 % (calibrated)")
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("steps ahead of the real state")
        ax.set_ylabel("share of real observations")
        ax.set_title(f"episode {ep}: calibration of the predicted spread", fontsize=9)
        ax.grid(alpha=0.3)
        nll = ax.twinx()
        nll.plot(steps, [float(r["nll"]) for r in rows], color="grey", lw=0.8, ls=":")
        nll.set_ylabel("NLL per dimension (dotted)", color="grey")
        ax.legend(fontsize=7, loc="lower left")
    save(fig, os.path.join(out, "calibration.png"))


def plot_disagreement(out):
    episodes = by_episode(read(os.path.join(out, "disagreement.csv")))
    fig, ax = plt.subplots(figsize=(6, 4))
    for ep, rows in episodes.items():
        ax.plot([int(r["step"]) for r in rows], [float(r["spearman"]) for r in rows],
                marker=".", label=f"episode {ep}")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylim(-1, 1)
    ax.set_xlabel("steps ahead of the real state")
    ax.set_ylabel("rank correlation over start states")
    ax.set_title("Does the members' spread rank where the mean rollout is wrong?\n"
                 "(1: perfectly, 0: not at all)", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    save(fig, os.path.join(out, "disagreement.png"))


def plot_optimism(out):
    episodes = by_episode(read(os.path.join(out, "optimism.csv")))
    fig, ax = plt.subplots(figsize=(5.5, 5))
    lo, hi = float("inf"), float("-inf")
    for ep, rows in episodes.items():
        real = [float(r["real_return"]) for r in rows]
        pred = [float(r["predicted_return"]) for r in rows]
        ax.scatter(real, pred, s=8, alpha=0.6, label=f"episode {ep}")
        lo, hi = min(lo, *real, *pred), max(hi, *real, *pred)
    if episodes:
        ax.plot([lo, hi], [lo, hi], color="black", lw=0.8, label="predicted = real")
    ax.set_xlabel("real return of the next H steps (under MPC)")
    ax.set_ylabel("predicted return of the plan")
    ax.set_title("The planner's optimism: points above the line\nexpected more than the real "
                 "system gave", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    save(fig, os.path.join(out, "optimism.png"))


def draw(out):
    """Writes the four PNG files beside the CSV files in `out`."""
    for name in ("error", "calibration", "disagreement", "optimism"):
        if not os.path.exists(os.path.join(out, name + ".csv")):
            sys.exit(f"plot_diagnosis.py: {out}/{name}.csv not found; run `mbrl diagnose RUN` first")
    plot_error(out)
    plot_calibration(out)
    plot_disagreement(out)
    plot_optimism(out)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: plot_diagnosis.py DIR (RUN/diagnosis, or mbrl diagnose's --out)")
    draw(sys.argv[1])


if __name__ == "__main__":
    main()
