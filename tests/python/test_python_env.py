"""mbrl.train(..., env=...): PETS on an environment written in Python (Gymnasium's interface,
without Gymnasium: a plain class), its reward a batched torch function."""
import csv
import os
import subprocess

import pytest
import torch

import mbrl

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MBRL = os.environ.get("MBRL_BINARY", os.path.join(ROOT, "build", "mbrl"))
HERE = os.path.abspath(__file__)
DT = 0.1


class Box:
    def __init__(self, low, high, shape):
        self.low, self.high, self.shape = low, high, shape


class PointMass:
    """A point on a line pushed towards 0: obs (x, v), action a in [-1, 1]."""

    def __init__(self):
        self.observation_space = Box(None, None, (2,))
        self.action_space = Box([-1.0], [1.0], (1,))
        self.steps = 0

    def reset(self, seed=None):
        g = torch.Generator().manual_seed(seed)
        self.state = torch.tensor([1.0, 0.0]) + 0.1 * torch.randn(2, generator=g)
        return self.state.clone(), {}

    def step(self, action):
        self.steps += 1
        a = float(action[0])
        v = self.state[1] + DT * a
        self.state = torch.stack([self.state[0] + DT * v, v])
        return self.state.clone(), -float(self.state[0] ** 2) - 0.01 * a * a, False, False, {}


def reward(obs, action, next_obs):
    return -next_obs[:, 0].square() - 0.01 * action.square().sum(1)


TINY = ["env.episode_length=20", "model.hidden_size=32", "planner.population=50",
        "agent.horizon=8", "trainer.max_epochs=20", "pets.seed_episodes=2"]


def rows(path):
    with open(os.path.join(path, "metrics.csv")) as f:
        return list(csv.DictReader(f))


def test_pets_on_a_python_environment_trains_resumes_and_acts(tmp_path):
    env = PointMass()
    config = mbrl.load_config(None, TINY + ["pets.episodes=4"])
    run = mbrl.train(config, out=tmp_path / "pm", env=env, reward=reward, quiet=True)
    assert env.steps == 4 * 20  # the C++ loop stepped the Python environment once per step
    assert run.config.task == "python"
    done = rows(run.path)
    assert [r["random"] for r in done] == ["1", "1", "0", "0"]
    random_mean = sum(float(r["return"]) for r in done[:2]) / 2
    assert max(float(r["return"]) for r in done[2:]) > random_mean  # MPC beats random actions
    mbrl.train(out=run.path, resume=True, overrides=["pets.episodes=5"], env=env, reward=reward,
               quiet=True)
    assert len(rows(run.path)) == 5
    agent = run.agent(env=env, reward=reward)
    agent.reset()
    assert agent.act([1.0, 0.0]).item() < 0  # pushes the point towards 0

    # The trained ensemble predicts the true next state better than "nothing moves".
    model = run.model(env=env, reward=reward)
    obs = torch.tensor([[1.0, 0.0], [0.8, -0.3], [1.1, 0.2], [0.9, -0.1]])
    action = torch.tensor([[-1.0], [0.5], [0.0], [-0.5]])
    mean, var = model.predict(obs, action)
    assert mean.shape == var.shape == (model.ensemble_size, 4, 2)
    assert (var > 0).all()
    v = obs[:, 1] + DT * action[:, 0]
    true_next = torch.stack([obs[:, 0] + DT * v, v], 1)
    model_error = (mean.mean(0) - true_next).abs().mean().item()
    assert model_error < 0.5 * (obs - true_next).abs().mean().item(), model_error


def test_what_a_python_environment_run_needs_is_said(tmp_path):
    env = PointMass()
    run = mbrl.train(mbrl.load_config(None, TINY + ["pets.episodes=1"]), out=tmp_path / "a",
                     env=env, reward=reward, quiet=True)
    with pytest.raises(ValueError, match=r"pass env= and reward="):
        run.agent()
    with pytest.raises(ValueError, match=r"pass env= and reward="):
        run.model()
    with pytest.raises(ValueError, match=r"predict: expected obs \[N, 2\]"):
        run.model(env=env, reward=reward).predict(torch.zeros(3, 5), torch.zeros(3, 1))
    with pytest.raises(ValueError, match=r"reward: an environment written in Python needs"):
        mbrl.train(mbrl.load_config(None, TINY), out=tmp_path / "b", env=env)
    with pytest.raises(ValueError, match=r"expected Gymnasium's interface"):
        mbrl.train(mbrl.load_config(None, TINY), out=tmp_path / "c", env=object(), reward=reward)
    with pytest.raises(ValueError, match=r"pass env= and reward="):
        run.evaluate()
    cli = subprocess.run([MBRL, "eval", run.path], cwd=ROOT, capture_output=True, text=True)
    assert cli.returncode == 2
    assert "its environment is written in Python: pass it again with --env" in cli.stderr
    cli = subprocess.run([MBRL, "eval", run.path, "--env", "nowhere.py:PointMass", "--reward",
                          HERE + ":reward"], cwd=ROOT, capture_output=True, text=True)
    assert cli.returncode == 2
    assert "error: --env nowhere.py:PointMass: no such file nowhere.py" in cli.stderr
    cli = subprocess.run([MBRL, "eval", run.path, "--env", HERE + ":Nothing", "--reward",
                          HERE + ":reward"], cwd=ROOT, capture_output=True, text=True)
    assert cli.returncode == 2
    assert "has no Nothing" in cli.stderr
    cli = subprocess.run([MBRL, "eval", run.path, "--env", "PointMass"], cwd=ROOT,
                         capture_output=True, text=True)
    assert cli.returncode == 2
    assert "--env PointMass: expected FILE.py:NAME or MODULE:NAME" in cli.stderr


def test_mbrl_eval_reads_a_python_environment_run_given_the_environment_again(tmp_path):
    env = PointMass()
    run = mbrl.train(mbrl.load_config(None, TINY + ["pets.episodes=3"]), out=tmp_path / "a",
                     env=env, reward=reward, quiet=True)
    evaluation = run.evaluate(episodes=2, env=PointMass(), reward=reward, quiet=True)
    assert evaluation.out == os.path.join(run.path, "eval", "cem")
    assert len(evaluation.returns) == 2 and all(r < 0 for r in evaluation.returns)
    # The CLI hands the run to `python3 -m mbrl eval` with the environment from this file: the
    # same episodes, the same files.
    out = str(tmp_path / "cli")
    cli = subprocess.run([MBRL, "eval", run.path, "--env", HERE + ":PointMass", "--reward",
                          HERE + ":reward", "-n", "2", "-q", "-o", out], cwd=ROOT,
                         capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    assert "cem on python: return" in cli.stdout
    with open(os.path.join(out, "eval.csv")) as f:
        cli_returns = [float(r["return"]) for r in csv.DictReader(f)]
    assert cli_returns == pytest.approx(evaluation.returns, abs=1e-5)
    with open(os.path.join(out, "transitions.bin"), "rb") as a, \
            open(os.path.join(evaluation.out, "transitions.bin"), "rb") as b:
        assert a.read() == b.read()
    # A built-in task's run takes no environment.
    builtin = mbrl.train(mbrl.load_config(None, TINY + ["pets.episodes=1", "task=toy_barrier"]),
                         out=tmp_path / "toy", quiet=True)
    cli = subprocess.run([MBRL, "eval", builtin.path, "--env", HERE + ":PointMass"], cwd=ROOT,
                         capture_output=True, text=True)
    assert cli.returncode == 2
    assert "is not a run of an environment written in Python" in cli.stderr
    with pytest.raises(ValueError, match=r"ran the task 'toy_barrier', not an environment"):
        builtin.evaluate(env=PointMass(), reward=reward)
