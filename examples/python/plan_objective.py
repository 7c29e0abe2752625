"""MPC in your own Python loop with an mbrl planner: a point mass on a plane steered to a goal,
its dynamics and cost written in torch (batched, differentiable), planned by any mbrl planner.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/plan_objective.py [--planner cem] [--steps 40]
"""
import argparse

import torch

import mbrl

DT = 0.1
GOAL = torch.tensor([1.0, -0.5])


def rollout_returns(state, actions):
    """state [4] (position, velocity), actions [B, H, 2] (accelerations) -> returns [B]: minus the
    distance to the goal summed over the horizon, minus a small effort cost."""
    pos = state[:2].expand(actions.shape[0], 2)
    vel = state[2:].expand(actions.shape[0], 2)
    total = torch.zeros(actions.shape[0])
    for t in range(actions.shape[1]):
        vel = vel + DT * actions[:, t]
        pos = pos + DT * vel
        total = total - (pos - GOAL).norm(dim=1) - 0.01 * actions[:, t].square().sum(1)
    return total


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--planner", default="cem", choices=mbrl.planner_names())
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    planner = mbrl.make_planner(args.planner, horizon=15, low=[-1, -1], high=[1, 1], seed=0)
    state = torch.zeros(4)
    planner.reset()
    for step in range(args.steps):
        plan = planner.plan(state, lambda actions: rollout_returns(state, actions))
        action = plan[0]
        state = torch.cat([state[:2] + DT * (state[2:] + DT * action), state[2:] + DT * action])
    distance = (state[:2] - GOAL).norm().item()
    print(f"{args.planner}: distance to the goal after {args.steps} steps: {distance:.3f}")
    return distance


if __name__ == "__main__":
    main()
