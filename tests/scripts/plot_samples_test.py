#!/usr/bin/env python3
"""scripts/plot_samples.py on fixture runs: each point is the mean ± std over seeds of the runs'
best MPC-episode return (random and interrupted episodes excluded), at population x iterations
samples for CEM and N_r for CEM-GD; Grad is its own line; --episodes N limits each run to its first
N episodes and leaves out runs that have not finished N; a Figure 3 runs.csv counts as its runs."""
import csv
import os
import subprocess
import sys
import tempfile

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                      "plot_samples.py")


def write_run(d, planner_lines, seed, returns):
    os.makedirs(d)
    with open(os.path.join(d, "config.yaml"), "w") as f:
        f.write(f"task: cartpole_swingup\nseed: {seed}\nplanner:\n{planner_lines}")
    with open(os.path.join(d, "metrics.csv"), "w") as f:
        f.write("episode,env_steps,steps,return,random,interrupted\n")
        f.write("1,100,100,500.0,1,0\n")  # a random episode: never the best
        for i, r in enumerate(returns, 2):
            f.write(f"{i},{i * 100},100,{r},0,0\n")
        f.write(f"{len(returns) + 2},{len(returns) * 100 + 150},50,900.0,0,1\n")  # interrupted


def main():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("skipped: this Python has no matplotlib (scripts/setup.sh installs python3-matplotlib)")
        sys.exit(77)
    cem50 = "  type: cem\n  population: 10\n  iterations: 5\n"
    cem500 = "  type: cem\n  population: 100\n  iterations: 5\n"
    with tempfile.TemporaryDirectory() as tmp:
        write_run(f"{tmp}/s/cem50/seed_0", cem50, 0, [1.0, 4.0, 2.0])
        write_run(f"{tmp}/s/cem50/seed_1", cem50, 1, [8.0, 6.0])
        write_run(f"{tmp}/s/cem500/seed_0", cem500, 0, [10.0, 30.0])
        write_run(f"{tmp}/t/gd10/seed_0", "  type: cem-gd\n  n_init: 15000\n  n_r: 10\n", 0, [20.0])
        write_run(f"{tmp}/t/gd50/seed_0", "  type: cem-gd\n  n_init: 15000\n  n_r: 50\n", 0, [25.0])
        write_run(f"{tmp}/t/grad/seed_0", "  type: grad\n  grad_steps: 10\n", 0, [-3.0, -1.0])
        out, points = os.path.join(tmp, "fig4.png"), os.path.join(tmp, "fig4.csv")
        subprocess.run([sys.executable, SCRIPT, f"{tmp}/s", f"{tmp}/t", "--out", out,
                        "--csv", points], check=True)
        assert os.path.getsize(out) > 10000, "the PNG is missing or empty"
        rows = {(r["planner"], r["samples_per_step"]): r for r in csv.DictReader(open(points))}
        c50 = rows[("cem", "50")]
        assert float(c50["mean_best_return"]) == 6.0 and float(c50["std_best_return"]) == 2.0, c50
        assert c50["seeds"] == "2"
        assert float(rows[("cem", "500")]["mean_best_return"]) == 30.0
        assert float(rows[("cem-gd", "10")]["mean_best_return"]) == 20.0
        assert float(rows[("cem-gd", "50")]["mean_best_return"]) == 25.0
        assert float(rows[("grad", "0")]["mean_best_return"]) == -1.0
        # --episodes N: the best of the first N episodes, and only runs that have finished N.
        subprocess.run([sys.executable, SCRIPT, f"{tmp}/s", f"{tmp}/t", "--out", out,
                        "--csv", points, "--episodes", "2"], check=True)
        rows = {(r["planner"], r["samples_per_step"]): r for r in csv.DictReader(open(points))}
        c50 = rows[("cem", "50")]
        assert float(c50["mean_best_return"]) == 4.5 and float(c50["std_best_return"]) == 3.5, c50
        assert float(rows[("cem", "500")]["mean_best_return"]) == 10.0
        assert float(rows[("grad", "0")]["mean_best_return"]) == -3.0
        subprocess.run([sys.executable, SCRIPT, f"{tmp}/s", f"{tmp}/t", "--out", out,
                        "--csv", points, "--episodes", "3"], check=True)
        rows = {(r["planner"], r["samples_per_step"]): r for r in csv.DictReader(open(points))}
        assert ("cem-gd", "10") not in rows, "a run with 2 finished episodes counted for 3"
        assert rows[("cem", "50")]["seeds"] == "2" and rows[("grad", "0")]["seeds"] == "1"
        # A Figure 3 table (runs.csv): one run per label and seed, the planner from
        # configs/paper/planners/<label>.yaml, cartpole's first episode random (seed_episodes 1).
        table = os.path.join(tmp, "runs.csv")
        with open(table, "w") as f:
            f.write("task,label,seed,episode,env_steps,return,run\n")
            for seed, returns in ((0, [900.0, 3.0, 7.0]), (1, [900.0, 5.0, 1.0])):
                for e, r in enumerate(returns, 1):
                    f.write(f"cartpole_swingup,cem50,{seed},{e},{e * 200},{r},x\n")
            f.write("cartpole_swingup,cem_gd_nr10,0,1,200,900.0,x\n"
                    "cartpole_swingup,cem_gd_nr10,0,2,400,12.0,x\n")
        subprocess.run([sys.executable, SCRIPT, table, "--out", out, "--csv", points], check=True)
        rows = {(r["planner"], r["samples_per_step"]): r for r in csv.DictReader(open(points))}
        c50 = rows[("cem", "50")]
        assert float(c50["mean_best_return"]) == 6.0 and c50["seeds"] == "2", c50
        assert float(rows[("cem-gd", "10")]["mean_best_return"]) == 12.0
        with open(table, "a") as f:
            f.write("cartpole_swingup,nosuch,0,1,200,1.0,x\n")
        r = subprocess.run([sys.executable, SCRIPT, table, "--out", out], capture_output=True,
                           text=True)
        assert r.returncode != 0 and "label 'nosuch'" in r.stderr, r.stderr
        # No runs: a clear error.
        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        r = subprocess.run([sys.executable, SCRIPT, empty, "--out", out], capture_output=True,
                           text=True)
        assert r.returncode != 0 and "error:" in r.stderr, r.stderr
    print("ok")


if __name__ == "__main__":
    main()
