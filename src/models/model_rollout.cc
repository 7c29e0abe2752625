#include "mbrl/models/model_rollout.h"

#include <limits>
#include <optional>
#include <vector>

#include "mbrl/core/blas_threads.h"
#include "mbrl/core/error.h"
#include "mbrl/core/seeding.h"
#include "mbrl/core/shape.h"
#include "mbrl/core/strings.h"
#include "mbrl/models/member_mean.h"

namespace mbrl::models {
namespace {
// Rows (sequences x particles) per block of a no-grad rollout.
constexpr int64_t kRolloutBlockRows = 1 << 15;
// Rollouts of at most this many rows x steps score all steps' rewards in one batch.
constexpr int64_t kBatchedRewardRows = 1 << 16;
// No-grad sampling rollouts on CPU of 2 * kMinPartRows to kMaxSplitRows rows (a block) split
// their sequences into parts of at most kMaxPartRows rows (when there are enough sequences),
// rolled out side by side in threads. Why these sizes: docs/performance.md, "Split sampling
// rollouts".
constexpr int64_t kMaxSplitRows = kRolloutBlockRows;
constexpr int64_t kMinPartRows = 100;
constexpr int64_t kMaxPartRows = 512;
}  // namespace

int64_t SplitRolloutParts(int64_t B, int64_t P) {
  const int64_t M = B * P;
  if (M > kMaxSplitRows || M < 2 * kMinPartRows || B < 2) return 1;
  int64_t parts = 2;
  while (M > parts * kMaxPartRows && parts * 2 <= B) parts *= 2;
  return parts;
}

Propagation ParsePropagation(const std::string& name) {
  if (name == "ts1") return Propagation::kTs1;
  if (name == "tsinf") return Propagation::kTsInf;
  if (name == "expectation") return Propagation::kExpectation;
  if (name == "mean") return Propagation::kMean;
  throw ConfigError("rollout.propagation: unknown mode '" + name +
                    "', expected one of: " + Join(config::PropagationModes()));
}

ModelRollout::ModelRollout(GaussianEnsemble model, const env::Task& task,
                           const config::RolloutConfig& config, const torch::Device& device,
                           uint64_t seed)
    : model_(std::move(model)),
      task_(task),
      propagation_(ParsePropagation(config.propagation)),
      particles_(propagation_ == Propagation::kMean ? 1 : config.particles),
      device_(device),
      generator_(MakeGenerator(device, seed)) {
  const int64_t E = model_->ensemble_size();
  if (propagation_ == Propagation::kTsInf && particles_ % E != 0) {
    throw ConfigError("rollout.particles: tsinf needs a multiple of model.ensemble_size (" +
                      std::to_string(E) + "), got " + std::to_string(particles_));
  }
}

torch::Tensor ModelRollout::Step(const torch::Tensor& obs, const torch::Tensor& action,
                                 Propagation mode, const MemberMeanMlp* member_mean,
                                 at::Generator& gen, bool serial) {
  const int64_t M = obs.size(0);
  const int64_t E = model_->ensemble_size();
  const auto input = torch::cat({task_.PreprocessObs(obs), action}, 1);  // [M, I]
  torch::Tensor mean, logvar;                                           // [M, O]
  switch (mode) {
    case Propagation::kTsInf: {
      // Row r = b * P + p belongs to member p % E: view [M / E, E, I] and put E first.
      const auto in = input.view({M / E, E, -1}).transpose(0, 1);  // [E, M / E, I]
      auto [m, lv] = serial ? model_->ForwardRows(in) : model_->forward(in);  // [E, M / E, O]
      mean = m.transpose(0, 1).reshape({M, -1});
      logvar = lv.transpose(0, 1).reshape({M, -1});
      break;
    }
    case Propagation::kTs1: {
      // A fresh random assignment of rows to members each step.
      const auto perm =
          torch::randperm(M, gen, torch::TensorOptions().dtype(torch::kLong).device(device_));
      const int64_t per = (M + E - 1) / E;
      auto shuffled = input.index_select(0, perm);  // [M, I]
      if (per * E != M) {
        shuffled = torch::cat({shuffled, shuffled.narrow(0, 0, per * E - M)}, 0);
      }
      auto [m, lv] = model_->forward(shuffled.view({E, per, -1}));  // [E, per, O]
      const auto inv = torch::argsort(perm);
      mean = m.reshape({E * per, -1}).narrow(0, 0, M).index_select(0, inv);
      logvar = lv.reshape({E * per, -1}).narrow(0, 0, M).index_select(0, inv);
      break;
    }
    case Propagation::kExpectation: {
      const auto shared = input.unsqueeze(0).expand({E, M, input.size(1)});
      auto [m, lv] = serial ? model_->ForwardRows(shared) : model_->forward(shared);  // [E, M, O]
      mean = m.mean(0);
      logvar = lv.mean(0);
      break;
    }
    case Propagation::kMean:  // no sampling, so no log-variance
      mean = member_mean->Forward(input);
      break;
  }
  torch::Tensor pred = mean;  // [M, O]
  if (mode != Propagation::kMean) {
    pred = mean + torch::exp(0.5 * logvar) * torch::randn(mean.sizes(), gen, mean.options());
  }
  return task_.NextObsFromPrediction(obs, pred);
}

torch::Tensor ModelRollout::Evaluate(const torch::Tensor& obs, const torch::Tensor& actions) {
  return Rollout(obs, actions, propagation_, particles_);
}

torch::Tensor ModelRollout::EvaluateDeterministic(const torch::Tensor& obs,
                                                  const torch::Tensor& actions) {
  return Rollout(obs, actions, Propagation::kMean, 1);
}

torch::Tensor ModelRollout::ScoreSteps(const torch::Tensor& states,
                                       const torch::Tensor& actions) const {
  const int64_t H = actions.size(1), M = actions.size(0);
  const auto before = states.narrow(0, 0, H).reshape({H * M, -1});  // [H * M, O]
  const auto after = states.narrow(0, 1, H).reshape({H * M, -1});   // [H * M, O]
  const auto acts = actions.transpose(0, 1).reshape({H * M, -1});    // [H * M, A]
  auto rewards = task_.Reward(before, acts, after).view({H, M});     // [H, M]
  if (task_.CanTerminate()) {
    // Step t counts while no earlier step's next state has terminated.
    const auto ended = task_.Terminated(after).view({H, M}).to(rewards.scalar_type());
    const auto alive = torch::cat({torch::ones({1, M}, rewards.options()),
                                   (1.0 - ended.narrow(0, 0, H - 1)).cumprod(0)});
    rewards = rewards * alive;
  }
  return rewards.sum(0);
}

torch::Tensor ModelRollout::ParticleReturns(const torch::Tensor& obs, const torch::Tensor& actions,
                                            Propagation mode, int64_t particles,
                                            at::Generator& gen, bool serial, bool batch_rewards) {
  const int64_t B = actions.size(0), H = actions.size(1), P = particles;
  const int64_t M = B * P;
  const auto float_opts = actions.options();
  auto state = obs.to(float_opts).unsqueeze(0).expand({M, obs.size(0)});  // [M, O]
  const bool terminates = task_.CanTerminate();
  const auto per_row = P == 1 ? actions : actions.repeat_interleave(P, 0);  // [M, H, A]
  // One view per step from a single op: under autograd one node gathers all steps' action
  // gradients, where select() per step adds H nodes that each write a full-size zero gradient.
  const auto steps = per_row.unbind(1);  // H x [M, A]
  // Mean propagation: the ensemble mean's weights prepared once for the whole horizon.
  std::optional<MemberMeanMlp> member_mean;
  if (mode == Propagation::kMean) member_mean.emplace(model_);
  const MemberMeanMlp* mean_mlp = member_mean ? &*member_mean : nullptr;
  torch::Tensor returns;  // [M]
  if (H > 0 && batch_rewards) {
    std::vector<torch::Tensor> states = {state};
    states.reserve(H + 1);
    for (int64_t t = 0; t < H; ++t) {
      states.push_back(Step(states.back(), steps[t], mode, mean_mlp, gen, serial));
    }
    returns = ScoreSteps(torch::stack(states), per_row);
  } else {
    returns = torch::zeros({M}, float_opts);
    auto alive = torch::ones({M}, float_opts);  // [M]
    for (int64_t t = 0; t < H; ++t) {
      const auto& a = steps[t];                            // [M, A]
      const auto next = Step(state, a, mode, mean_mlp, gen, serial);  // [M, O]
      const auto reward = task_.Reward(state, a, next);    // [M]
      if (terminates) {
        returns = returns + alive * reward;
        alive = alive * (1.0 - task_.Terminated(next).to(float_opts.dtype()));
      } else {
        returns = returns + reward;
      }
      state = next;
    }
  }
  return returns;
}

torch::Tensor ModelRollout::Rollout(const torch::Tensor& obs, const torch::Tensor& actions,
                                    Propagation mode, int64_t particles) {
  CheckShape(obs, {task_.ObsDim()}, "ModelRollout obs");
  CheckShape(actions, {-1, -1, task_.ActionDim()}, "ModelRollout actions");
  const int64_t B = actions.size(0), P = particles;
  const int64_t M = B * P;
  // Without autograd, large populations roll out in blocks of sequences: the per-step [M, O]
  // temporaries then stay small (CEM-GD's t = 0 has 300k rows) and the peak memory is bounded.
  if (!torch::GradMode::is_enabled() && M > kRolloutBlockRows && B > 1) {
    const int64_t per_block = std::max<int64_t>(1, kRolloutBlockRows / P);
    std::vector<torch::Tensor> parts;
    for (int64_t b = 0; b < B; b += per_block) {
      parts.push_back(Rollout(obs, actions.narrow(0, b, std::min(per_block, B - b)), mode, P));
    }
    return torch::cat(parts);
  }
  // Small rollouts are bound by per-op overhead (in the forward pass and in autograd's backward),
  // so the rewards and terminations of all H steps are scored in one batch after the model steps.
  const bool batch_rewards = M * actions.size(1) <= kBatchedRewardRows;
  torch::Tensor returns;  // [M]
  const int64_t parts = SplitRolloutParts(B, P);
  if (!torch::GradMode::is_enabled() && device_.is_cpu() && parts > 1 &&
      (mode == Propagation::kTsInf || mode == Propagation::kExpectation)) {
    // Small sampling rollouts (CEM's populations, CEM-GD's later steps) are split by sequences
    // into parts that each roll out the whole horizon in one thread, with single-threaded BLAS:
    // threading inside each model step instead costs a fork and join per step and leaves the
    // element-wise work between the steps' products to one thread. Each part draws from its own
    // generator, seeded from this rollout's; the parts do not depend on the thread count, so
    // neither do the returns.
    const auto drawn = torch::randint(std::numeric_limits<int64_t>::max(), {parts}, generator_,
                                      torch::TensorOptions().dtype(torch::kLong));
    const int64_t* seeds = drawn.data_ptr<int64_t>();  // [parts], contiguous
    returns = torch::empty({M}, actions.options());
    const int64_t per_part = (B + parts - 1) / parts;
    RunTasksOnThreads(parts, InferenceThreads(), [&](int64_t k) {
      torch::NoGradGuard no_grad;  // grad mode is per thread
      const int64_t b0 = k * per_part, nb = std::min(per_part, B - b0);
      if (nb <= 0) return;
      auto gen = MakeGenerator(device_, static_cast<uint64_t>(seeds[k]));
      const auto part = actions.narrow(0, b0, nb);
      returns.narrow(0, b0 * P, nb * P)
          .copy_(ParticleReturns(obs, part, mode, P, gen, /*serial=*/true, batch_rewards));
    });
  } else {
    returns = ParticleReturns(obs, actions, mode, P, generator_, /*serial=*/false, batch_rewards);
  }
  returns = returns.view({B, P}).mean(1);  // [B]
  return torch::where(torch::isfinite(returns), returns, torch::full_like(returns, -1e10));
}

}  // namespace mbrl::models
