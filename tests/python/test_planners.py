"""mbrl.make_planner on objectives written in Python."""
import pytest
import torch

import mbrl

TARGET = torch.tensor([0.3, -0.6])


def quadratic(actions):
    """[B, H, 2] -> [B]: highest (0) where every action equals TARGET."""
    return -(actions - TARGET).square().sum(dim=(1, 2))


# Small settings per planner, so that each converges in a few plans.
SETTINGS = {
    "cem": dict(population=200, iterations=5),
    "cem-gd": dict(n_init=500, n_r=50),
    "dcem": dict(samples=200, iterations=10),
    "grad": dict(eta_init=0.5, grad_steps=20),
    "grad-mpc": dict(candidates=20, iterations=100, learning_rate=0.05),
    "icem": dict(),
    "mppi": dict(sigma=0.3),
    "random": dict(population=2000),
}


def test_every_planner_is_covered():
    assert sorted(SETTINGS) == sorted(mbrl.planner_names())


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_planner_converges_to_a_known_optimum(name):
    torch.manual_seed(0)
    planner = mbrl.make_planner(name, horizon=4, low=[-1, -1], high=[1, 1], seed=1,
                                **SETTINGS[name])
    for _ in range(5):
        plan = planner.plan(None, quadratic)
    assert plan.shape == (4, 2)
    assert plan.dtype == torch.float32
    if name == "random":  # the best of uniform samples in 8 dimensions: better than the centre
        assert quadratic(plan[None]).item() > 0.5 * quadratic(torch.zeros(1, 4, 2)).item()
    else:
        assert (plan - TARGET).abs().max().item() < 0.15, plan
    assert planner.last_stats["expected_return"] <= 0


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_make_planner_builds_the_planner_that_the_planner_flag_and_type_key_build(name):
    """One planner per name: make_planner(name), load_config(planner=name) (--planner) and
    planner.type=name (--set) resolve the same settings and plan the same sequences."""
    flag = mbrl.load_config(None, planner=name)
    key = mbrl.load_config(None, ["planner.type=" + name])
    assert flag.to_dict()["planner"] == key.to_dict()["planner"]
    by_name = mbrl.make_planner(name, horizon=3, low=[-1, -1], high=[1, 1], seed=3)
    by_flag = mbrl.make_planner(name, horizon=3, low=[-1, -1], high=[1, 1], seed=3, config=flag)
    for _ in range(2):  # the second plan starts from the first (warm start)
        a, b = by_name.plan(None, quadratic), by_flag.plan(None, quadratic)
        assert torch.equal(a, b), (name, a, b)


def test_a_gradient_planner_backpropagates_into_the_python_function():
    calls = {"grad": 0}

    def objective(actions):
        if actions.requires_grad:
            calls["grad"] += 1
        return quadratic(actions)

    # The plain gradient step: where one plan lands depends on the gradient's values.
    planner = mbrl.make_planner("grad", horizon=3, low=[-1, -1], high=[1, 1], seed=0,
                                eta_init=0.5, step="gradient")
    plan = planner.plan(None, objective)
    assert calls["grad"] > 0
    assert (plan - TARGET).abs().max().item() < 0.05


def test_the_objective_sees_the_batch_once_per_call_not_per_sample():
    sizes = []

    def objective(actions):
        sizes.append(actions.shape[0])
        return quadratic(actions)

    planner = mbrl.make_planner("cem", horizon=2, low=[-1, -1], high=[1, 1], population=64,
                                iterations=3)
    planner.plan(None, objective)
    # One call per iteration with all 64 samples, then one scoring the plan it returns.
    assert sizes == [64, 64, 64, 1]


def test_bad_input_raises_with_the_message():
    with pytest.raises(ValueError, match=r"planner\.type: expected one of"):
        mbrl.make_planner("nope", horizon=3, low=[-1], high=[1])
    with pytest.raises(ValueError, match=r"planner\.population: expected an integer"):
        mbrl.make_planner("cem", horizon=3, low=[-1], high=[1], population=0)
    with pytest.raises(ValueError, match=r"low, high"):
        mbrl.make_planner("cem", horizon=3, low=[1], high=[-1])
    planner = mbrl.make_planner("cem", horizon=3, low=[-1], high=[1], population=10)
    with pytest.raises(RuntimeError, match=r"objective: expected returns of shape \[10\]"):
        planner.plan(None, lambda a: a.sum())
    with pytest.raises(ZeroDivisionError):
        planner.plan(None, lambda a: 1 / 0)


@pytest.mark.parametrize("name", ["grad", "cem-gd", "cem"])
def test_an_objective_of_the_wrong_dtype_is_refused_naming_it(name):
    planner = mbrl.make_planner(name, horizon=3, low=[-1], high=[1], seed=0)
    with pytest.raises(RuntimeError, match=r"objective: expected floating-point returns .*Long"):
        planner.plan(None, lambda a: (a.sum(dim=(1, 2)) * 100).long())
    if name != "cem":  # a gradient planner also needs returns that depend on the actions
        with pytest.raises(RuntimeError, match=r"objective: a gradient planner differentiates"):
            planner.plan(None, lambda a: a.detach().sum(dim=(1, 2)))
