#include "mbrl/planning/gradient_refiner.h"

#include "mbrl/core/shape.h"
#include "mbrl/planning/planner.h"

namespace mbrl::planning {

Refinement RefineWithLineSearch(TrajectoryObjective& objective, const torch::Tensor& obs,
                                const torch::Tensor& actions,
                                const config::LineSearchConfig& config, const torch::Tensor& low,
                                const torch::Tensor& high, bool capture_ready) {
  CheckShape(actions, {-1, -1, low.size(0)}, "RefineWithLineSearch actions");
  const int64_t k = actions.size(0);
  const auto clamp = [&](const torch::Tensor& x) { return ClampToBounds(x, low, high); };
  // The deterministic return of x [k, H, A]. With `keep`, the pass is kept in `pending` so that
  // the next update's gradient at x needs no second forward pass.
  DeterministicPass pending;
  const auto evaluate = [&](const torch::Tensor& x, bool keep) {
    if (!keep) {
      torch::NoGradGuard no_grad;
      return objective.EvaluateDeterministic(obs, x);
    }
    pending = objective.EvaluateDeterministicWithGradient(obs, x);
    return pending.returns;
  };
  const auto drop_pending = [&] { pending = DeterministicPass(); };
  Refinement out;
  auto a = clamp(actions.detach()).clone();                // [k, H, A]
  torch::Tensor ret = evaluate(a, config.grad_steps > 0);  // [k]
  out.initial = ret.clone();
  const auto long_opts = torch::TensorOptions().dtype(torch::kLong).device(a.device());
  out.trials = torch::zeros({}, long_opts);
  out.accepted = torch::zeros({}, long_opts);
  auto active = torch::ones({k}, torch::TensorOptions().dtype(torch::kBool).device(a.device()));
  // Adam's moments and step count per row (step "adam"), advanced only by accepted updates.
  const bool adam = config.step == "adam";
  constexpr double kBeta1 = 0.9, kBeta2 = 0.999, kEps = 1e-8;  // torch.optim.Adam's defaults
  torch::Tensor m, v, t;
  if (adam) {
    m = torch::zeros_like(a);
    v = torch::zeros_like(a);
    t = torch::zeros({k, 1, 1}, a.options().dtype(torch::kDouble));  // exact bias corrections
  }
  for (int step = 0; step < config.grad_steps; ++step) {
    if (!capture_ready && !active.any().item<bool>()) break;
    // Gradient of each row's own return (rows are independent, so the sum's gradient splits).
    if (!pending.gradient) evaluate(a, true);
    const auto grad = pending.gradient();  // [k, H, A]
    drop_pending();
    torch::NoGradGuard no_grad;
    // The direction every trial step size scales: the gradient, or Adam's normalised step.
    torch::Tensor direction = grad, m_next, v_next, t_next;
    if (adam) {
      m_next = kBeta1 * m + (1 - kBeta1) * grad;
      v_next = kBeta2 * v + (1 - kBeta2) * grad.square();
      t_next = t + 1;
      const auto c1 = (1 - torch::pow(kBeta1, t_next)).to(a.scalar_type());  // [k, 1, 1]
      const auto c2 = (1 - torch::pow(kBeta2, t_next)).to(a.scalar_type());
      direction = (m_next / c1) / ((v_next / c2).sqrt() + kEps);
    }
    // The objective is deterministic, so scoring the J step sizes eta_init * rho^j in batches and
    // taking the first improving one per row accepts exactly the sequential search's step. The
    // first size goes alone: it is usually accepted (every step of CEM-GD's later MPC steps in
    // the paper's setting), and one k-row rollout costs far less than a J * k-row one. It is
    // scored as a pass whose gradient can follow, so that when every active row accepts it, the
    // next update's gradient reuses that forward pass. The other J - 1 sizes follow in one
    // batch when some active row rejected the first.
    const int64_t J = config.line_search_trials;
    const auto eta = config.eta_init * torch::pow(torch::full({J}, config.rho, a.options()),
                                                  torch::arange(J, a.options()));  // [J]
    const auto all =
        clamp(a.unsqueeze(0) + eta.view({J, 1, 1, 1}) * direction.unsqueeze(0));  // [J, k, H, A]
    torch::Tensor cand_ret;                                                  // [1 or J, k]
    if (capture_ready) {
      // Capture-ready: all J sizes in one batch every update, and no pass kept (the next
      // update's gradient comes from its own pass), so that nothing depends on tensor values.
      cand_ret = evaluate(all.reshape({J * k, a.size(1), a.size(2)}), false).view({J, k});
    } else {
      const bool another = step + 1 < config.grad_steps;
      cand_ret = evaluate(all[0], another).view({1, k});
      if (J > 1 && (active & ~(cand_ret[0] > ret)).any().item<bool>()) {
        const auto rest = all.narrow(0, 1, J - 1).reshape({(J - 1) * k, a.size(1), a.size(2)});
        cand_ret =
            torch::cat({cand_ret, objective.EvaluateDeterministic(obs, rest).view({J - 1, k})});
      }
    }
    const int64_t scored = cand_ret.size(0);                                    // 1 or J
    const auto candidates = all.narrow(0, 0, scored);                           // [scored, k, H, A]
    const auto improves = (cand_ret > ret.unsqueeze(0)) & active.unsqueeze(0);  // [scored, k]
    const auto first = improves & (improves.cumsum(0) == 1);                    // one-hot
    const auto accept = improves.any(0);                                        // [k]
    // The kept pass holds each row's gradient at the first size: right for a row that
    // accepted it, and unused by a row that stopped; a row that accepted a smaller size needs
    // a new one.
    if (!capture_ready && scored > 1 && first.narrow(0, 1, scored - 1).any().item<bool>()) {
      drop_pending();
    }
    const auto pick = first.to(a.scalar_type());  // [scored, k]
    a = torch::where(accept.view({k, 1, 1}), (pick.view({scored, k, 1, 1}) * candidates).sum(0), a);
    ret = torch::where(accept, (pick * cand_ret).sum(0), ret);
    if (adam) {
      const auto accepted_row = accept.view({k, 1, 1});
      m = torch::where(accepted_row, m_next, m);
      v = torch::where(accepted_row, v_next, v);
      t = torch::where(accepted_row, t_next, t);
    }
    // Trials the sequential search uses: up to the accepted one, or all J for a failed row (which
    // only happens when all J were scored).
    const auto used = torch::where(accept, first.to(torch::kLong).argmax(0) + 1,
                                   torch::full_like(accept, J, torch::kLong));  // [k]
    out.trials = out.trials + (used * active.to(torch::kLong)).sum();
    out.accepted = out.accepted + accept.sum();
    // A row that found no improving step in J trials has finished.
    active = active & accept;
  }
  out.actions = a;
  out.returns = ret;
  return out;
}

}  // namespace mbrl::planning
