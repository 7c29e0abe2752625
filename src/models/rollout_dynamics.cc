#include "mbrl/models/rollout_dynamics.h"

#include <algorithm>
#include <optional>

#include "mbrl/config/model.h"
#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"
#include "mbrl/models/member_mean.h"

namespace mbrl::models {

Propagation ParsePropagation(const std::string& name) {
  const auto& modes = config::PropagationModes();
  static_assert(static_cast<int>(Propagation::kMean) == 3, "one value per name, in its order");
  const auto it = std::find(modes.begin(), modes.end(), name);
  if (it == modes.end() || modes.size() != 4) {
    throw ConfigError("rollout.propagation: unknown mode '" + name +
                      "', expected one of: " + Join(modes));
  }
  return static_cast<Propagation>(it - modes.begin());
}

RolloutJob RolloutJob::Slice(int64_t b, int64_t n) const {
  RolloutJob part = *this;
  part.whole_rows = whole_job_rows();
  part.actions = actions.narrow(0, b, n);
  return part;
}

RolloutDynamics::RolloutDynamics(GaussianEnsemble model, const env::Task& task)
    : model_(std::move(model)), task_(task) {}

torch::Tensor RolloutDynamics::Step(const torch::Tensor& obs, const torch::Tensor& action,
                                    Propagation mode, const MemberMeanMlp* member_mean,
                                    at::Generator& gen, bool serial) const {
  const int64_t M = obs.size(0);
  const int64_t E = model_->ensemble_size();
  auto& model = const_cast<GaussianEnsemble&>(model_);                   // forward() is not const
  const auto input = torch::cat({task_.PreprocessObs(obs), action}, 1);  // [M, I]
  torch::Tensor mean, logvar;                                            // [M, O]
  switch (mode) {
    case Propagation::kTsInf: {
      // Row r = b * P + p belongs to member p % E: view [M / E, E, I] and put E first.
      const auto in = input.view({M / E, E, -1}).transpose(0, 1);           // [E, M / E, I]
      auto [m, lv] = serial ? model->ForwardRows(in) : model->forward(in);  // [E, M / E, O]
      mean = m.transpose(0, 1).reshape({M, -1});
      logvar = lv.transpose(0, 1).reshape({M, -1});
      break;
    }
    case Propagation::kTs1: {
      // A fresh random assignment of rows to members each step.
      const auto perm =
          torch::randperm(M, gen, torch::TensorOptions().dtype(torch::kLong).device(obs.device()));
      const int64_t per = (M + E - 1) / E;
      auto shuffled = input.index_select(0, perm);  // [M, I]
      if (per * E != M) {
        shuffled = torch::cat({shuffled, shuffled.narrow(0, 0, per * E - M)}, 0);
      }
      auto [m, lv] = model->forward(shuffled.view({E, per, -1}));  // [E, per, O]
      const auto inv = torch::argsort(perm);
      mean = m.reshape({E * per, -1}).narrow(0, 0, M).index_select(0, inv);
      logvar = lv.reshape({E * per, -1}).narrow(0, 0, M).index_select(0, inv);
      break;
    }
    case Propagation::kExpectation: {
      const auto shared = input.unsqueeze(0).expand({E, M, input.size(1)});
      auto [m, lv] = serial ? model->ForwardRows(shared) : model->forward(shared);  // [E, M, O]
      mean = m.mean(0);
      logvar = lv.mean(0);
      break;
    }
    case Propagation::kMean:  // no sampling, so no log-variance
      return task_.NextObsFromPrediction(obs, member_mean->Forward(input));
  }
  const auto pred =
      mean + torch::exp(0.5 * logvar) * torch::randn(mean.sizes(), gen, mean.options());
  return task_.NextObsFromPrediction(obs, pred);
}

torch::Tensor RolloutDynamics::ScoreSteps(const torch::Tensor& states,
                                          const torch::Tensor& actions) const {
  const int64_t H = actions.size(1), M = actions.size(0);
  const auto before = states.narrow(0, 0, H).reshape({H * M, -1});  // [H * M, O]
  const auto after = states.narrow(0, 1, H).reshape({H * M, -1});   // [H * M, O]
  const auto acts = actions.transpose(0, 1).reshape({H * M, -1});   // [H * M, A]
  auto rewards = task_.Reward(before, acts, after).view({H, M});    // [H, M]
  if (task_.CanTerminate()) {
    // Step t counts while no earlier step's next state has terminated.
    const auto ended = task_.Terminated(after).view({H, M}).to(rewards.scalar_type());
    const auto alive = torch::cat(
        {torch::ones({1, M}, rewards.options()), (1.0 - ended.narrow(0, 0, H - 1)).cumprod(0)});
    rewards = rewards * alive;
  }
  return rewards.sum(0);
}

torch::Tensor RolloutDynamics::ReferenceReturns(const RolloutJob& job) const {
  const int64_t H = job.horizon(), P = job.particles, M = job.rows();
  const auto opts = job.actions.options();
  auto gen = job.gen;
  auto state = job.obs.to(opts).unsqueeze(0).expand({M, job.obs.size(0)});          // [M, O]
  const auto per_row = P == 1 ? job.actions : job.actions.repeat_interleave(P, 0);  // [M, H, A]
  // One view per step from a single op: under autograd one node gathers all steps' action
  // gradients, where select() per step adds H nodes that each write a full-size zero gradient.
  const auto steps = per_row.unbind(1);      // H x [M, A]
  std::optional<MemberMeanMlp> member_mean;  // the ensemble mean prepared once per rollout
  if (job.mode == Propagation::kMean) member_mean.emplace(model_);
  auto returns = torch::zeros({M}, opts);
  auto alive = torch::ones({M}, opts);
  for (int64_t t = 0; t < H; ++t) {
    const auto next =
        Step(state, steps[t], job.mode, member_mean ? &*member_mean : nullptr, gen, job.serial);
    returns = returns + alive * task_.Reward(state, steps[t], next);
    if (task_.CanTerminate()) alive = alive * (1.0 - task_.Terminated(next).to(opts.dtype()));
    state = next;
  }
  return returns;
}

}  // namespace mbrl::models
