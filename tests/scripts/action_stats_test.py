#!/usr/bin/env python3
"""scripts/action_stats.py reads the replay buffer mbrl writes: on a run of random episodes the
per-episode returns equal metrics.csv's and mean (a/bound)^2 is near 1/3 (uniform actions); on a
buffer of bang-bang actions split by metrics.csv's step counts (an interrupted last episode
included) it is 1 with every action at the bound; a directory without a buffer is refused by name.

    action_stats_test.py MBRL_BINARY
"""
import csv
import os
import struct
import subprocess
import sys
import tempfile

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                      "action_stats.py")


def run(args):
    return subprocess.run([sys.executable, SCRIPT] + args, capture_output=True, text=True)


def rows_of(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def main():
    try:
        import numpy  # noqa: F401
    except ImportError:
        print("skipped: this Python has no numpy (python3-matplotlib brings it)")
        sys.exit(77)
    mbrl = sys.argv[1]
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        # 1. A real run: two random cartpole episodes of 40 steps.
        out = os.path.join(tmp, "random_run")
        subprocess.run([mbrl, "train", "--config", "configs/cartpole_swingup.yaml", "--quiet",
                        "--set", "pets.episodes=2", "--set", "pets.seed_episodes=2",
                        "--set", "env.episode_length=40", "--out", out],
                       check=True, capture_output=True)
        res = run([out, "--mbrl", mbrl, "--csv", f"{tmp}/a.csv"])
        if res.returncode != 0:
            failures.append(f"random run: exit {res.returncode}: {res.stderr}")
        else:
            got, want = rows_of(f"{tmp}/a.csv"), rows_of(f"{out}/metrics.csv")
            if len(got) != 2:
                failures.append(f"random run: {len(got)} episodes, expected 2")
            for g, w in zip(got, want):
                if abs(float(g["return"]) - float(w["return"])) > 1e-3:
                    failures.append(f"episode {g['episode']}: return {g['return']} != {w['return']}")
                if not 0.2 < float(g["mean_sq_action"]) < 0.47:
                    failures.append(f"episode {g['episode']}: mean (a/b)^2 {g['mean_sq_action']}"
                                    " is not near 1/3 for uniform random actions")
                if g["kind"] != "random":
                    failures.append(f"episode {g['episode']}: kind {g['kind']}")

        # 2. A written buffer: 3 + 2 steps of bang-bang actions (bound 2), the second interrupted.
        d = os.path.join(tmp, "bang")
        os.makedirs(d)
        n, obs_dim, act_dim = 5, 1, 2
        with open(f"{d}/replay_buffer.bin", "wb") as f:
            f.write(b"MBRLBUF1" + struct.pack("<iiq", obs_dim, act_dim, n))
            f.write(struct.pack(f"<{n}f", *[0.0] * n))  # obs
            f.write(struct.pack(f"<{n * act_dim}f", *[2.0, -2.0] * n))  # actions
            f.write(struct.pack(f"<{n}f", 1.0, 1.0, 1.0, 0.5, 0.5))  # rewards
            f.write(struct.pack(f"<{n}f", *[0.0] * n))  # next obs
            f.write(bytes(n))  # terminated
        with open(f"{d}/metrics.csv", "w") as f:
            f.write("episode,env_steps,steps,return,random,interrupted\n1,3,3,3,0,0\n2,5,2,1,0,1\n")
        with open(f"{d}/config.yaml", "w") as f:
            f.write("task: pusher\n")
        res = run([d, "--bound", "2", "--csv", f"{tmp}/b.csv"])
        if res.returncode != 0:
            failures.append(f"bang-bang buffer: exit {res.returncode}: {res.stderr}")
        else:
            got = rows_of(f"{tmp}/b.csv")
            want = [("3", 3.0), ("2", 1.0)]
            if [(g["steps"], float(g["return"])) for g in got] != want:
                failures.append(f"bang-bang buffer: episodes {got}, expected steps/returns {want}")
            if any(float(g["mean_sq_action"]) != 1.0 or float(g["at_bound"]) != 1.0 for g in got):
                failures.append(f"bang-bang buffer: not all at the bound: {got}")
            if "(interrupted)" not in res.stdout:
                failures.append("the interrupted episode is not marked")

        # 3. No buffer: refused, naming the file.
        os.remove(f"{d}/replay_buffer.bin")
        res = run([d, "--bound", "2"])
        if res.returncode == 0 or "no replay_buffer.bin" not in res.stderr:
            failures.append(f"missing buffer: exit {res.returncode}, stderr {res.stderr!r}")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
