"""Train PETS from Python, plot its returns with matplotlib, then act with its agent.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/train_and_plot.py --out runs/py_cartpole \
        [--config configs/cartpole_swingup.yaml] [--set pets.episodes=5 ...] [--plot returns.png]

Ctrl-C stops after the current step with the partial episode saved; the same command resumes.
"""
import argparse
import csv
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import mbrl  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", default=None)
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out", required=True)
    parser.add_argument("--plot", default=None, help="the PNG (default: OUT/returns.png)")
    args = parser.parse_args()
    resume = os.path.exists(os.path.join(args.out, "metrics.csv"))
    if resume:
        run = mbrl.train(out=args.out, resume=True, overrides=args.set)
    else:
        run = mbrl.train(mbrl.load_config(args.config, args.set), out=args.out)

    with open(os.path.join(run.path, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    episodes = [int(r["episode"]) for r in rows]
    returns = [float(r["return"]) for r in rows]
    colours = ["grey" if r["random"] == "1" else "tab:blue" for r in rows]
    plt.figure(figsize=(5, 3))
    plt.plot(episodes, returns, color="tab:blue", alpha=0.4)
    plt.scatter(episodes, returns, c=colours)
    plt.xlabel("episode (grey: random actions)")
    plt.ylabel("return")
    plt.title(f"{run.config.task}, {run.config.planner.type}")
    plt.tight_layout()
    plot = args.plot or os.path.join(run.path, "returns.png")
    plt.savefig(plot, dpi=100)
    print("plot:", plot)

    agent = run.agent()
    agent.reset()
    obs = [0.0] * agent.obs_dim
    print("the agent's first action from", obs, "->", agent.act(obs).tolist())


if __name__ == "__main__":
    main()
