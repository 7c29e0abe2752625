"""The reacher's task functions, saved as TorchScript for mbrl (task: mjcf).

    /usr/bin/python3 task.py [OUT]      writes task.pt beside this file (or OUT)

obs (the sensors of reacher.xml, in file order):
    0 shoulder angle, 1 elbow angle, 2-3 their velocities,
    4-6 fingertip position (x, y, z), 7-9 target position (x, y, z)
action: the two joint torques, in [-1, 1].
Edit the reward below and run this file again; mbrl reads task.pt when a run starts.
"""
import os
import sys

import torch


class Reacher(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.control_cost = 0.01

    @torch.jit.export
    def reward(self, obs: torch.Tensor, action: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
        """[B, 10], [B, 2], [B, 10] -> [B]: minus the fingertip's distance to the target, minus a
        torque cost."""
        gap = next_obs[:, 4:6] - next_obs[:, 7:9]
        distance = torch.sqrt(gap.square().sum(1) + 1e-8)
        return -distance - self.control_cost * action.square().sum(1)

    @torch.jit.export
    def preprocess(self, obs: torch.Tensor) -> torch.Tensor:
        """[..., 10] -> [..., 10]: the angles as sines and cosines, the velocities, and the
        fingertip's and target's x and y."""
        angles = obs[..., 0:2]
        return torch.cat([torch.sin(angles), torch.cos(angles), obs[..., 2:4], obs[..., 4:6],
                          obs[..., 7:9]], -1)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "task.pt")
    torch.jit.script(Reacher()).save(out)
    print("wrote", out)
