#pragma once
// What a model rollout means, apart from how it runs: the ensemble and the task's torch functions
// step by step, and the plain reference loop over the horizon. The executors
// (rollout_executors.h) run the same meaning in faster ways and are tested equal to the
// reference.
#include <torch/torch.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>

#include "mbrl/env/task.h"
#include "mbrl/models/gaussian_ensemble.h"

namespace mbrl::models {

class MemberMeanMlp;
class MeanRowRollout;

/// How particles move through the ensemble: the modes named by config::PropagationModes(), in
/// its order (ParsePropagation maps a name to the value at its position).
enum class Propagation {
  kTsInf,        ///< "tsinf": each particle stays with one member for the whole horizon
  kTs1,          ///< "ts1": each particle uses a random member, redrawn every step
  kExpectation,  ///< "expectation": the members' averaged Gaussian, sampled
  kMean,         ///< "mean": the members' averaged mean, no sampling (the gradient planners)
};

/// The mode a config::PropagationModes() name names; throws ConfigError naming
/// rollout.propagation for any other name.
Propagation ParsePropagation(const std::string& name);

/// rollout.block_rows's default: 32768 rows.
constexpr int64_t kDefaultRolloutBlockRows = 1 << 15;

/// Sequences per block of a no-grad rollout of `particles` particles per sequence, blocks of at
/// most `block_rows` rows (at least one sequence).
inline int64_t RolloutBlockSequences(int64_t block_rows, int64_t particles) {
  return std::max<int64_t>(1, block_rows / particles);
}

/// One rollout: B sequences with P particles each from one observation. Particle p of sequence b
/// is row b * P + p; under TS-inf it stays with member p % E.
struct RolloutJob {
  torch::Tensor obs;      ///< [O]
  torch::Tensor actions;  ///< [B, H, A]
  Propagation mode = Propagation::kTsInf;
  int64_t particles = 1;  ///< P (1 for kMean)
  at::Generator gen;      ///< where the random draws come from (shared state, not a copy)
  bool serial = false;    ///< run the model in the calling thread only (no inner threads)
  /// Rows of the whole job this one was sliced from (0: it is whole). Whether all steps' rewards
  /// are scored in one batch depends on it: parts rolled out side by side would otherwise each
  /// keep every step's states.
  int64_t whole_rows = 0;
  /// Rows (sequences x particles) a no-grad rollout runs at a time: larger jobs run in blocks of
  /// sequences (the blocks executor). Its peak memory grows with it (rollout.block_rows).
  int64_t block_rows = kDefaultRolloutBlockRows;
  /// The one-sequence mean rollout to run (the mean_row executor), built for the same dynamics:
  /// ModelRollout's, reused with its prepared weights, buffers and helper thread. Empty: the
  /// executor builds its own.
  std::function<std::shared_ptr<MeanRowRollout>()> mean_row;

  int64_t sequences() const { return actions.size(0); }
  int64_t horizon() const { return actions.size(1); }
  int64_t rows() const { return sequences() * particles; }
  int64_t whole_job_rows() const { return whole_rows > 0 ? whole_rows : rows(); }
  /// The same job for sequences [b, b + n).
  RolloutJob Slice(int64_t b, int64_t n) const;
};

/// The model and the task joined into one step function, and the reference rollout.
class RolloutDynamics {
 public:
  /// `task` must outlive this.
  RolloutDynamics(GaussianEnsemble model, const env::Task& task);

  /// One model step: obs [M, O], action [M, A] -> next obs [M, O], sampling from `gen` (a
  /// Gaussian draw per row, and for TS1 the rows' members). `member_mean` is the prepared
  /// ensemble mean, required for kMean.
  torch::Tensor Step(const torch::Tensor& obs, const torch::Tensor& action, Propagation mode,
                     const MemberMeanMlp* member_mean, at::Generator& gen, bool serial) const;
  /// The summed rewards [M] of rollout states [H + 1, M, O] under actions [M, H, A]; steps after
  /// a terminating one do not count.
  torch::Tensor ScoreSteps(const torch::Tensor& states, const torch::Tensor& actions) const;
  /// The reference rollout: every particle's return [B * P] (row b * P + p), one step and one
  /// reward at a time.
  torch::Tensor ReferenceReturns(const RolloutJob& job) const;

  const GaussianEnsemble& model() const { return model_; }
  const env::Task& task() const { return task_; }

 private:
  GaussianEnsemble model_;
  const env::Task& task_;
};

}  // namespace mbrl::models
