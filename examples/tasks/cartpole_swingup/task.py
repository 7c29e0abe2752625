"""Cartpole swing-up's task functions, saved as TorchScript for mbrl (task: mjcf).

    /usr/bin/python3 task.py [OUT]      writes task.pt beside this file (or OUT)

obs = [x, theta, x_dot, theta_dot] (the sensors of cartpole.xml, in file order), action = [force].
Every function is batched over the leading dimension(s) and written in torch operations only, so
that mbrl's gradient planners can differentiate the reward.
"""
import os
import sys

import torch


class CartpoleSwingup(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.pole = 0.6  # pole length: the tip's goal is (0, pole)

    @torch.jit.export
    def reward(self, obs: torch.Tensor, action: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
        """[B, O], [B, A], [B, O] -> [B]: closeness of the pole's tip to upright, minus a force cost."""
        x, theta = next_obs[:, 0], next_obs[:, 1]
        tip_x = x - self.pole * torch.sin(theta)
        tip_y = -self.pole * torch.cos(theta)
        dist2 = tip_x.square() + (tip_y - self.pole).square()
        return torch.exp(-dist2 / (self.pole * self.pole)) - 0.01 * action.square().sum(1)

    @torch.jit.export
    def preprocess(self, obs: torch.Tensor) -> torch.Tensor:
        """[..., O] -> [..., 5]: the model sees the angle as its sine and cosine."""
        theta = obs[..., 1:2]
        return torch.cat([torch.sin(theta), torch.cos(theta), obs[..., 0:1], obs[..., 2:4]], -1)


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "task.pt")
    torch.jit.script(CartpoleSwingup()).save(out)
    print("wrote", out)
