#!/usr/bin/env python3
"""scripts/results_tables.py on a fixture repository: a documented table that differs from its CSV
and a results index that lists a missing file both fail --check, naming them; --write remakes the
table from the CSV, after which --check passes."""
import os
import subprocess
import sys
import tempfile

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                      "results_tables.py")


def run(root, flag):
    return subprocess.run([sys.executable, SCRIPT, flag, "--root", root], capture_output=True,
                          text=True)


def main():
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(f"{root}/docs")
        os.makedirs(f"{root}/results/toy")
        with open(f"{root}/results/toy/success.csv", "w") as f:
            f.write("n_init,n_r,trials,below,fraction_below,mean_return\n"
                    "10,50,100,66,0.6600,-14.0\n500,50,100,82,0.8200,-13.9\n")
        with open(f"{root}/results/README.md", "w") as f:
            f.write("| `results/toy/` | the toy study |\n")
        doc = f"{root}/docs/page.md"
        with open(doc, "w") as f:
            f.write("Text.\n\n<!-- table: toy results/toy/success.csv -->\n"
                    "| N_init | 10 | 500 |\n|---|---:|---:|\n| below the barrier (of 100) | 0.66 | 0.99 |\n"
                    "<!-- /table -->\n\nMore text.\n")
        r = run(root, "--check")
        assert r.returncode == 1 and "docs/page.md: the table 'toy results/toy/success.csv' differs" \
            in r.stderr, r.stderr
        r = run(root, "--write")
        assert r.returncode == 0, r.stderr
        text = open(doc).read()
        assert "| 0.66 | 0.82 |" in text and text.startswith("Text.") and "More text." in text, text
        r = run(root, "--check")
        assert r.returncode == 0 and "1 tables checked, 0 problems" in r.stdout, r.stdout + r.stderr
        with open(f"{root}/results/README.md", "a") as f:
            f.write("| `results/gone.csv` | a file that is not there |\n")
        r = run(root, "--check")
        assert r.returncode == 1 and "results/README.md:2: results/gone.csv does not exist" \
            in r.stderr, r.stderr
    print("ok")


if __name__ == "__main__":
    main()
