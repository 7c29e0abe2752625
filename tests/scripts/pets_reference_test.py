#!/usr/bin/env python3
"""scripts/reference/pets_planners.py: a population scored in slices (--chunk) gets the returns it
gets in one batch (the ensemble mean's rollouts, which draw nothing), TS-inf returns one finite
value per sequence either way, and the script runs a short CEM-GD step with a chunk smaller than
its population, printing the chunk it used. Exits 77 (skipped) without PyTorch."""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "..", "..", "scripts", "reference", "pets_planners.py")

try:
    import torch
except ImportError:
    print("no torch in this interpreter")
    sys.exit(77)
sys.path.insert(0, os.path.dirname(SCRIPT))
import pets_planners as pp  # noqa: E402


def main():
    torch.manual_seed(0)
    for name in ("cartpole_swingup", "half_cheetah"):
        task = pp.TASKS[name]
        model = pp.Ensemble(task.input_dim + task.action_dim, task.obs_dim, hidden=16,
                            layers=task.layers)
        obs = torch.tensor(task.start)
        actions = (torch.rand(23, 7, task.action_dim) * 2 - 1) * task.bound
        with torch.no_grad():
            whole = pp.Rollout(model, 10, task, 0).evaluate(obs, actions, deterministic=True)
            sliced = pp.Rollout(model, 10, task, 5).evaluate(obs, actions, deterministic=True)
            assert torch.allclose(whole, sliced, rtol=1e-5, atol=1e-5), (name, whole, sliced)
            ts = pp.Rollout(model, 10, task, 5).evaluate(obs, actions)
            assert ts.shape == (23,) and torch.isfinite(ts).all(), (name, ts)
    out = subprocess.run([sys.executable, SCRIPT, "--planner", "cem-gd", "--steps", "2",
                          "--horizon", "4", "--n-init", "30", "--chunk", "8"],
                         capture_output=True, text=True, check=True).stdout
    line = json.loads(out)
    assert line["chunk"] == 8 and line["later_mean_ms"] > 0, line
    print("ok")


if __name__ == "__main__":
    main()
