"""Writes the TorchScript modules the tests load: every example task's (examples/tasks/NAME/task.py
-> OUT/NAME.pt) and modules that are wrong in one way each (OUT/bad/NAME.pt), which the loader
must refuse. Run by the build when /usr/bin/python3 has torch.

    task_modules.py SOURCE_DIR OUT
"""
import glob
import os
import subprocess
import sys

import torch


class NoReward(torch.nn.Module):
    @torch.jit.export
    def preprocess(self, obs: torch.Tensor) -> torch.Tensor:
        return obs


class RewardShape(torch.nn.Module):  # [B, 1] where [B] is expected
    @torch.jit.export
    def reward(self, obs: torch.Tensor, action: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
        return next_obs[:, 0:1]


class RewardNan(torch.nn.Module):
    @torch.jit.export
    def reward(self, obs: torch.Tensor, action: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
        return torch.log(next_obs[:, 0])  # log of negative observations


class RewardDetached(torch.nn.Module):  # not differentiable
    @torch.jit.export
    def reward(self, obs: torch.Tensor, action: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
        return next_obs[:, 0].detach() + action[:, 0].detach()


class TargetOnly(torch.nn.Module):  # target without its inverse next_obs
    @torch.jit.export
    def reward(self, obs: torch.Tensor, action: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
        return next_obs[:, 0] + action[:, 0]

    @torch.jit.export
    def target(self, obs: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
        return next_obs - obs


class TerminatedFloat(torch.nn.Module):  # a float where a bool is expected
    @torch.jit.export
    def reward(self, obs: torch.Tensor, action: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
        return next_obs[:, 0] + action[:, 0]

    @torch.jit.export
    def terminated(self, next_obs: torch.Tensor) -> torch.Tensor:
        return next_obs[:, 0]


class PreprocessFlat(torch.nn.Module):  # only works on [B, O], not on [..., O]
    @torch.jit.export
    def reward(self, obs: torch.Tensor, action: torch.Tensor, next_obs: torch.Tensor) -> torch.Tensor:
        return next_obs[:, 0] + action[:, 0]

    @torch.jit.export
    def preprocess(self, obs: torch.Tensor) -> torch.Tensor:
        return obs.reshape(obs.shape[0], -1)


BAD = {"no_reward": NoReward, "reward_shape": RewardShape, "reward_nan": RewardNan,
       "reward_detached": RewardDetached, "target_only": TargetOnly,
       "terminated_float": TerminatedFloat, "preprocess_flat": PreprocessFlat}


def main(source, out):
    os.makedirs(os.path.join(out, "bad"), exist_ok=True)
    for script in sorted(glob.glob(os.path.join(source, "examples", "tasks", "*", "task.py"))):
        name = os.path.basename(os.path.dirname(script))
        subprocess.run([sys.executable, script, os.path.join(out, name + ".pt")], check=True,
                       stdout=subprocess.DEVNULL)
    for name, cls in BAD.items():
        torch.jit.script(cls()).save(os.path.join(out, "bad", name + ".pt"))
    with open(os.path.join(out, "bad", "not_torchscript.pt"), "w") as f:
        f.write("not a TorchScript archive\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
