"""Run.diagnose: `mbrl diagnose` from Python, the same files as the CLI writes and its tables."""
import os
import subprocess

import pytest

import mbrl

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MBRL = os.environ.get("MBRL_BINARY", os.path.join(ROOT, "build", "mbrl"))
TINY = ["env.episode_length=12", "model.hidden_size=16", "planner.population=20",
        "agent.horizon=5", "trainer.max_epochs=2", "pets.seed_episodes=1", "pets.episodes=3",
        "pets.keep_models=all"]


def test_diagnose_writes_what_the_cli_writes_and_returns_its_tables(tmp_path):
    run = mbrl.train(mbrl.load_config(None, TINY), out=tmp_path / "run", quiet=True)
    d = run.diagnose(horizon=4, out=tmp_path / "py", plots=False)
    assert d.out == str(tmp_path / "py")
    subprocess.run([MBRL, "diagnose", run.path, "--horizon", "4", "--no-plots", "--out",
                    str(tmp_path / "cli")], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    for name in ("error", "calibration", "disagreement", "optimism", "summary"):
        with open(tmp_path / "py" / (name + ".csv")) as a, open(tmp_path / "cli" / (name + ".csv")) as b:
            assert a.read() == b.read(), name
    summary = d["summary"]
    assert list(summary["episode"]) == [2, 3]
    assert len(d["error"]["error"]) == 2 * 4 * 6  # 2 episodes, 4 steps, the mean and 5 members
    one = run.diagnose(episodes=3, out=tmp_path / "one", plots=False)
    assert list(one["summary"]["episode"]) == [3]


def test_an_episode_whose_model_was_not_kept_is_refused(tmp_path):
    run = mbrl.train(mbrl.load_config(None, TINY[:-1]), out=tmp_path / "run", quiet=True)
    with pytest.raises(ValueError, match="pets.keep_models=all"):
        run.diagnose(episodes=2, plots=False)
    with pytest.raises(ValueError, match="episodes"):
        run.diagnose(episodes="3-1", plots=False)
