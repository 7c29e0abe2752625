#pragma once
// ModelRollout: the one place that joins the dynamics model and the task's torch functions into a
// trajectory objective for planners.
#include <torch/torch.h>

#include "mbrl/config/config.h"
#include "mbrl/core/trajectory_objective.h"
#include "mbrl/env/task.h"
#include "mbrl/models/gaussian_ensemble.h"

namespace mbrl::models {

class MemberMeanMlp;

/// How particles move through the ensemble.
enum class Propagation {
  kTs1,          ///< each particle uses a random member, redrawn every step
  kTsInf,        ///< each particle stays with one member for the whole horizon
  kExpectation,  ///< the members' averaged Gaussian, sampled
  kMean,         ///< the members' averaged mean, no sampling (deterministic; gradient planners)
};

/// Parts that a no-grad TS-inf or expectation rollout on CPU of B sequences x P particles is
/// split into, by sequences, each rolled out over the whole horizon in one thread: a power of
/// two (so that they share out evenly over 2, 4, ... threads), and not the thread count (so that
/// the returns do not depend on it). 1: not split.
int64_t SplitRolloutParts(int64_t B, int64_t P);

/// Parses "ts1" | "tsinf" | "expectation" | "mean".
Propagation ParsePropagation(const std::string& name);

/// Predicted returns of action sequences under the learned model, averaged over particles.
class ModelRollout : public TrajectoryObjective {
 public:
  /// `task` must outlive the rollout. Throws ConfigError when tsinf particles are not a multiple
  /// of the ensemble size.
  ModelRollout(GaussianEnsemble model, const env::Task& task, const config::RolloutConfig& config,
               const torch::Device& device, uint64_t seed);
  /// obs [O], actions [B, H, A] -> mean predicted return over particles [B]. Particles whose
  /// trajectory terminated stop accruing reward; non-finite returns become -1e10.
  torch::Tensor Evaluate(const torch::Tensor& obs, const torch::Tensor& actions) override;
  /// The same with `mean` propagation (one particle, no sampling), whatever the configured mode.
  torch::Tensor EvaluateDeterministic(const torch::Tensor& obs,
                                      const torch::Tensor& actions) override;
  /// On CPU for one float sequence: the mean rollout without autograd, and a gradient by a
  /// hand-written backward pass (the model's chain rule step by step, the task's functions
  /// differentiated for all steps at once). Otherwise TrajectoryObjective's autograd default.
  DeterministicPass EvaluateDeterministicWithGradient(const torch::Tensor& obs,
                                                      const torch::Tensor& actions) override;
  /// Particles per sequence actually used (1 for mean propagation).
  int64_t particles() const { return particles_; }

 private:
  // Returns [B] of rolling out actions [B, H, A] with `mode` and `particles` per sequence.
  torch::Tensor Rollout(const torch::Tensor& obs, const torch::Tensor& actions, Propagation mode,
                        int64_t particles);
  // The returns of every particle [B * particles] (row b * particles + p), before averaging,
  // drawing from `gen`. `serial`: the model runs in the calling thread only. `batch_rewards`:
  // all steps' rewards are scored in one batch after the model steps (more memory, fewer ops),
  // else step by step.
  torch::Tensor ParticleReturns(const torch::Tensor& obs, const torch::Tensor& actions,
                                Propagation mode, int64_t particles, at::Generator& gen,
                                bool serial, bool batch_rewards);
  // The summed rewards [M] of rollout states [H + 1, M, O] under actions [M, H, A]; steps after
  // a terminating one do not count.
  torch::Tensor ScoreSteps(const torch::Tensor& states, const torch::Tensor& actions) const;
  // One model step: obs [M, O], action [M, A] -> next obs [M, O], sampling from `gen`.
  // `member_mean` is the prepared ensemble mean, required for Propagation::kMean; `serial` as in
  // ParticleReturns.
  torch::Tensor Step(const torch::Tensor& obs, const torch::Tensor& action, Propagation mode,
                     const MemberMeanMlp* member_mean, at::Generator& gen, bool serial);

  GaussianEnsemble model_;
  const env::Task& task_;
  Propagation propagation_;
  int64_t particles_;
  torch::Device device_;
  at::Generator generator_;
};

}  // namespace mbrl::models
