#pragma once
// One sequence's mean rollout (the ensemble's average mean, no sampling) on the CPU in float, in
// plain loops, with a hand-written gradient. The gradient planners refine one sequence at a time;
// there LibTorch's operators (about 25 per model step) and autograd's graph cost more than the
// model's matrix-vector products (docs/performance.md, "One-sequence mean rollouts"). It runs a
// task that declares its model input features and targets (Task::ModelInputFeatures,
// Task::ModelTargets), whose Jacobians are then known in closed form. A large model's step is
// shared by two threads, each running a fixed part of the members (DefaultThreads).
#include <torch/torch.h>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "mbrl/core/lockstep_helper.h"
#include "mbrl/env/task.h"
#include "mbrl/models/member_mean.h"
#include "mbrl/models/rollout_dynamics.h"

namespace mbrl::models {

class MeanRowRollout {
 public:
  /// Whether it runs `dynamics`' rollouts: its task declares its input features and targets, and
  /// its model is float.
  static bool Supports(const RolloutDynamics& dynamics);
  /// Models with fewer floats of weights per row run on one thread by default: a model step's
  /// work is then too little to share.
  static constexpr int64_t kMinSplitWeightFloats = int64_t{1} << 16;
  /// Threads a rollout with `mlp` runs on by default: 2 (the members in MemberMeanMlp's two parts,
  /// one thread each, in step per model step) where InferenceThreads() allows two, the model has
  /// two members or more and kMinSplitWeightFloats of weights; else 1. Each core then streams
  /// only its members' weights, which is what bounds a one-row rollout.
  static int DefaultThreads(const MemberMeanMlp& mlp);

  /// The model's weights as they are now, or as `mlp` (prepared from the same model) holds them.
  /// `threads`: 1 or 2, or 0 for DefaultThreads; the results are the same bit for bit on either.
  /// `dynamics`' task must outlive this; throws std::invalid_argument unless Supports(dynamics).
  explicit MeanRowRollout(const RolloutDynamics& dynamics,
                          std::shared_ptr<const MemberMeanMlp> mlp = nullptr, int threads = 0);
  int threads() const { return helper_ ? 2 : 1; }
  /// Beside busy processes the helper thread may not get a core when a step needs it, and a
  /// shared pass is then slower than one thread's. kSlowPasses shared passes in a row in which
  /// the caller waited for the helper's part (the smaller one) longer than it took for its own
  /// make the next kSoloPasses passes run on one thread; the pass after them shares again. (One
  /// slow pass alone is left be: on an idle machine a pass now and then waits for the helper's
  /// wake-up or a preemption.) The results do not change.
  static constexpr int kSlowPasses = 2;
  static constexpr int kSoloPasses = 32;
  /// Whether the last Forward or Backward ran on two threads.
  bool last_pass_shared() const { return last_pass_shared_; }
  const MemberMeanMlp& mlp() const { return *mlp_; }

  /// obs [O] and actions [H, A], CPU -> the mean trajectory's states [H + 1, O] (float), as
  /// RolloutDynamics::Step with Propagation::kMean gives them; keeps what Backward needs.
  torch::Tensor Forward(const torch::Tensor& obs, const torch::Tensor& actions);
  /// The chain rule back through the last Forward: given g_states [H + 1, O], the partial
  /// derivatives of a function of the states, returns its derivative [H, A] with respect to the
  /// actions through the states (the function's own direct dependence on the actions excluded).
  torch::Tensor Backward(const torch::Tensor& g_states) const;

 private:
  const env::Task& task_;
  std::shared_ptr<const MemberMeanMlp> mlp_;
  env::ObsFeatures features_;
  std::vector<uint8_t> is_delta_;  // [O]: next = state + prediction (1) or the prediction (0)
  int64_t O_, A_, I_, saved_per_row_;
  int64_t H_ = 0;              // the last Forward's horizon
  std::vector<float> states_;  // [H + 1, O]
  std::vector<float> saved_;   // [H, saved_per_row_]: the model's pre-activations
  mutable std::vector<float> input_, pred_, scratch_;  // [I + A], [O], the model's scratch
  // Runs part0() here and part1 on the helper thread at the same time, or both here in turn.
  template <class Part0>
  void InParts(const std::function<void()>& part1, const Part0& part0) const;
  // Whether the pass beginning now shares its steps, and what it leaves for the next ones.
  void BeginPass() const;
  void EndPass() const;

  // MemberMeanMlp's part 1: its sum ([max(I + A, O)]), and its jobs, which read the step's
  // buffers; on the helper thread when there is one.
  mutable std::vector<float> part_;
  mutable const float* step_in_ = nullptr;        // x, or g_out
  float* step_saved_ = nullptr;                   // the forward pass's saved values (written)
  mutable const float* step_saved_in_ = nullptr;  // the backward pass's (read)
  std::function<void()> forward_part_, backward_part_;
  mutable bool sharing_ = false, last_pass_shared_ = false;
  mutable int solo_passes_left_ = 0, slow_passes_ = 0;
  mutable std::chrono::steady_clock::duration own_time_{}, wait_time_{};
  std::unique_ptr<LockstepHelper> helper_;  // last: stopped before the jobs go
};

}  // namespace mbrl::models
