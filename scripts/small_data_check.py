"""Does PETS learn from a few short episodes? The first MPC episodes after a few random ones, with
the trainer's defaults ("after") and with the earlier 50 epochs, patience 5 and no update floor
("before"), against the runs' random episodes, on four
environments: cartpole (configs/bench/cartpole_swingup_quick.yaml), the reacher from files
(examples/tasks/reacher/), the Python pendulum example (examples/python/pendulum.py) and a 2-D
reaching task written here in Python (40-step episodes, 3 random ones); or any built-in task with
its configs/TASK.yaml (--envs cartpole_down,pusher,...).

    PYTHONPATH=build/python /usr/bin/python3 scripts/small_data_check.py \
        --out results/small_data [--envs cartpole,reacher,pendulum,reach2d] [--mpc 3]

Each run goes to OUT/runs/<env>/<variant>/ and resumes where it stopped when the command is run
again. returns.csv gets one row per episode (env, variant, episode, random, return) and
summary.csv one row per env and variant (the random episodes' mean, the first MPC returns), both
over every run under OUT/runs/, those of earlier calls included.
"""
import argparse
import csv
import os
import shutil
import subprocess
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The trainer as it was before the update floor: 50 epochs at most, patience 5 from the start.
BEFORE = ["trainer.max_epochs=50", "trainer.patience=5", "trainer.min_updates=0"]


class Box:
    def __init__(self, low, high, shape):
        self.low, self.high, self.shape = low, high, shape


class Reach2D:
    """A point mass pushed toward a goal in the plane. obs (x, y, vx, vy, gx, gy); action a force
    in [-1, 1]^2; 40 steps of 0.1 s; reward: minus the distance to the goal."""
    DT, LENGTH = 0.1, 40

    def __init__(self):
        self.observation_space = Box(None, None, (6,))
        self.action_space = Box([-1.0, -1.0], [1.0, 1.0], (2,))

    def reset(self, seed=None):
        g = torch.Generator().manual_seed(seed if seed is not None else 0)
        u = (2 * torch.rand(4, generator=g, dtype=torch.float64) - 1).tolist()
        self.pos, self.vel, self.goal = u[:2], [0.0, 0.0], u[2:]
        return self.pos + self.vel + self.goal, {}

    def step(self, action):
        a = [max(-1.0, min(1.0, float(x))) for x in action]
        self.vel = [0.9 * v + self.DT * 4.0 * f for v, f in zip(self.vel, a)]
        self.pos = [p + self.DT * v for p, v in zip(self.pos, self.vel)]
        obs = self.pos + self.vel + self.goal
        r = float(reach2d_reward(None, torch.tensor([a]), torch.tensor([obs]))[0])
        return obs, r, False, False, {}


def reach2d_reward(obs, action, next_obs):
    """[B, 6], [B, 2], [B, 6] -> [B]: minus the distance to the goal, minus a small action cost."""
    d = next_obs[:, 0:2] - next_obs[:, 4:6]
    return -(d.square().sum(1) + 1e-6).sqrt() - 0.01 * action.square().sum(1)


def run_mbrl(args, out, config, episodes, sets):
    """mbrl train into `out`, or --resume it (its config.yaml holds the rest)."""
    cmd = [args.mbrl, "train", "--quiet", "--set", "pets.episodes=%d" % episodes]
    if os.path.exists(os.path.join(out, "metrics.csv")):
        cmd += ["--resume", out]
    else:
        cmd += ["--config", config, "--out", out] + [x for s in sets for x in ("--set", s)]
    subprocess.run(cmd, check=True, cwd=ROOT)


# The random episodes of each environment's settings (its config's pets.seed_episodes; reach2d's
# are set here).
RANDOM_EPISODES = {"cartpole": 1, "reacher": 5, "pendulum": 2, "reach2d": 3}


def complete_episodes(out):
    """Complete episodes in out/metrics.csv (0 without one)."""
    path = os.path.join(out, "metrics.csv")
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return sum(r.get("interrupted", "0") != "1" for r in csv.DictReader(f))


def run(env_name, variant, args, out):
    """Runs (or resumes) one env's run unless it is complete (a recorded run keeps only its
    metrics.csv, config.yaml and log.txt); returns the path of its metrics.csv."""
    task_config = os.path.join("configs", env_name + ".yaml")  # a built-in task's preset
    if env_name in RANDOM_EPISODES:
        random_episodes = RANDOM_EPISODES[env_name]
    elif os.path.exists(os.path.join(ROOT, task_config)):
        import mbrl
        random_episodes = mbrl.load_config(os.path.join(ROOT, task_config))["pets.seed_episodes"]
    else:
        raise SystemExit("small_data_check.py: unknown env '%s' (valid: %s, or a task with "
                         "configs/TASK.yaml)" % (env_name, ", ".join(sorted(RANDOM_EPISODES))))
    episodes = random_episodes + args.mpc
    if complete_episodes(out) >= episodes:
        return os.path.join(out, "metrics.csv")
    sets = (BEFORE if variant == "before" else []) + args.set
    if env_name not in RANDOM_EPISODES:
        run_mbrl(args, out, task_config, episodes, sets)
    elif env_name == "cartpole":
        run_mbrl(args, out, "configs/bench/cartpole_swingup_quick.yaml", episodes, sets)
    elif env_name == "reacher":
        subprocess.run(["/usr/bin/python3", "examples/tasks/reacher/task.py"], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
        run_mbrl(args, out, "examples/tasks/reacher/config.yaml", episodes, sets)
    elif env_name == "pendulum":
        # The example as a user runs it (its own settings: 2 random episodes of 100 steps).
        cmd = [sys.executable, "examples/python/pendulum.py", "--out", out,
               "--plot", os.path.join(out, "returns.png"), "--set",
               "pets.episodes=%d" % episodes]
        if not os.path.exists(os.path.join(out, "metrics.csv")):  # a resume keeps its own
            for s in sets:
                cmd += ["--set", s]
        subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    else:  # reach2d
        import mbrl
        env = Reach2D()
        overrides = ["env.episode_length=%d" % Reach2D.LENGTH,
                     "pets.seed_episodes=%d" % RANDOM_EPISODES["reach2d"],
                     "pets.episodes=%d" % episodes, "agent.horizon=15"] + sets
        if os.path.exists(os.path.join(out, "metrics.csv")):
            mbrl.train(out=out, resume=True, overrides=["pets.episodes=%d" % episodes],
                       env=env, reward=reach2d_reward, quiet=True)
        else:
            mbrl.train(mbrl.load_config(None, overrides), out=out, env=env,
                       reward=reach2d_reward, quiet=True)
    return os.path.join(out, "metrics.csv")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True)
    parser.add_argument("--envs", default="cartpole,reacher,pendulum,reach2d")
    parser.add_argument("--mpc", type=int, default=3, help="MPC episodes after the random ones")
    parser.add_argument("--variants", default="before,after")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="for every run")
    parser.add_argument("--mbrl", default=os.path.join(ROOT, "build", "mbrl"))
    args = parser.parse_args()
    for env_name in args.envs.split(","):
        for variant in args.variants.split(","):
            out = os.path.abspath(os.path.join(args.out, "runs", env_name, variant))
            print("small_data_check: %s, %s -> %s" % (env_name, variant, out), flush=True)
            run(env_name, variant, args, out)
            # A finished run is recorded by its metrics, config and log; what only a resume
            # needs goes (a complete run is never resumed).
            for name in ("checkpoint", "model.pt", "replay_buffer.bin", ".lock"):
                path = os.path.join(out, name)
                if os.path.isdir(path):
                    shutil.rmtree(path)
                elif os.path.exists(path):
                    os.remove(path)
    rows, summary = [], []
    runs = os.path.join(args.out, "runs")
    for env_name in sorted(os.listdir(runs)):
        for variant in ("before", "after"):
            path = os.path.join(runs, env_name, variant, "metrics.csv")
            if not os.path.exists(path):
                continue
            with open(path) as f:
                metrics = [r for r in csv.DictReader(f) if r.get("interrupted", "0") != "1"]
            if sum(r["random"] == "0" for r in metrics) < args.mpc:
                continue  # not finished yet
            for r in metrics:
                rows.append([env_name, variant, r["episode"], r["random"], r["return"]])
            rand = [float(r["return"]) for r in metrics if r["random"] == "1"]
            mpc = [float(r["return"]) for r in metrics if r["random"] == "0"][:args.mpc]
            mean = sum(rand) / len(rand)
            summary.append([env_name, variant, "%.2f" % mean, len(rand)] +
                           ["%.2f" % x for x in mpc] + [""] * (args.mpc - len(mpc)))
            print("  %s, %s: random mean %.2f (%d), first MPC %s"
                  % (env_name, variant, mean, len(rand), mpc), flush=True)
    with open(os.path.join(args.out, "returns.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["env", "variant", "episode", "random", "return"])
        w.writerows(rows)
    with open(os.path.join(args.out, "summary.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["env", "variant", "random_mean", "random_episodes"] +
                   ["mpc_%d" % (i + 1) for i in range(args.mpc)])
        w.writerows(summary)
    print("small_data_check: %s/summary.csv" % args.out)


if __name__ == "__main__":
    main()
