"""examples/python/: each example runs (with small settings) and does what it says."""
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_example(name, *args):
    return subprocess.run([sys.executable, os.path.join(ROOT, "examples", "python", name), *args],
                          check=True, cwd=ROOT, capture_output=True, text=True).stdout


def test_plan_objective_reaches_the_goal():
    out = run_example("plan_objective.py", "--planner", "cem", "--steps", "40")
    distance = float(out.strip().split()[-1])
    assert distance < 0.15, out


def test_pendulum_trains_on_a_python_environment_plots_acts_and_resumes(tmp_path):
    tiny = ["--set", "env.episode_length=10", "--set", "model.hidden_size=16", "--set",
            "planner.population=20", "--set", "agent.horizon=5", "--set", "trainer.max_epochs=2",
            "--set", "pets.seed_episodes=1", "--set", "pets.episodes=2"]
    out = run_example("pendulum.py", "--out", str(tmp_path / "run"), *tiny)
    assert os.path.getsize(tmp_path / "run" / "returns.png") > 1000
    assert "an episode acted from Python" in out
    out = run_example("pendulum.py", "--out", str(tmp_path / "run"), "--set", "pets.episodes=3")
    assert "episode 3/3" in out
