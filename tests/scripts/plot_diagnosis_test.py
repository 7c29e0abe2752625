#!/usr/bin/env python3
"""src/python/mbrl/plot_diagnosis.py on the CSV files `mbrl diagnose` writes (a fixture of two
episodes): it draws the four PNG files, and a folder without them is refused naming the file."""
import os
import subprocess
import sys
import tempfile

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src", "python",
                      "mbrl", "plot_diagnosis.py")


def main():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("skipped: this Python has no matplotlib (scripts/setup.sh installs python3-matplotlib)")
        sys.exit(77)
    with tempfile.TemporaryDirectory() as out:
        files = {
            "error.csv": "episode,step,rollout,error\n" + "".join(
                f"{e},{k},{r},{0.1 * k * (2 if r == 'member_1' else 1)}\n"
                for e in (2, 3) for k in (1, 2, 3) for r in ("mean", "member_0", "member_1")),
            "calibration.csv": "episode,step,dim,within_1sigma,within_2sigma,nll\n" + "".join(
                f"{e},{k},{d},{0.7 - 0.1 * k},{0.96 - 0.05 * k},{'' if d != 'all' else 1.0 + k}\n"
                for e in (2, 3) for k in (1, 2, 3) for d in ("all", "0", "1")),
            "disagreement.csv": "episode,step,spearman,starts\n" + "".join(
                f"{e},{k},{0.5 - 0.1 * k},{20 - k}\n" for e in (2, 3) for k in (1, 2, 3)),
            "optimism.csv": "episode,step,predicted_return,real_return\n" + "".join(
                f"{e},{t},{1.0 + 0.1 * t},{0.5 + 0.05 * t}\n" for e in (2, 3) for t in range(5)),
        }
        for name, text in files.items():
            with open(os.path.join(out, name), "w") as f:
                f.write(text)
        r = subprocess.run([sys.executable, SCRIPT, out], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
        for name in ("error", "calibration", "disagreement", "optimism"):
            path = os.path.join(out, name + ".png")
            assert os.path.getsize(path) > 10000, path
        os.remove(os.path.join(out, "optimism.csv"))
        r = subprocess.run([sys.executable, SCRIPT, out], capture_output=True, text=True)
        assert r.returncode != 0 and "optimism.csv not found" in r.stderr, r.stdout + r.stderr
    print("ok")


if __name__ == "__main__":
    main()
