#!/usr/bin/env python3
"""scripts/results_tables.py on a fixture repository: a documented table that differs from its CSV
and a results index that lists a missing file both fail --check, naming them; --write remakes the
table from the CSV, after which --check passes. The prose: a number a template of
scripts/prose_facts.py makes passes, the same number planted wrong fails, and a number no template
makes fails. Then the repository itself with a number planted wrong in docs/reproduction.md and in
README.md's results: --check fails naming each."""
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
    verdict_rules()
    floor_and_diagnosis_tables()
    prose_fixture()
    planted_in_the_repository()
    print("ok")


def floor_and_diagnosis_tables():
    """The bench's floor columns and a diagnosis summary, each row as its CSV makes it."""
    sys.path.insert(0, os.path.dirname(SCRIPT))
    import results_tables as rt
    with tempfile.TemporaryDirectory() as root:
        rt.set_root(root)
        with open(f"{root}/bench.csv", "w") as f:
            f.write("task,planner,first_ms,later_mean_ms,gemm_gflops,first_floor_ms,first_x_floor,"
                    "later_floor_ms,later_x_floor\n"
                    "cartpole_swingup,cem50,127.3,87.8,253,30.1,4.22,30.1,2.91\n")
        assert rt.floor_table("bench.csv")[2] == \
            "| cartpole_swingup | cem50 | 0.127 | 0.030 | 4.22 | 0.088 | 0.030 | 2.91 | 253 |"
        os.makedirs(f"{root}/results/diagnose/humanoid_standup/cem_gd")
        with open(f"{root}/results/diagnose/humanoid_standup/cem_gd/summary.csv", "w") as f:
            f.write("episode,horizon,error_step1,error_last,within_1sigma_step1,within_2sigma_step1,"
                    "spearman_step1,predicted_return_mean,real_return_mean,optimism\n"
                    "31,45,1.69921,240.56,0.675111,0.871556,0.686265,65643.8,5863.43,59780.4\n")
        rows = rt.diagnosis_table("results/diagnose/humanoid_standup/cem_gd/summary.csv")
        assert rows[2] == ("| humanoid_standup | cem_gd | 31 | 1.70 | 240.56 (45) | 0.68 | 0.87 | "
                           "0.69 | 65643.8 | 5863.4 | 59780.4 |"), rows[2]
        with open(f"{root}/vs.md", "w") as f:
            f.write("half_cheetah, horizon 45, 20 particles, default threads.\n\n"
                    "| planner | step | PyTorch (s) | ours (s) | ratio |\n|---|---|---:|---:|---:|\n"
                    "| cem50 | t = 0 | 0.250 | 0.200 | 1.25x |\n"
                    "| cem50 | t > 0, mean | 0.240 | 0.120 | 2.00x |\n"
                    "| cem50 | all timed, mean | 0.242 | 0.136 | 1.78x |\n\n"
                    "Arithmetic floor of a later step, and each side's later step over it: cem50 "
                    "0.040 s (PyTorch 6.00x, ours 3.00x).\n")
        rows = rt.vs_pytorch_table("vs.md")
        assert len(rows) == 4, rows  # the t = 0 and later steps only
        assert "before" not in rows[0], rows[0]  # no file has an older build's side
        assert rows[3] == ("| half_cheetah | cem50 | t > 0, mean | 0.240 | 0.120 | 2.00x | "
                           "0.040 | 6.00x | 3.00x | `/` |"), rows[3]
        with open(f"{root}/before.md", "w") as f:  # with an older build's side
            f.write("half_cheetah, horizon 45, 20 particles, default threads; ours at a, before "
                    "at b.\n\n| planner | step | PyTorch (s) | before (s) | ratio before | ours (s) "
                    "| ratio |\n|---|---|---:|---:|---:|---:|---:|\n"
                    "| cem50 | t = 0 | 0.250 | 0.220 | 1.14x | 0.200 | 1.25x |\n")
        assert rt.vs_pytorch_table("before.md")[2] == (
            "| half_cheetah | cem50 | t = 0 | 0.250 | 0.220 | 0.200 | 1.25x |  | |  | `/` |")
        # With one file that has it, the column is there, empty in the other file's rows.
        both = rt.vs_pytorch_table("vs.md", "before.md")
        assert "| before (s) |" in both[0] and len(both[0].split("|")) == len(both[2].split("|"))
        assert both[3] == ("| half_cheetah | cem50 | t > 0, mean | 0.240 |  | 0.120 | 2.00x | "
                           "0.040 | 6.00x | 3.00x | `/` |"), both[3]
    rt.set_root(os.path.join(os.path.dirname(SCRIPT), ".."))


def verdict_rules():
    """The rules of docs/reproduction.md's verdicts on small sets of seeds."""
    sys.path.insert(0, os.path.dirname(SCRIPT))
    import results_tables as rt
    # Welch's t with sample variances: means 2 apart, each set's sample variance 1.
    assert abs(rt.welch_t([1, 2, 3], [3, 4, 5]) - (-2 / (2 / 3) ** 0.5)) < 1e-12
    assert rt.better([10, 11, 12], [1, 2, 3]) == "reproduced"
    assert rt.better([1, 2, 3], [10, 11, 12]) == "contradicted"
    assert rt.better([1, 5, 9], [0, 4, 8]) == "inconclusive"
    assert rt.level([95, 95, 95.1], [100, 100, 100.1]) == "reproduced"  # within 10 %
    assert rt.level([-105, -105, -105.1], [-100, -100, -100.1]) == "reproduced"
    assert rt.level([50, 51, 52], [100, 101, 102]) == "contradicted"
    assert rt.level([40, 80, 120], [100, 140, 180]) == "inconclusive"
    assert abs(rt.spearman([1, 2, 3, 4], [10, 20, 30, 40]) - 1) < 1e-12
    assert abs(rt.spearman([1, 2, 3], [3, 2, 1]) + 1) < 1e-12


def prose_fixture():
    with tempfile.TemporaryDirectory() as root:
        os.makedirs(f"{root}/docs")
        os.makedirs(f"{root}/scripts")
        os.makedirs(f"{root}/results")
        with open(f"{root}/results/README.md", "w") as f:
            f.write("")
        with open(f"{root}/results/runs.csv", "w") as f:
            f.write("label,seed,episode,return\nx,0,1,1.0\nx,1,1,2.0\n")
        with open(f"{root}/scripts/prose_facts.py", "w") as f:
            f.write("ROWS = read_csv('results/runs.csv')\n"
                    "FACTS = {'docs/page.md': ['returns {{ pm([float(r[\"return\"]) "
                    "for r in ROWS]) }} over']}\n")
        doc = f"{root}/docs/page.md"

        def check(text):
            with open(doc, "w") as f:
                f.write(text)
            return run(root, "--check")

        r = check("In Figure 3 the runs' returns 1.5 ± 0.5 over\n2 seeds (`seed 0` and `1`).\n")
        assert r.returncode == 1 and "the number 2 in" in r.stderr, r.stderr
        r = check("In Figure 3 the runs' returns 1.5 ± 0.5 over\ntwo seeds (`seed 0` and `1`).\n")
        assert r.returncode == 0, r.stderr
        r = check("In Figure 3 the runs' returns 1.5 ± 0.6 over\ntwo seeds.\n")
        assert r.returncode == 1 and 'no text reads, as its data make it, "returns 1.5 ± 0.5 over"' \
            in r.stderr and "the number 0.6 in" in r.stderr, r.stderr


def planted_in_the_repository():
    """The repository's documents with one number changed each: --check names both."""
    repo = os.path.normpath(os.path.join(os.path.dirname(SCRIPT), ".."))
    with tempfile.TemporaryDirectory() as root:
        for name in os.listdir(repo):
            if name not in ("docs", "README.md", ".git"):
                os.symlink(os.path.join(repo, name), os.path.join(root, name))
        os.makedirs(f"{root}/docs")
        for name in os.listdir(f"{repo}/docs"):
            if name != "reproduction.md":
                os.symlink(f"{repo}/docs/{name}", f"{root}/docs/{name}")
        for doc, planted in [("docs/reproduction.md", ("CEM 5000 costs ", "CEM 5000 costs 1")),
                             ("README.md", ("later step costs 0.", "later step costs 1."))]:
            with open(f"{repo}/{doc}") as f:
                text = f.read()
            assert planted[0] in text, f"{doc} no longer holds '{planted[0]}'"
            with open(f"{root}/{doc}", "w") as f:
                f.write(text.replace(planted[0], planted[1], 1))
        r = run(root, "--check")
        assert r.returncode == 1, r.stdout + r.stderr
        for doc in ("docs/reproduction.md", "README.md"):
            assert f"{doc}: no text reads" in r.stderr and f"{doc}: the number 1" in r.stderr, \
                r.stderr
        assert "README.md: the number 1.18 in" in r.stderr, r.stderr


if __name__ == "__main__":
    main()
