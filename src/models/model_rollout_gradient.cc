// ModelRollout's deterministic pass with a hand-written gradient for one sequence on CPU.
//
// Autograd records about ten nodes per model step for the task's preprocess and next-observation
// functions and the model; at one row its bookkeeping costs more than the model's own chain rule
// (docs/performance.md, "One-sequence mean rollouts"). Here the forward pass runs without
// autograd, keeping the states and the model's pre-activations; the gradient then needs the
// rewards' gradient (one small autograd graph over all H steps) and one reverse sweep over the
// steps: the model's chain rule and the task's Jacobians.
// - A task that declares its input features and targets, in float: MeanRowRollout, whose plain
//   loops know the task's Jacobians in closed form (no operator per step).
// - Otherwise the task's Jacobians come from two more small autograd graphs over all steps
//   (PreprocessObs, NextObsFromPrediction), the model's chain rule from
//   MemberMeanMlp::BackwardRow, and small Jacobian-vector products in plain loops.
#include <cmath>
#include <vector>

#include "mbrl/core/shape.h"
#include "mbrl/models/mean_row_rollout.h"
#include "mbrl/models/member_mean.h"
#include "mbrl/models/model_rollout.h"

namespace mbrl::models {
namespace {

// Per-row Jacobians of f at each of H points: x [H, n] -> J [H, m, n], J[t] = d f(x)[t] / d x[t],
// for an f that maps rows independently ([N, n] -> [N, m]). Each point is repeated m times and
// the backward pass of one graph seeds row i of each copy, so one small graph gives all H
// Jacobians. Inputs f does not use get zero Jacobians.
std::vector<torch::Tensor> RowJacobians(
    const std::function<torch::Tensor(const std::vector<torch::Tensor>&)>& f,
    const std::vector<torch::Tensor>& xs, int64_t m) {
  torch::AutoGradMode enable(true);
  const int64_t H = xs[0].size(0);
  std::vector<torch::Tensor> leaves;
  for (const auto& x : xs) {
    leaves.push_back(x.detach().repeat_interleave(m, 0).requires_grad_(true));  // [H * m, n]
  }
  const auto y = f(leaves);  // [H * m, m]
  const auto seed = torch::eye(m, y.options()).repeat({H, 1});
  const auto grads = torch::autograd::grad({y}, leaves, {seed}, /*retain_graph=*/false,
                                           /*create_graph=*/false, /*allow_unused=*/true);
  std::vector<torch::Tensor> out;
  for (size_t i = 0; i < xs.size(); ++i) {
    const auto g = grads[i].defined() ? grads[i] : torch::zeros_like(leaves[i]);
    out.push_back(g.view({H, m, xs[i].size(1)}).contiguous());
  }
  return out;
}

// out[j] += sum_i J[i][j] * v[i] for a row-major J [m, n]: out += J^T v.
void AddTransposedProduct(const float* J, const float* v, int64_t m, int64_t n, float* out) {
  for (int64_t i = 0; i < m; ++i) {
    const float vi = v[i];
    if (vi == 0.0f) continue;
    const float* row = J + i * n;
    for (int64_t j = 0; j < n; ++j) out[j] += row[j] * vi;
  }
}

// d(summed rewards) / d states [H + 1, O] and / d actions [H, A] of a mean trajectory: one
// small autograd graph over all steps.
std::pair<torch::Tensor, torch::Tensor> RewardGradients(const RolloutDynamics& dynamics,
                                                        const torch::Tensor& states,
                                                        const torch::Tensor& acts) {
  torch::AutoGradMode enable(true);
  const int64_t H = acts.size(0), A = acts.size(1), O = states.size(1);
  const auto s_leaf = states.detach().requires_grad_(true);
  const auto a_leaf = acts.detach().requires_grad_(true);
  const auto r = dynamics.ScoreSteps(s_leaf.view({H + 1, 1, O}), a_leaf.view({1, H, A}));
  const auto g = torch::autograd::grad({r.sum()}, {s_leaf, a_leaf}, {}, false, false, true);
  return {g[0].defined() ? g[0].contiguous() : torch::zeros_like(states),
          g[1].defined() ? g[1].contiguous() : torch::zeros_like(acts)};
}

}  // namespace

std::shared_ptr<const MemberMeanMlp> ModelRollout::PreparedMeanMlp() {
  std::vector<std::pair<const void*, int64_t>> stamp;
  const auto& model = dynamics_.model();
  for (const auto& t : model->parameters()) stamp.emplace_back(t.data_ptr(), t._version());
  for (const auto& t : model->buffers()) stamp.emplace_back(t.data_ptr(), t._version());
  if (!mean_mlp_ || stamp != mean_mlp_stamp_) {
    mean_mlp_ = std::make_shared<const MemberMeanMlp>(model);
    mean_mlp_stamp_ = std::move(stamp);
  }
  return mean_mlp_;
}

std::shared_ptr<MeanRowRollout> ModelRollout::MeanRow() {
  auto mlp = PreparedMeanMlp();
  if (!mean_row_ || mean_row_.use_count() > 1 || &mean_row_->mlp() != mlp.get()) {
    mean_row_ = std::make_shared<MeanRowRollout>(dynamics_, std::move(mlp));
  }
  return mean_row_;
}

DeterministicPass ModelRollout::EvaluateDeterministicWithGradient(const torch::Tensor& obs,
                                                                  const torch::Tensor& actions) {
  CheckShape(obs, {dynamics_.task().ObsDim()}, "ModelRollout obs");
  CheckShape(actions, {-1, -1, dynamics_.task().ActionDim()}, "ModelRollout actions");
  if (capture_ready_ || actions.size(0) != 1 || actions.size(1) == 0 ||
      !actions.device().is_cpu() || actions.scalar_type() != torch::kFloat) {
    return TrajectoryObjective::EvaluateDeterministicWithGradient(obs, actions);
  }
  torch::NoGradGuard no_grad;
  const int64_t H = actions.size(1), A = actions.size(2), O = dynamics_.task().ObsDim();
  const int64_t I = dynamics_.task().ModelObsDim();
  const auto acts = actions[0].contiguous();  // [H, A]
  DeterministicPass pass;
  if (MeanRowRollout::Supports(dynamics_)) {
    // The task's Jacobians in closed form: the whole pass in MeanRowRollout's plain loops, the
    // forward pass the same as EvaluateDeterministic's (the mean_row executor).
    auto row = MeanRow();
    const auto states = row->Forward(obs, acts);  // [H + 1, O]
    const auto total = dynamics_.ScoreSteps(states.unsqueeze(1), actions);  // [1]
    const bool finite = std::isfinite(total.item<float>());
    pass.returns = finite ? total : torch::full_like(total, -1e10);
    pass.gradient = [this, row, states, acts, finite, H, A]() {
      if (!finite) return torch::zeros({1, H, A}, acts.options());
      const auto [g_states, g_acts] = RewardGradients(dynamics_, states, acts);
      return (row->Backward(g_states) + g_acts).view({1, H, A});
    };
    return pass;
  }
  auto mlp = std::make_shared<MemberMeanMlp>(dynamics_.model());
  const auto steps = acts.unbind(0);          // H x [A]
  // The forward pass of Rollout(mean) for one row, keeping each step's pre-activations.
  std::vector<torch::Tensor> states = {obs.to(acts.options()).view({1, O})};
  std::vector<std::vector<torch::Tensor>> pre(H);
  std::vector<torch::Tensor> preds;  // H x [1, P], the model's predictions
  states.reserve(H + 1);
  preds.reserve(H);
  for (int64_t t = 0; t < H; ++t) {
    const auto input =
        torch::cat({dynamics_.task().PreprocessObs(states.back()), steps[t].view({1, A})}, 1);
    preds.push_back(mlp->ForwardRow(input.view({-1}), &pre[t]).view({1, -1}));
    states.push_back(dynamics_.task().NextObsFromPrediction(states.back(), preds.back()));
  }
  const auto all = torch::stack(states);        // [H + 1, 1, O]
  const auto total = dynamics_.ScoreSteps(all, actions);  // [1]
  const bool finite = std::isfinite(total.item<float>());
  pass.returns = finite ? total : torch::full_like(total, -1e10);
  // The gradient needs this rollout (its task) alive: callers use it right away.
  pass.gradient = [this, mlp, all, acts, pre = std::move(pre), preds = torch::cat(preds), finite,
                   H, A, O, I]() {
    if (!finite) return torch::zeros({1, H, A}, acts.options());  // the -1e10 is a constant
    const auto s = all.view({H + 1, O});
    const auto [g_states, g_acts] = RewardGradients(dynamics_, s, acts);
    const auto before = s.narrow(0, 0, H);  // [H, O]
    // Step t's Jacobians: input features by state [H, I, O]; next state by state [H, O, O] and
    // by the model's prediction [H, O, P].
    const auto j_pre = RowJacobians(
        [this](const std::vector<torch::Tensor>& x) {
          return dynamics_.task().PreprocessObs(x[0]);
        },
        {before}, I)[0];
    const auto j_next = RowJacobians(
        [this](const std::vector<torch::Tensor>& x) {
          return dynamics_.task().NextObsFromPrediction(x[0], x[1]);
        },
        {before, preds}, O);
    const auto j_s = j_next[0], j_p = j_next[1];
    const int64_t P = preds.size(1);
    const auto weights = mlp->BackwardWeights();
    auto g_out = torch::zeros({H, A}, acts.options());
    const float* gs = g_states.data_ptr<float>();
    std::vector<float> G(gs + H * O, gs + (H + 1) * O);  // d/d s_H: its reward terms only
    std::vector<float> next(O);
    const float* ga = g_acts.data_ptr<float>();
    float* go = g_out.data_ptr<float>();
    const float* js = j_s.data_ptr<float>();
    const float* jp = j_p.data_ptr<float>();
    const float* jpre = j_pre.data_ptr<float>();
    for (int64_t t = H - 1; t >= 0; --t) {
      // G = d/d s_{t+1}; s_{t+1} = next(s_t, pred_t), pred_t = mlp(pre(s_t), a_t).
      auto g_pred = torch::zeros({P}, acts.options());
      AddTransposedProduct(jp + t * O * P, G.data(), O, P, g_pred.data_ptr<float>());
      const auto g_in = MemberMeanMlp::BackwardRow(g_pred, pre[t], weights, mlp->members())
                            .contiguous();  // [I + A]
      const float* gi = g_in.data_ptr<float>();
      for (int64_t j = 0; j < A; ++j) go[t * A + j] = gi[I + j] + ga[t * A + j];
      for (int64_t j = 0; j < O; ++j) next[j] = gs[t * O + j];
      AddTransposedProduct(js + t * O * O, G.data(), O, O, next.data());
      AddTransposedProduct(jpre + t * I * O, gi, I, O, next.data());
      G.swap(next);
    }
    return g_out.view({1, H, A});
  };
  return pass;
}

}  // namespace mbrl::models
