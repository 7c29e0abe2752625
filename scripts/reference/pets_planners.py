#!/usr/bin/env python3
"""PyTorch reference for `mbrl bench planners`: the same planning step in PyTorch-Python.

Written for this project from the papers' algorithms (PETS CEM; CEM-GD, Huang et al. 2021,
Algorithm 1): the default PETS ensemble (5 members, 3 x 200 SiLU, log-variance soft bounds,
input normaliser), TS-inf propagation with 20 particles, a task's model input, next state and
reward as mbrl's (--task: cartpole swingup, half-cheetah with its 4 x 200 model, humanoid
standup), and the planner labels of the CEM-GD paper (cem50, cem500, cem5000, cem-gd), horizon 45.

Three forms of the same step (--mode):
  eager   the algorithms as usually written, with their early exits (host reads)
  static  fixed shapes and no host reads: the truncated normal by the inverse CDF, the line
          search's J step sizes scored in one batch every update, no early exits
  graph   static, with each later planning step captured once as one CUDA graph and replayed
          (CUDA only): what a PyTorch user gets with torch.cuda.graphs

A population larger than --chunk sequences (1000) is scored in slices of that many, as a user
scoring CEM-GD's 15000 initial samples on a CPU would (one slice's activations stay in cache).
glibc's malloc returns large freed blocks to the kernel and takes them back page by page on the
next step, where the page faults take much of a CEM step's time;
scripts/bench_vs_pytorch.sh runs both sides with GLIBC_TUNABLES raising its mmap and trim
thresholds, as PyTorch's CPU tuning advice (a caching allocator) amounts to.

Prints one JSON line: first_ms (t = 0 step), later_mean_ms, mean_ms, median_ms.
Run with Debian's interpreter: /usr/bin/python3 scripts/reference/pets_planners.py --planner cem50
"""
import argparse
import json
import math
import os
import statistics
import time

import torch

POLE = 0.6  # cartpole pole length (include/mbrl/env/cartpole_swingup.h)


def cartpole_input(obs):  # [..., 4] -> [..., 5]
    theta = obs[..., 1:2]
    return torch.cat([torch.sin(theta), torch.cos(theta), obs[..., 0:1], obs[..., 2:4]], -1)


def cartpole_reward(action, next_obs):  # [..., A], [..., O] -> [...]
    x, theta = next_obs[..., 0], next_obs[..., 1]
    tip_x = x - POLE * torch.sin(theta)
    tip_y = -POLE * torch.cos(theta)
    dist2 = tip_x ** 2 + (tip_y - POLE) ** 2
    return torch.exp(-dist2 / POLE ** 2) - 0.01 * (action ** 2).sum(-1)


def cheetah_input(obs):  # [..., 18] -> [..., 18]: the pitch as its sine and cosine, no x velocity
    pitch = obs[..., 2:3]
    return torch.cat([obs[..., 1:2], torch.sin(pitch), torch.cos(pitch), obs[..., 3:18]], -1)


def cheetah_next(obs, pred):  # the x velocity is predicted, the rest as deltas
    return torch.cat([pred[..., :1], obs[..., 1:] + pred[..., 1:]], -1)


def delta_next(obs, pred):
    return obs + pred


class Task:
    """A task's sizes, bounds, start state, model input, next state and reward, as mbrl's
    (src/env/cartpole_swingup.cc, half_cheetah.cc, humanoid_standup.cc)."""

    def __init__(self, obs_dim, action_dim, bound, model_input, input_dim, next_obs, reward,
                 start, layers=3):
        self.obs_dim, self.action_dim, self.bound = obs_dim, action_dim, bound
        self.model_input, self.input_dim = model_input, input_dim
        self.next_obs, self.reward, self.start, self.layers = next_obs, reward, start, layers


def standup_start():  # torso 0.105 high, upright quaternion (1, 0, 0, 0), at rest
    start = [0.0] * 45
    start[0], start[1] = 0.105, 1.0
    return start


TASKS = {
    "cartpole_swingup": Task(4, 1, 3.0, cartpole_input, 5, delta_next, cartpole_reward,
                             [0.0, 3.14159, 0.0, 0.0]),  # the swingup start: pole down
    "half_cheetah": Task(18, 6, 1.0, cheetah_input, 18, cheetah_next,
                         lambda a, n: n[..., 0] - 0.1 * (a ** 2).sum(-1), [0.0] * 18, layers=4),
    "humanoid_standup": Task(45, 17, 0.4, lambda o: o, 45, delta_next,
                             lambda a, n: n[..., 0] / 0.003 - 0.1 * (a ** 2).sum(-1) + 1.0,
                             standup_start()),
}


class Ensemble(torch.nn.Module):
    """E MLPs with weights [E, in, out] applied by baddbmm; Gaussian heads with soft bounds."""

    def __init__(self, in_dim, out_dim, ensemble=5, hidden=200, layers=3):
        super().__init__()
        sizes = [in_dim] + [hidden] * layers + [2 * out_dim]
        self.weights = torch.nn.ParameterList()
        self.biases = torch.nn.ParameterList()
        for a, b in zip(sizes[:-1], sizes[1:]):
            w = torch.randn(ensemble, a, b).clamp(-2, 2) / (2 * a ** 0.5)
            self.weights.append(torch.nn.Parameter(w))
            self.biases.append(torch.nn.Parameter(torch.zeros(ensemble, 1, b)))
        self.max_logvar = torch.nn.Parameter(torch.full((1, out_dim), 0.5))
        self.min_logvar = torch.nn.Parameter(torch.full((1, out_dim), -10.0))
        self.register_buffer("in_mean", torch.zeros(in_dim))
        self.register_buffer("in_std", torch.ones(in_dim))
        self.out_dim = out_dim
        self.ensemble = ensemble

    def forward(self, x):  # x [E, N, in]
        h = (x - self.in_mean) / self.in_std
        for w, b in zip(self.weights[:-1], self.biases[:-1]):
            h = torch.nn.functional.silu(torch.baddbmm(b, h, w))
        out = torch.baddbmm(self.biases[-1], h, self.weights[-1])
        mean, logvar = out[..., : self.out_dim], out[..., self.out_dim:]
        logvar = self.max_logvar - torch.nn.functional.softplus(self.max_logvar - logvar)
        logvar = self.min_logvar + torch.nn.functional.softplus(logvar - self.min_logvar)
        return mean, logvar


class Rollout:
    def __init__(self, model, particles, task, chunk=0):
        self.model = model
        self.particles = particles
        self.task = task
        self.chunk = chunk  # sequences per evaluation; 0: all at once

    def evaluate(self, obs, actions, deterministic=False):
        """obs [O], actions [B, H, A] -> mean predicted return [B]. A population larger than
        `chunk` goes in slices of `chunk` sequences, so that each layer's activations stay in
        the caches (a whole CEM 5000 or 15000 population's are tens of MB per layer)."""
        if 0 < self.chunk < actions.shape[0]:
            return torch.cat([self._evaluate(obs, part, deterministic)
                              for part in actions.split(self.chunk)])
        return self._evaluate(obs, actions, deterministic)

    def _evaluate(self, obs, actions, deterministic):
        B, H, A = actions.shape
        E = self.model.ensemble
        model_input, next_obs, reward = self.task.model_input, self.task.next_obs, self.task.reward
        if deterministic:  # the ensemble's mean, no sampling (gradient planners)
            state = obs.expand(B, -1)
            returns = torch.zeros(B, device=obs.device)
            for t in range(H):
                a = actions[:, t]
                inp = torch.cat([model_input(state), a], 1)
                mean, _ = self.model(inp.unsqueeze(0).expand(E, -1, -1))
                nxt = next_obs(state, mean.mean(0))
                returns = returns + reward(a, nxt)
                state = nxt
            return torch.where(torch.isfinite(returns), returns, torch.full_like(returns, -1e10))
        # TS-inf: particle p of a sequence stays with member p % E. The state is laid out by
        # member, [E, B, P / E, O], so that each member's rows are one contiguous batch of the
        # model's batched products and an action reaches its particles by broadcasting.
        P = self.particles
        if P % E:
            raise SystemExit(f"--particles {P}: must be a multiple of the ensemble's {E} members")
        state = obs.expand(E, B, P // E, -1)
        returns = torch.zeros(E, B, P // E, device=obs.device)
        for t in range(H):
            a = actions[:, t].view(1, B, 1, A).expand(E, B, P // E, A)
            inp = torch.cat([model_input(state), a], -1).view(E, B * (P // E), -1)
            mean, logvar = self.model(inp)
            pred = mean + torch.exp(0.5 * logvar) * torch.randn_like(mean)
            nxt = next_obs(state, pred.view(E, B, P // E, -1))
            returns = returns + reward(a, nxt)
            state = nxt
        returns = returns.mean((0, 2))
        return torch.where(torch.isfinite(returns), returns, torch.full_like(returns, -1e10))


PHI_LOW = 0.5 * math.erfc(2 / math.sqrt(2))  # Phi(-2)


def truncated_normal(shape, device, static):
    """Normal draws truncated to [-2, 2]: redrawn outliers, or (static) the inverse CDF."""
    if static:
        u = torch.rand(shape, device=device)
        return math.sqrt(2) * torch.erfinv((2 * PHI_LOW - 1) + 2 * (1 - 2 * PHI_LOW) * u)
    z = torch.randn(shape, device=device)
    for _ in range(8):
        out = z.abs() > 2
        if not out.any():
            break
        z = torch.where(out, torch.randn_like(z), z)
    return z


def cem(rollout, obs, mean, var, low, high, population, iterations, elite_ratio=0.1, alpha=0.1,
        keep=1, static=False):
    """PETS CEM; returns (final mean, top-`keep` samples of the last iteration)."""
    n_elite = max(1, round(elite_ratio * population))
    top = None
    for _ in range(iterations):
        cap = torch.minimum(((mean - low) / 2) ** 2, ((high - mean) / 2) ** 2)
        v = torch.minimum(cap, var)
        z = truncated_normal((population, *mean.shape), mean.device, static)
        samples = (mean + z.clamp(-2, 2) * v.sqrt()).clamp(low, high)
        ret = rollout.evaluate(obs, samples)
        idx = ret.topk(max(n_elite, keep)).indices
        elites = samples[idx[:n_elite]]
        top = samples[idx[:keep]]
        mean = alpha * mean + (1 - alpha) * elites.mean(0)
        var = alpha * var + (1 - alpha) * elites.var(0, unbiased=False)
    return mean, top


class Direction:
    """The direction each line-search trial steps along: the gradient (step "gradient"), or Adam's
    bias-corrected m / (sqrt(v) + eps) with torch.optim.Adam's defaults (step "adam"), whose
    moments advance only for the rows that accept a step; as mbrl's `step` key."""

    def __init__(self, step, a):
        self.adam = step == "adam"
        if self.adam:
            self.m, self.v = torch.zeros_like(a), torch.zeros_like(a)
            self.t = torch.zeros(a.shape[0], 1, 1, dtype=torch.float64, device=a.device)

    def propose(self, grad):
        if not self.adam:
            return grad
        self.m_next = 0.9 * self.m + 0.1 * grad
        self.v_next = 0.999 * self.v + 0.001 * grad.square()
        self.t_next = self.t + 1
        c1 = (1 - 0.9 ** self.t_next).to(grad.dtype)
        c2 = (1 - 0.999 ** self.t_next).to(grad.dtype)
        return (self.m_next / c1) / ((self.v_next / c2).sqrt() + 1e-8)

    def commit(self, accepted):
        if self.adam:
            row = accepted.view(-1, 1, 1)
            self.m = torch.where(row, self.m_next, self.m)
            self.v = torch.where(row, self.v_next, self.v)
            self.t = torch.where(row, self.t_next, self.t)


def refine(rollout, obs, a, low, high, steps=10, eta_init=0.01, rho=0.67, trials=8, static=False,
           step="adam"):
    """Backtracking line-search ascent through the ensemble mean, rows in one batch."""
    if static:
        return refine_static(rollout, obs, a, low, high, steps, eta_init, rho, trials, step)
    k = a.shape[0]
    direction = Direction(step, a)
    with torch.no_grad():
        ret = rollout.evaluate(obs, a, deterministic=True)
    active = torch.ones(k, dtype=torch.bool, device=a.device)
    for _ in range(steps):
        if not active.any():
            break
        leaf = a.clone().requires_grad_(True)
        r = rollout.evaluate(obs, leaf, deterministic=True)
        (grad,) = torch.autograd.grad(r.sum(), leaf)
        with torch.no_grad():
            d = direction.propose(grad)
            eta = torch.full((k,), eta_init, device=a.device)
            searching = active.clone()
            for _ in range(trials):
                if not searching.any():
                    break
                cand = (a + eta.view(k, 1, 1) * d).clamp(low, high)
                cand_ret = rollout.evaluate(obs, cand, deterministic=True)
                accept = searching & (cand_ret > ret)
                a = torch.where(accept.view(k, 1, 1), cand, a)
                ret = torch.where(accept, cand_ret, ret)
                searching = searching & ~accept
                eta = torch.where(searching, eta * rho, eta)
            direction.commit(active & ~searching)
            active = active & ~searching
    return a, ret


def refine_static(rollout, obs, a, low, high, steps, eta_init, rho, trials, step):
    """The same accepted steps with no host reads: all `trials` step sizes scored in one batch
    and the first improving one taken per row; a row with none stops moving."""
    k, H, A = a.shape
    eta = eta_init * rho ** torch.arange(trials, device=a.device, dtype=a.dtype)  # [J]
    with torch.no_grad():
        ret = rollout.evaluate(obs, a, deterministic=True)
    active = torch.ones(k, dtype=torch.bool, device=a.device)
    direction = Direction(step, a)
    for _ in range(steps):
        leaf = a.clone().requires_grad_(True)
        r = rollout.evaluate(obs, leaf, deterministic=True)
        (grad,) = torch.autograd.grad(r.sum(), leaf)
        with torch.no_grad():
            d = direction.propose(grad)
            cand = (a.unsqueeze(0) + eta.view(-1, 1, 1, 1) * d.unsqueeze(0)).clamp(low, high)
            cand_ret = rollout.evaluate(obs, cand.view(trials * k, H, A),
                                        deterministic=True).view(trials, k)
            improves = (cand_ret > ret.unsqueeze(0)) & active.unsqueeze(0)  # [J, k]
            first = improves & (improves.cumsum(0) == 1)
            accept = improves.any(0)
            pick = first.to(a.dtype)
            a = torch.where(accept.view(k, 1, 1), (pick.view(trials, k, 1, 1) * cand).sum(0), a)
            ret = torch.where(accept, (pick * cand_ret).sum(0), ret)
            direction.commit(accept)
            active = active & accept
    return a, ret


class Planner:
    SETTINGS = {"cem50": (10, 5), "cem500": (100, 5), "cem5000": (100, 50)}

    def __init__(self, label, rollout, horizon, low, high, n_init=15000, static=False,
                 step="adam"):
        self.label, self.rollout, self.horizon = label, rollout, horizon
        self.low, self.high = low, high
        self.n_init = n_init
        self.static = static
        self.step = step
        self.previous = None

    def warm_start(self):
        center = ((self.low + self.high) / 2).expand(self.horizon, -1).clone()
        if self.previous is None:
            return center
        return torch.cat([self.previous[1:], self.previous[-1:]], 0)

    def plan(self, obs):
        with torch.no_grad():
            if self.label in self.SETTINGS:
                population, iterations = self.SETTINGS[self.label]
                var = ((self.high - self.low) ** 2 / 16).expand(self.horizon, -1).clone()
                mean, _ = cem(self.rollout, obs, self.warm_start(), var, self.low, self.high,
                              population, iterations, static=self.static)
                plan = mean.clamp(self.low, self.high)
            else:  # cem-gd: n_init 15000 at t = 0, n_r 50 after; top 1 refined
                first = self.previous is None
                var = ((self.high - self.low) / 2).pow(2).expand(self.horizon, -1).clone()
                _, top = cem(self.rollout, obs, self.warm_start(), var, self.low, self.high,
                             self.n_init if first else 50, 1, keep=1, static=self.static)
        if self.label not in self.SETTINGS:
            refined, ret = refine(self.rollout, obs, top, self.low, self.high, static=self.static,
                                  step=self.step)
            plan = refined.index_select(0, ret.argmax().view(1))[0]
        self.previous = plan.detach()
        return plan


class GraphPlanner:
    """A static Planner whose later step is captured once as a CUDA graph: the observation and
    the warm start are copied into the graph's input tensors, and each replay draws new samples
    (PyTorch advances the graph's random offsets per replay)."""

    def __init__(self, planner):
        self.planner = planner
        self.graph = None

    def plan(self, obs):
        if self.planner.previous is None:  # t = 0: a larger population, run eagerly
            return self.planner.plan(obs)
        if self.graph is None:
            self.static_obs = obs.clone()
            self.static_previous = self.planner.previous.clone()
            side = torch.cuda.Stream()
            side.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(side):  # warm-up on a side stream, as torch.cuda.graphs asks
                for _ in range(3):
                    self.planner.previous = self.static_previous
                    self.planner.plan(self.static_obs)
            torch.cuda.current_stream().wait_stream(side)
            self.graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(self.graph):
                self.planner.previous = self.static_previous
                self.static_plan = self.planner.plan(self.static_obs)
        else:
            self.static_previous.copy_(self.planner.previous)
        self.static_obs.copy_(obs)
        self.graph.replay()
        plan = self.static_plan.clone()
        self.planner.previous = plan
        return plan


def openblas_loaded():
    """Whether OpenBLAS is among this process's libraries (Debian's PyTorch reports its BLAS as
    "generic": it links libblas.so.3, which Debian points at OpenBLAS)."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            return "openblas" in maps.read()
    except OSError:
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--planner", required=True, choices=["cem50", "cem500", "cem5000", "cem-gd"])
    parser.add_argument("--task", default="cartpole_swingup", choices=sorted(TASKS))
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--horizon", type=int, default=45)
    parser.add_argument("--particles", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-init", type=int, default=15000, help="CEM-GD samples at t = 0")
    parser.add_argument("--step", default="adam", choices=["adam", "gradient"],
                        help="CEM-GD's line-search direction (configs/paper/planners/cem_gd.yaml: adam)")
    parser.add_argument("--threads", type=int, default=0,
                        help="intra-op threads (torch.set_num_threads; default: 1 beside "
                             "OpenBLAS, whose own pool OPENBLAS_NUM_THREADS sizes)")
    parser.add_argument("--chunk", type=int, default=1000,
                        help="sequences per batched evaluation: a larger population (CEM-GD's "
                             "N_init) goes in slices of this many (0: all at once)")
    parser.add_argument("--device", default="cpu", help="cpu or cuda")
    parser.add_argument("--mode", default="eager", choices=["eager", "static", "graph"],
                        help="eager (with early exits), static (no host reads) or graph "
                             "(static, each later step one CUDA graph; CUDA only)")
    args = parser.parse_args()
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: this PyTorch has no CUDA device")
    if args.mode == "graph" and device.type != "cuda":
        parser.error("--mode graph: needs --device cuda")

    # The thread rule mbrl applies (core/blas_threads.h): beside OpenBLAS's own thread pool
    # (Debian's builds), one intra-op thread. Debian trixie's PyTorch 2.6 starts two on 2 cores,
    # and the two spinning pools made a cem50 step 6.7 s against 0.14 s with one.
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    elif device.type == "cpu" and openblas_loaded():
        torch.set_num_threads(1)

    def sync():
        if device.type == "cuda":
            torch.cuda.synchronize()

    torch.manual_seed(args.seed)
    task = TASKS[args.task]
    model = Ensemble(task.input_dim + task.action_dim, task.obs_dim, layers=task.layers).to(device)
    model.eval()
    rollout = Rollout(model, args.particles, task, args.chunk)
    low = torch.full((task.action_dim,), -task.bound, device=device)
    high = torch.full((task.action_dim,), task.bound, device=device)
    obs = torch.tensor(task.start, device=device)
    planner = Planner(args.planner, rollout, args.horizon, low, high, args.n_init,
                      static=args.mode != "eager", step=args.step)
    planner.plan(obs)  # warm-up: one untimed t = 0 plan, as `mbrl bench planners`
    sync()
    planner.previous = None
    if args.mode == "graph":
        planner = GraphPlanner(planner)
    ms = []
    for _ in range(args.steps):
        start = time.perf_counter()
        planner.plan(obs)
        sync()
        ms.append((time.perf_counter() - start) * 1000)
    later = ms[1:] or ms
    print(json.dumps({"planner": args.planner, "task": args.task, "device": str(device), "mode": args.mode,
                      "threads": torch.get_num_threads(), "chunk": args.chunk,
                      "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS", "default"),
                      "first_ms": ms[0], "later_mean_ms": sum(later) / len(later),
                      "mean_ms": sum(ms) / len(ms), "median_ms": statistics.median(ms)}))


if __name__ == "__main__":
    main()
