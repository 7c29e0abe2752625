#!/usr/bin/env python3
"""Why CEM 50 pushes its actions into the bounds (docs/reproduction.md, "What the runs showed").

CEM as src/planning/cem.cc runs it (normal draws truncated to 2 standard deviations, variance
capped so that 2 standard deviations stay inside the bounds, alpha 0.1, 5 iterations, the final
mean returned, the warm start shifted one step with its last action repeated) plans 200 MPC steps
of cartpole's 1-D action in [-3, 3] at horizon 45 against returns that carry no information
(i.i.d. uniform). Prints, per setting, the fraction of executed actions above 2.9 in size and
their mean square, averaged over 5 episodes.

    /usr/bin/python3 results/fig3/analysis/cem_bound_drift.py
"""
import numpy as np

H, LO, HI = 45, -3.0, 3.0


def truncated_normal(rng, shape):
    z = rng.standard_normal(shape)
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = rng.standard_normal(bad.sum())
        bad = np.abs(z) > 2
    return z


def episode(population, elites, rng, steps=200):
    previous, executed = None, []
    for _ in range(steps):
        mean = np.zeros(H) if previous is None else np.concatenate([previous[1:], previous[-1:]])
        var = np.full(H, (HI - LO) ** 2 / 16)
        for _ in range(5):
            cap = np.minimum(((mean - LO) / 2) ** 2, ((HI - mean) / 2) ** 2)
            samples = np.clip(mean + truncated_normal(rng, (population, H)) *
                              np.sqrt(np.minimum(cap, var)), LO, HI)
            elite = samples[np.argsort(-rng.random(population))[:elites]]  # no information
            mean = 0.1 * mean + 0.9 * elite.mean(0)
            var = 0.1 * var + 0.9 * elite.var(0)
        previous = np.clip(mean, LO, HI)
        executed.append(previous[0])
    a = np.array(executed)
    return np.mean(np.abs(a) > 2.9), np.mean(a ** 2)


def main():
    rng = np.random.default_rng(0)
    for population, elites, name in [(10, 1, "cem50: 10 x 5, 1 elite"),
                                     (10, 3, "10 x 5, 3 elites"),
                                     (100, 10, "cem500: 100 x 5, 10 elites")]:
        r = np.array([episode(population, elites, rng) for _ in range(5)])
        print(f"{name:28s} |a| > 2.9: {r[:, 0].mean():.2f}   mean a^2: {r[:, 1].mean():.2f}")


if __name__ == "__main__":
    main()
