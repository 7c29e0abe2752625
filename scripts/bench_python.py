"""What crossing between Python and mbrl's C++ costs: per objective call, and per agent.act.

    PYTHONPATH=build/python /usr/bin/python3 scripts/bench_python.py [--out results/bench/python]

objective.csv: a CEM plan calls a Python objective once per iteration; mbrl times each call from
C++ (taking the GIL, the call, the result's cast: planner.last_stats["objective_ms"]) and the
objective times its own body from Python; the difference per call is the crossing.
act.csv: agent.act on a small trained cartpole run, timed around the call in Python, against the
planning time the C++ agent measures inside the same call (agent.last_plan_ms).
env.csv: random-action episodes of the PETS loop on a trivial Python environment: the episode's
time per step beyond the environment's own step body (an upper bound on crossing per step: it
also holds the loop's own per-step work).
make_env.csv: random-action steps of mbrl.make_env(task) from Python (NumPy actions in, NumPy
observations out, reset at each episode's end) against the same steps in C++
(`mbrl tasks --speed N`, the env alone); the difference per step is the crossing.
Medians of repeated runs on one thread; the ratios hold on any machine, the times on this one.
"""
import argparse
import csv
import os
import statistics
import tempfile
import time

import torch

import mbrl

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def objective_rows(repeats=7):
    rows = []
    for population in (10, 1000):
        body = {"s": 0.0}

        def objective(actions):
            start = time.perf_counter()
            out = -(actions - 0.3).square().sum(dim=(1, 2))
            body["s"] += time.perf_counter() - start
            return out

        planner = mbrl.make_planner("cem", horizon=10, low=[-1, -1], high=[1, 1],
                                    population=population, iterations=50, min_variance=0.0)
        planner.plan(None, objective)
        crossing, plan_per_call, body_per_call = [], [], []
        for _ in range(repeats):
            body["s"] = 0.0
            start = time.perf_counter()
            planner.plan(None, objective)
            total = time.perf_counter() - start
            stats = planner.last_stats
            calls = stats["objective_calls"]
            crossing.append((stats["objective_ms"] / 1e3 - body["s"]) / calls * 1e6)
            body_per_call.append(body["s"] / calls * 1e6)
            plan_per_call.append(total / calls * 1e6)
        rows.append({"population": population, "calls_per_plan": int(calls),
                     "crossing_us_per_call": round(statistics.median(crossing), 1),
                     "objective_body_us_per_call": round(statistics.median(body_per_call), 1),
                     "plan_us_per_call": round(statistics.median(plan_per_call), 1),
                     "crossing_share_of_plan": round(statistics.median(crossing) /
                                                     statistics.median(plan_per_call), 3)})
    return rows


def act_rows(run_dir, steps=40):
    rows = []
    for population in (50, 400):
        agent = mbrl.load_run(run_dir).agent(overrides=[f"planner.population={population}"])
        agent.reset()
        obs = torch.tensor([0.0, 3.14, 0.0, 0.0], dtype=torch.float64)
        agent.act(obs)
        outside, inside = [], []
        for _ in range(steps):
            start = time.perf_counter()
            agent.act(obs)
            outside.append((time.perf_counter() - start) * 1e3)
            inside.append(agent.last_plan_ms)
        python_ms, cpp_ms = statistics.median(outside), statistics.median(inside)
        rows.append({"population": population, "python_act_ms": round(python_ms, 3),
                     "cpp_plan_ms": round(cpp_ms, 3), "python_over_cpp": round(python_ms / cpp_ms, 3)})
    return rows


class _Box:
    def __init__(self, low, high, shape):
        self.low, self.high, self.shape = low, high, shape


class _Line:
    """A trivial environment: the cost of its step body is measured and taken off."""

    def __init__(self):
        self.observation_space = _Box(None, None, (2,))
        self.action_space = _Box([-1.0], [1.0], (1,))
        self.body_s = 0.0
        self.steps = 0

    def reset(self, seed=None):
        self.x = [0.0, 0.0]
        return self.x, {}

    def step(self, action):
        start = time.perf_counter()
        self.x = [self.x[0] + 0.1 * float(action[0]), 0.0]
        self.body_s += time.perf_counter() - start
        self.steps += 1
        return self.x, -abs(self.x[0]), False, False, {}


def env_rows(steps=2000, repeats=3):
    """Random-action episodes of the PETS loop on a Python environment: the time per step beyond
    the environment's own step body, an upper bound on crossing per step (it also holds the
    loop's per-step work: the random action, the replay buffer, the progress)."""
    per_step = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            env = _Line()
            config = mbrl.load_config(None, [f"env.episode_length={steps}", "pets.episodes=1",
                                             "pets.seed_episodes=1", "pets.save_model=false"])
            run = mbrl.train(config, out=os.path.join(tmp, "run"), env=env,
                             reward=lambda o, a, n: -n[:, 0].abs(), quiet=True)
            with open(os.path.join(run.path, "metrics.csv")) as f:
                wall = float(list(csv.DictReader(f))[0]["wall_s"])
            per_step.append((wall - env.body_s) / env.steps * 1e6)
    return [{"steps": steps, "loop_and_crossing_us_per_step": round(statistics.median(per_step), 1)}]


def make_env_rows(steps=20000, repeats=3):
    """Per step: mbrl.make_env(task).step from Python against `mbrl tasks --speed` in C++."""
    import numpy as np
    import subprocess
    out = subprocess.run([os.path.join(ROOT, "build", "mbrl"), "tasks", "--speed", str(steps)],
                         check=True, capture_output=True, text=True).stdout
    cpp_steps_per_s = {line.split()[0]: float(line.split()[-1])
                       for line in out.splitlines()[1:] if line.strip()}
    rows = []
    for task in ("cartpole_swingup", "half_cheetah"):
        env = mbrl.make_env(task)
        rng = np.random.default_rng(0)
        low, high = env.action_space.low, env.action_space.high
        actions = rng.uniform(low, high, (steps,) + low.shape).astype(np.float32)
        times = []
        for _ in range(repeats):
            env.reset(seed=0)
            start = time.perf_counter()
            for a in actions:
                if env.step(a)[3]:
                    env.reset()
            times.append((time.perf_counter() - start) / steps * 1e6)
        python_us = statistics.median(times)
        cpp_us = 1e6 / cpp_steps_per_s[task]
        rows.append({"task": task, "steps": steps, "python_us_per_step": round(python_us, 1),
                     "cpp_us_per_step": round(cpp_us, 1),
                     "crossing_us_per_step": round(python_us - cpp_us, 1),
                     "python_over_cpp": round(python_us / cpp_us, 2)})
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        run_dir = os.path.join(tmp, "run")
        mbrl.train(mbrl.load_config(os.path.join(ROOT, "configs/cartpole_swingup.yaml"),
                                    ["pets.episodes=2", "pets.seed_episodes=1",
                                     "env.episode_length=20", "trainer.max_epochs=5",
                                     "agent.horizon=10"]), out=run_dir, quiet=True)
        tables = {"objective": objective_rows(), "act": act_rows(run_dir), "env": env_rows(),
                  "make_env": make_env_rows()}
    for name, rows in tables.items():
        print(name)
        for r in rows:
            print("  " + ", ".join(f"{k} {v}" for k, v in r.items()))
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, name + ".csv"), "w", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=list(rows[0]))
                writer.writeheader()
                writer.writerows(rows)


if __name__ == "__main__":
    main()
