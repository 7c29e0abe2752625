"""PETS on an environment written in Python: a pendulum swing-up in torch, with Gymnasium's
interface (Gymnasium itself is not needed), trained by mbrl's C++ loop, its returns plotted with
matplotlib, then its agent acting in a Python loop.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/pendulum.py --out runs/pendulum \
        [--set pets.episodes=10 ...] [--plot returns.png]

Ctrl-C stops after the current step with the partial episode saved; the same command resumes.
"""
import argparse
import csv
import math
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import torch  # noqa: E402

import mbrl  # noqa: E402

DT, G, MAX_TORQUE = 0.05, 10.0, 2.0


class Box:
    def __init__(self, low, high, shape):
        self.low, self.high, self.shape = low, high, shape


class Pendulum:
    """obs (cos θ, sin θ, θ̇) with θ = 0 upright; action: a torque in [-2, 2]."""

    def __init__(self):
        self.observation_space = Box(None, None, (3,))
        self.action_space = Box([-MAX_TORQUE], [MAX_TORQUE], (1,))

    def _obs(self):
        return [math.cos(self.theta), math.sin(self.theta), self.theta_dot]

    def reset(self, seed=None):
        g = torch.Generator().manual_seed(seed if seed is not None else 0)
        self.theta = math.pi + 0.2 * (float(torch.rand(1, generator=g)) - 0.5)  # hanging down
        self.theta_dot = 0.0
        return self._obs(), {}

    def step(self, action):
        u = float(action[0])
        self.theta_dot += DT * (3 * G / 2 * math.sin(self.theta) + 3.0 * u)
        self.theta_dot = max(-8.0, min(8.0, self.theta_dot))
        self.theta += DT * self.theta_dot
        obs = self._obs()
        return obs, float(reward(torch.zeros(1, 3), torch.tensor([[u]]), torch.tensor([obs]))[0]), \
            False, False, {}


def reward(obs, action, next_obs):
    """[B, 3], [B, 1], [B, 3] -> [B]: upright and still is best (0)."""
    theta = torch.atan2(next_obs[:, 1], next_obs[:, 0])
    return -(theta.square() + 0.1 * next_obs[:, 2].square() + 0.001 * action[:, 0].square())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("--out", required=True)
    parser.add_argument("--plot", default=None, help="the PNG (default: OUT/returns.png)")
    args = parser.parse_args()
    env = Pendulum()
    settings = ["env.episode_length=100", "pets.episodes=8", "pets.seed_episodes=2",
                "agent.horizon=15", "planner.population=200", "model.hidden_size=100"]
    if os.path.exists(os.path.join(args.out, "metrics.csv")):
        run = mbrl.train(out=args.out, resume=True, overrides=args.set, env=env, reward=reward)
    else:
        config = mbrl.load_config(None, settings + args.set)
        run = mbrl.train(config, out=args.out, env=env, reward=reward)

    with open(os.path.join(run.path, "metrics.csv")) as f:
        rows = list(csv.DictReader(f))
    plt.figure(figsize=(5, 3))
    plt.plot([int(r["episode"]) for r in rows], [float(r["return"]) for r in rows], "o-")
    plt.xlabel("episode (the first %d random)" % sum(r["random"] == "1" for r in rows))
    plt.ylabel("return")
    plt.title("PETS on a pendulum written in Python")
    plt.tight_layout()
    plot = args.plot or os.path.join(run.path, "returns.png")
    plt.savefig(plot, dpi=100)
    print("plot:", plot)

    agent = run.agent(env=env, reward=reward)
    obs, _ = env.reset(seed=123)
    agent.reset()
    total = 0.0
    for _ in range(agent.episode_length):
        obs, r, _, _, _ = env.step(agent.act(obs).tolist())
        total += r
    print("an episode acted from Python: return %.1f" % total)


if __name__ == "__main__":
    main()
