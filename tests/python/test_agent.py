"""mbrl.load_run(...).agent(): a trained run's MPC from Python, as `mbrl eval` acts."""
import os
import subprocess

import pytest
import torch

import mbrl
from replay_buffer_file import read_buffer

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MBRL = os.environ.get("MBRL_BINARY", os.path.join(ROOT, "build", "mbrl"))


def read_transitions(path):
    """obs [N, O] and actions [N, A] of a replay buffer file, as tensors."""
    obs, actions, _, _ = read_buffer(path)
    return torch.from_numpy(obs), torch.from_numpy(actions)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "tiny"
    subprocess.run([MBRL, "train", "--quiet", "--out", str(out), "--set", "pets.episodes=2",
                    "--set", "pets.seed_episodes=1", "--set", "env.episode_length=10",
                    "--set", "model.hidden_size=16", "--set", "planner.population=20",
                    "--set", "agent.horizon=5", "--set", "trainer.max_epochs=2"],
                   check=True, cwd=ROOT)
    return out


def test_the_agent_takes_the_actions_mbrl_eval_takes(run_dir):
    subprocess.run([MBRL, "eval", str(run_dir), "--episodes", "1", "--out", str(run_dir / "ev")],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    obs, actions = read_transitions(str(run_dir / "ev" / "transitions.bin"))
    agent = mbrl.load_run(run_dir).agent()
    assert (agent.obs_dim, agent.action_dim) == (4, 1)
    agent.reset()
    for t in range(3):  # the warm start carries from step to step
        action = agent.act(obs[t])
        assert action.shape == (1,) and action.dtype == torch.float32
        assert torch.allclose(action, actions[t], atol=1e-4), (t, action, actions[t])


def test_another_planner_and_bad_input(run_dir):
    agent = mbrl.load_run(run_dir).agent(planner="cem-gd", overrides=["planner.n_init=50"])
    agent.reset()
    action = agent.act([0.0, 3.14, 0.0, 0.0])
    assert -3 <= action.item() <= 3
    with pytest.raises(ValueError, match=r"obs: expected 4 values"):
        agent.act([0.0, 1.0])
    with pytest.raises(ValueError, match=r"no such run directory"):
        mbrl.load_run(run_dir / "nope")
    with pytest.raises(ValueError, match=r"planner\.n_init: expected an integer"):
        mbrl.load_run(run_dir).agent(planner="cem-gd", overrides=["planner.n_init=0"])
