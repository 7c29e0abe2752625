#pragma once
// ModelRollout: the dynamics model and the task's torch functions as a trajectory objective for
// planners. What a rollout means is RolloutDynamics (its reference loop fits on one screen); how
// it runs is the first of its executors that handles the job (rollout_executors.h).
#include <torch/torch.h>

#include <memory>
#include <utility>
#include <vector>

#include "mbrl/config/model.h"
#include "mbrl/core/trajectory_objective.h"
#include "mbrl/env/task.h"
#include "mbrl/models/gaussian_ensemble.h"
#include "mbrl/models/member_mean.h"
#include "mbrl/models/rollout_dynamics.h"
#include "mbrl/models/rollout_executors.h"

namespace mbrl::models {

class MeanRowRollout;

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
  /// On CPU for one float sequence, unless capture-ready: the mean rollout without autograd, and
  /// a gradient by a hand-written backward pass (the model's chain rule step by step, the task's
  /// functions differentiated for all steps at once). Otherwise TrajectoryObjective's autograd
  /// default.
  DeterministicPass EvaluateDeterministicWithGradient(const torch::Tensor& obs,
                                                      const torch::Tensor& actions) override;
  /// Sequences one rollout block holds (rollout.block_rows / particles): Evaluate without
  /// autograd runs more in blocks of this many.
  int64_t SequencesPerPass() const override {
    return RolloutBlockSequences(block_rows_, particles_);
  }
  /// Particles per sequence actually used (1 for mean propagation).
  int64_t particles() const { return particles_; }

  /// Whether rollouts take only executors with fixed shapes and no host reads (no CPU split, no
  /// one-row hand-written gradient): the path a device runs and a CUDA graph can capture.
  void SetCaptureReady(bool on);
  bool capture_ready() const { return capture_ready_; }
  const RolloutDynamics& dynamics() const { return dynamics_; }
  /// The sampling generator (a shared handle), so that a resumed run continues its stream.
  at::Generator generator() const { return generator_; }

 private:
  // Returns [B] of rolling out actions [B, H, A] with `mode` and `particles` per sequence.
  torch::Tensor Rollout(const torch::Tensor& obs, const torch::Tensor& actions, Propagation mode,
                        int64_t particles);

  // The ensemble mean prepared for one-sequence mean rollouts (the mean_row executor and the
  // hand-written gradient), reused from pass to pass until one of the model's parameters or
  // buffers changes (its address or version).
  std::shared_ptr<const MemberMeanMlp> PreparedMeanMlp();
  // The one-sequence rollout for it: the last one again (its buffers and helper thread) while no
  // pass still holds it and the prepared mean is the same.
  std::shared_ptr<MeanRowRollout> MeanRow();

  RolloutDynamics dynamics_;
  std::shared_ptr<const MemberMeanMlp> mean_mlp_;
  std::vector<std::pair<const void*, int64_t>> mean_mlp_stamp_;
  std::shared_ptr<MeanRowRollout> mean_row_;
  RolloutExecutors executors_;
  bool capture_ready_ = false;
  Propagation propagation_;
  int64_t particles_;
  int64_t block_rows_;
  at::Generator generator_;
};

}  // namespace mbrl::models
