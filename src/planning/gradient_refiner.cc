#include "mbrl/planning/gradient_refiner.h"

#include "mbrl/core/shape.h"

namespace mbrl::planning {

Refinement RefineWithLineSearch(TrajectoryObjective& objective, const torch::Tensor& obs,
                                const torch::Tensor& actions, const config::LineSearchConfig& config,
                                const torch::Tensor& low, const torch::Tensor& high) {
  CheckShape(actions, {-1, -1, low.size(0)}, "RefineWithLineSearch actions");
  const int64_t k = actions.size(0);
  const auto clamp = [&](const torch::Tensor& x) { return torch::max(torch::min(x, high), low); };
  Refinement out;
  auto a = clamp(actions.detach()).clone();  // [k, H, A]
  torch::Tensor ret;                         // [k]
  {
    torch::NoGradGuard no_grad;
    ret = objective.EvaluateDeterministic(obs, a);
  }
  out.initial = ret.clone();
  auto active = torch::ones({k}, torch::TensorOptions().dtype(torch::kBool).device(a.device()));
  for (int step = 0; step < config.grad_steps; ++step) {
    if (!active.any().item<bool>()) break;
    // Gradient of each row's own return (rows are independent, so the sum's gradient splits).
    torch::Tensor grad;  // [k, H, A]
    {
      torch::AutoGradMode enable(true);
      auto leaf = a.clone().requires_grad_(true);
      const auto r = objective.EvaluateDeterministic(obs, leaf);  // [k]
      grad = torch::autograd::grad({r.sum()}, {leaf})[0].detach();
    }
    torch::NoGradGuard no_grad;
    auto eta = torch::full({k}, config.eta_init, a.options());  // [k], each row its own
    auto searching = active.clone();                            // rows still without a step
    for (int trial = 0; trial < config.line_search_trials; ++trial) {
      if (!searching.any().item<bool>()) break;
      const auto candidate = clamp(a + eta.view({k, 1, 1}) * grad);   // [k, H, A]
      const auto cand_ret = objective.EvaluateDeterministic(obs, candidate);  // [k]
      out.trials += searching.sum().item<int64_t>();
      const auto accept = searching & (cand_ret > ret);  // [k]
      a = torch::where(accept.view({k, 1, 1}), candidate, a);
      ret = torch::where(accept, cand_ret, ret);
      out.accepted += accept.sum().item<int64_t>();
      searching = searching & ~accept;
      eta = torch::where(searching, eta * config.rho, eta);
    }
    // A row that found no improving step in J trials has finished.
    active = active & ~searching;
  }
  out.actions = a;
  out.returns = ret;
  return out;
}

}  // namespace mbrl::planning
