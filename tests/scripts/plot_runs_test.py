#!/usr/bin/env python3
"""scripts/plot_runs.py on a fixture sweep: two tasks, two planners, two seeds each (plus an
interrupted row that must be skipped): the PNG is written and the plotted means and stds are the
seeds' own."""
import csv
import os
import subprocess
import sys
import tempfile

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                      "plot_runs.py")


def write_run(d, task, planner, seed, returns, interrupted_extra=None, random_episodes=1):
    os.makedirs(d)
    with open(os.path.join(d, "config.yaml"), "w") as f:
        f.write(f"task: {task}\nseed: {seed}\nplanner:\n  type: {planner}\n  population: 50\n")
    with open(os.path.join(d, "metrics.csv"), "w") as f:
        f.write("episode,env_steps,steps,return,random,interrupted\n")
        for i, r in enumerate(returns, 1):
            f.write(f"{i},{i * 100},100,{r},{int(i <= random_episodes)},0\n")
        if interrupted_extra is not None:
            n = len(returns) + 1
            f.write(f"{n},{n * 100 - 50},50,{interrupted_extra},0,1\n")


def main():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("skipped: this Python has no matplotlib (scripts/setup.sh installs python3-matplotlib)")
        sys.exit(77)
    with tempfile.TemporaryDirectory() as tmp:
        sweep = os.path.join(tmp, "sweep")
        write_run(f"{sweep}/a", "cartpole_swingup", "cem", 0, [0.0, 10.0, 20.0], 999.0)
        write_run(f"{sweep}/b", "cartpole_swingup", "cem", 1, [2.0, 14.0, 30.0])
        write_run(f"{sweep}/c", "cartpole_swingup", "cem-gd", 0, [1.0, 5.0, 9.0])
        write_run(f"{sweep}/d", "pusher", "cem", 0, [-5.0, -4.0, -3.0])
        out, points = os.path.join(tmp, "plot.png"), os.path.join(tmp, "points.csv")
        per_run = os.path.join(tmp, "runs.csv")
        subprocess.run([sys.executable, SCRIPT, sweep, "--out", out, "--csv", points,
                        "--runs-csv", per_run], check=True)
        raw = list(csv.DictReader(open(per_run)))
        assert len(raw) == 12, f"expected 4 runs x 3 finished episodes, got {len(raw)} rows"
        b3 = [r for r in raw if r["label"] == "cem" and r["seed"] == "1" and r["episode"] == "3"]
        assert len(b3) == 1 and float(b3[0]["return"]) == 30.0, b3
        assert os.path.getsize(out) > 10000, "the PNG is missing or empty"
        rows = {(r["task"], r["label"], r["episode"]): r for r in csv.DictReader(open(points))}
        cem3 = rows[("cartpole_swingup", "cem", "3")]
        assert float(cem3["mean_return"]) == 25.0 and float(cem3["std_return"]) == 5.0, cem3
        assert cem3["seeds"] == "2"
        assert ("cartpole_swingup", "cem", "4") not in rows, "an interrupted row was plotted"
        assert float(rows[("pusher", "cem", "2")]["mean_return"]) == -4.0
        assert ("cartpole_swingup", "cem-gd", "1") in rows
        # --x env_steps, and a label key.
        subprocess.run([sys.executable, SCRIPT, sweep, "--out", out, "--x", "env_steps",
                        "--label-key", "planner.population", "--csv", points], check=True)
        labels = {r["label"] for r in csv.DictReader(open(points))}
        assert "cem population=50" in labels, labels
        # --x mpc_episode: random episodes leave the lines, MPC episodes are numbered from 1, so
        # a run that pretrained on two random episodes lines up with the others.
        write_run(f"{sweep}/e", "pusher", "cem", 1, [-7.0, -6.0, -2.0, -1.0], random_episodes=2)
        subprocess.run([sys.executable, SCRIPT, sweep, "--out", out, "--x", "mpc_episode",
                        "--csv", points], check=True)
        rows = {(r["task"], r["label"], r["mpc_episode"]): r for r in csv.DictReader(open(points))}
        cem1 = rows[("cartpole_swingup", "cem", "1")]
        assert float(cem1["mean_return"]) == 12.0 and cem1["seeds"] == "2", cem1
        push1, push2 = rows[("pusher", "cem", "1")], rows[("pusher", "cem", "2")]
        assert float(push1["mean_return"]) == -3.0 and push1["seeds"] == "2", push1
        assert float(push2["mean_return"]) == -2.0 and push2["seeds"] == "2", push2
        assert ("pusher", "cem", "3") not in rows and ("cartpole_swingup", "cem", "3") not in rows
        # The random band counts each random episode once: runs of one seed share theirs.
        write_run(f"{sweep}/f", "pusher", "mppi", 1, [-7.0, -6.0, -3.0], random_episodes=2)
        sys.path.insert(0, os.path.dirname(SCRIPT))
        import plot_runs
        _, randoms = plot_runs.aggregate(plot_runs.load_runs([sweep]), "mpc_episode")
        assert sorted(randoms["pusher"]) == [-7.0, -6.0, -5.0], randoms["pusher"]
        # No runs: a clear error, exit code non-zero.
        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        r = subprocess.run([sys.executable, SCRIPT, empty, "--out", out], capture_output=True,
                           text=True)
        assert r.returncode != 0 and "no run directories" in r.stderr, r.stderr
    print("ok")


if __name__ == "__main__":
    main()
