"""Gymnasium's conventions: mbrl's tasks as environments from Python (make_env), agent.act
returning the type it was given, and a Python environment's truncated and NumPy spaces."""
import csv
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import mbrl
from replay_buffer_file import read_buffer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MBRL = os.environ.get("MBRL_BINARY", os.path.join(ROOT, "build", "mbrl"))
TINY = ["pets.seed_episodes=1", "env.episode_length=10", "model.hidden_size=16",
        "planner.population=20", "agent.horizon=5", "trainer.max_epochs=2"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tiny"
    subprocess.run([MBRL, "train", "--quiet", "--out", str(out), "--set", "pets.episodes=2"] +
                   [x for s in TINY for x in ("--set", s)], check=True, cwd=ROOT)
    return out


def test_make_env_steps_the_transitions_that_mbrl_train_and_eval_stepped(run_dir):
    run = mbrl.load_run(run_dir)
    env = mbrl.make_env(run.config)
    assert (env.name, env.episode_length) == ("cartpole_swingup", 10)
    assert env.observation_space.shape == (4,) and env.action_space.shape == (1,)
    assert env.action_space.dtype == np.float32 and env.observation_space.dtype == np.float64
    # The planner's actions are float32, so eval's transitions.bin holds them exactly, and its
    # float32 observations and rewards are the environment's rounded.
    subprocess.run([MBRL, "eval", str(run_dir), "--episodes", "1", "--seed", "7", "--quiet",
                    "--out", str(run_dir / "ev")], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    obs, actions, rewards, next_obs = read_buffer(str(run_dir / "ev" / "transitions.bin"))
    first, info = env.reset(seed=7)
    assert info == {} and first.dtype == np.float64 and first.shape == (4,)
    assert np.array_equal(first.astype(np.float32), obs[0])
    for t in range(10):
        o, r, terminated, truncated, info = env.step(actions[t])
        assert np.array_equal(o.astype(np.float32), next_obs[t]), t
        assert np.float32(r) == rewards[t], t
        assert not terminated and truncated == (t == 9), t
    with pytest.raises(RuntimeError, match=r"the episode has ended .*call reset\(\)"):
        env.step(actions[0])
    # The run's first (random) episode: the config's seed, reset without one. Its actions were
    # float64, stored as float32: the same to float32 rounding.
    obs, actions, rewards, next_obs = read_buffer(str(run_dir / "replay_buffer.bin"))
    env = mbrl.make_env(run.config)
    assert np.array_equal(env.reset()[0].astype(np.float32), obs[0])
    for t in range(10):
        o, r, _, _, _ = env.step(actions[t])
        assert np.allclose(o, next_obs[t], atol=1e-5) and abs(r - rewards[t]) < 1e-5, t
    # The next reset without a seed is the run's second episode.
    assert np.array_equal(env.reset()[0].astype(np.float32), obs[10])


def test_agent_act_returns_the_type_it_was_given(run_dir):
    agent = mbrl.load_run(run_dir).agent()
    env = mbrl.make_env("cartpole_swingup", ["env.episode_length=3"])
    obs, _ = env.reset(seed=1)
    agent.reset()
    action = agent.act(obs)
    assert isinstance(action, np.ndarray) and action.dtype == np.float32 and action.shape == (1,)
    assert env.action_space.contains(action)
    assert env.step(action)[1] <= 1.0
    assert isinstance(agent.act(list(obs)), np.ndarray)
    tensor = agent.act(torch.as_tensor(obs))
    assert isinstance(tensor, torch.Tensor) and tensor.dtype == torch.float32


def test_make_env_takes_a_name_a_file_or_a_config_and_refuses_what_it_cannot_make(tmp_path):
    env = mbrl.make_env("half_cheetah")
    assert env.observation_space.shape == (18,) and env.action_space.shape == (6,)
    assert env.episode_length == 1000
    assert mbrl.make_env(os.path.join(ROOT, "configs", "pusher.yaml")).episode_length == 150
    config = mbrl.load_config()
    assert mbrl.make_env(config, ["env.episode_length=5"]).episode_length == 5
    assert config.env.episode_length == 0  # the caller's config is unchanged
    with pytest.raises(RuntimeError, match=r"call reset\(\) first"):
        mbrl.make_env("pusher").step(np.zeros(7))
    with pytest.raises(ValueError, match=r"unknown task 'nope'"):
        mbrl.make_env("nope")
    with pytest.raises(ValueError, match=r"environment written in Python"):
        mbrl.make_env("python")
    with pytest.raises(ValueError, match=r"render_mode"):
        mbrl.make_env("pusher", render_mode="human")
    env = mbrl.make_env("pusher")
    env.reset(seed=0)
    for _ in range(3):  # the action space's own samples are valid actions
        action = env.action_space.sample()
        assert action.shape == (7,) and action.dtype == np.float32
        assert env.action_space.contains(action) and not env.step(action)[2]
    with pytest.raises(RuntimeError, match=r"action\[0\] = 5 is outside"):
        env.step(np.full(7, 5.0))


def test_a_task_from_files_renders_rgb_arrays(tmp_path):
    class Reward(torch.nn.Module):
        @torch.jit.export
        def reward(self, obs, action, next_obs):
            return -(next_obs[:, 4:6] - next_obs[:, 7:9]).square().sum(1)

    torch.jit.script(Reward()).save(str(tmp_path / "task.pt"))
    config = mbrl.load_config(os.path.join(ROOT, "examples", "tasks", "reacher", "config.yaml"),
                              ["env.functions=%s" % (tmp_path / "task.pt")])
    try:
        env = mbrl.make_env(config, render_mode="rgb_array", width=64, height=48)
    except RuntimeError as e:
        if "OSMesa" in str(e) or "libosmesa" in str(e):
            pytest.skip(str(e))
        raise
    assert env.name == "reacher" and env.observation_space.shape == (10,)
    assert env.metadata["render_fps"] == pytest.approx(50.0)  # control step 0.02 s
    env.reset(seed=0)
    first = env.render()
    assert first.shape == (48, 64, 3) and first.dtype == np.uint8
    for _ in range(10):
        env.step(env.action_space.high)
    assert not np.array_equal(env.render(), first)


class NumpyBox:
    def __init__(self, low, high, shape):
        self.low, self.high, self.shape = low, high, shape


class Drift:
    """A point on a line, obs (x,) as NumPy: its own time limit truncates at 4 steps."""

    def __init__(self):
        self.observation_space = NumpyBox(np.array([-np.inf]), np.array([np.inf]), (1,))
        self.action_space = NumpyBox(np.array([-1.0], np.float32), np.array([1.0], np.float32),
                                     (1,))

    def reset(self, seed=None):
        self.x, self.t = np.zeros(1), 0
        return self.x.copy(), {}

    def step(self, action):
        assert isinstance(action, np.ndarray) and action.dtype == np.float32
        self.x = self.x + 0.1 * action.astype(np.float64)
        self.t += 1
        return self.x.copy(), np.float64(-abs(self.x[0])), False, np.bool_(self.t >= 4), {}


def drift_reward(obs, action, next_obs):
    return -next_obs[:, 0].abs()


def test_a_python_environments_truncated_ends_the_episode(tmp_path):
    config = mbrl.load_config(None, TINY + ["pets.episodes=2", "env.episode_length=10"])
    mbrl.train(config, out=tmp_path / "drift", env=Drift(), reward=drift_reward, quiet=True)
    with open(tmp_path / "drift" / "metrics.csv") as f:
        steps = [int(r["steps"]) for r in csv.DictReader(f)]
    assert steps == [4, 4]


# A Python with torch and without mbrl: loads the exported model and predicts saved inputs.
_STANDALONE = """
import sys, torch
assert "mbrl" not in sys.modules
m = torch.jit.load(sys.argv[1])
obs, action = torch.load(sys.argv[2])
mean, var = m.predict(obs, action)
torch.save((mean, var, m.task, m.obs_dim, m.action_dim, m.ensemble_size), sys.argv[3])
"""


def _tiny_run(tmp_path, name, sets):
    out = tmp_path / name
    subprocess.run([MBRL, "train", "--quiet", "--out", str(out), "--set", "pets.episodes=1"] +
                   [x for s in TINY + sets for x in ("--set", s)], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return mbrl.load_run(out)


@pytest.mark.parametrize("task", ["cartpole_swingup", "half_cheetah", "reacher_from_files"])
def test_an_exported_model_predicts_as_mbrl_in_a_python_without_mbrl(tmp_path, task):
    if task == "reacher_from_files":
        subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "examples", "tasks", "reacher",
                                                         "task.py"), str(tmp_path / "task.pt")],
                       check=True)
        out = tmp_path / "reacher"
        subprocess.run([MBRL, "train", "--quiet", "--out", str(out), "--config",
                        os.path.join(ROOT, "examples", "tasks", "reacher", "config.yaml"),
                        "--set", "env.functions=%s" % (tmp_path / "task.pt"), "--set",
                        "pets.episodes=1"] + [x for s in TINY for x in ("--set", s)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
        run = mbrl.load_run(out)
    else:
        run = _tiny_run(tmp_path, task, ["task=%s" % task, "model.ensemble_size=3", "rollout.particles=6"])
    model = run.model()
    env = mbrl.make_env(run.config)
    torch.manual_seed(0)
    obs = torch.as_tensor(np.stack([env.reset(seed=s)[0] for s in range(6)]), dtype=torch.float32)
    obs = obs + 0.1 * torch.randn_like(obs)
    low, high = (torch.as_tensor(b) for b in (env.action_space.low, env.action_space.high))
    action = low + (high - low) * torch.rand(6, low.numel())
    assert model.export(tmp_path / "model.ts") == str(tmp_path / "model.ts")
    torch.save((obs, action), str(tmp_path / "inputs.pt"))
    clean_env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([sys.executable, "-c", _STANDALONE, str(tmp_path / "model.ts"),
                    str(tmp_path / "inputs.pt"), str(tmp_path / "outputs.pt")],
                   check=True, cwd=str(tmp_path), env=clean_env)
    mean, var, name, obs_dim, action_dim, members = torch.load(str(tmp_path / "outputs.pt"))
    expected_mean, expected_var = model.predict(obs, action)
    assert (name, obs_dim, action_dim, members) == (env.name, obs.shape[1], low.numel(),
                                                    model.ensemble_size)
    assert mean.shape == expected_mean.shape == (model.ensemble_size, 6, obs.shape[1])
    assert torch.allclose(mean, expected_mean, rtol=1e-5, atol=1e-5)
    assert torch.allclose(var, expected_var, rtol=1e-5, atol=1e-6)
