#pragma once
// How a rollout runs. Each executor is one strategy behind one small interface; ModelRollout
// hands a job to the first executor in its list that handles it, and to the reference loop
// (RolloutDynamics::ReferenceReturns) when none does. An executor that splits a job (into blocks,
// or into parts on threads) runs each piece through the executors after it in the list.
//
// The executors, in the order ModelRollout tries them:
//   blocks     no autograd, more than the job's block_rows (rollout.block_rows, 32768 by
//              default): sequences in blocks, so that the per-step temporaries (and the peak
//              memory) stay bounded
//   cpu_split  CPU, no autograd, TS-inf or expectation, 200 to 32768 rows: sequences in parts
//              rolled out side by side in threads with single-threaded BLAS
//   tsinf      TS-inf: particles kept member by member for the whole horizon, input
//              normalisation folded into the first layer, noise drawn for all steps at once, and
//              the rewards of all steps scored in one batch (few operators per model step);
//              on the CPU in float without autograd, each model step in plain loops around
//              OpenBLAS's sgemm (FusedEnsembleStep: the ensemble's part, and the input and next
//              state when the task declares its features and targets). "tsinf-ops", not in the
//              default list, is the same executor with LibTorch's operators only, as a GPU runs
//   mean_row   one sequence, mean propagation, CPU, float, no autograd, and a task that declares
//              its features and targets: MeanRowRollout's plain loops, no operator per step
//   batched    up to 65536 rows x steps of the whole job, or a piece of a larger one that keeps
//              few states (rows x steps x observations up to 2^18): the reference's steps, with
//              all steps' rewards and terminations scored in one batch afterwards
// Each is tested equal to the reference for every propagation mode it handles.
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mbrl/models/rollout_dynamics.h"

namespace mbrl::models {

/// Runs a piece of a job with the executors after the calling one.
using InnerRollout = std::function<torch::Tensor(const RolloutJob&)>;

class RolloutExecutor {
 public:
  virtual ~RolloutExecutor() = default;
  virtual std::string name() const = 0;
  /// Whether this executor runs `job` (by device, autograd, sizes and propagation mode).
  virtual bool Handles(const RolloutJob& job) const = 0;
  /// Every particle's return [B * P] (row b * P + p), as RolloutDynamics::ReferenceReturns.
  virtual torch::Tensor Run(const RolloutJob& job, const RolloutDynamics& dynamics,
                            const InnerRollout& inner) const = 0;
};

using RolloutExecutors = std::vector<std::unique_ptr<RolloutExecutor>>;

/// The executors above, in order. `capture_ready`: only those whose work has fixed shapes and no
/// host reads (so without cpu_split, which seeds its parts' generators on the host, and mean_row,
/// which reads the tensors' values in plain loops).
RolloutExecutors DefaultRolloutExecutors(bool capture_ready);
/// One executor by name ("blocks", "cpu_split", "tsinf", "tsinf-ops", "mean_row", "batched");
/// throws std::invalid_argument.
std::unique_ptr<RolloutExecutor> MakeRolloutExecutor(const std::string& name);

/// Runs `job` with the first of executors[from...] that handles it, else the reference.
torch::Tensor RunRollout(const RolloutExecutors& executors, size_t from,
                         const RolloutDynamics& dynamics, const RolloutJob& job);

/// Parts that cpu_split splits B sequences x P particles into: a power of two (so that they share
/// out evenly over 2, 4, ... threads), and not the thread count (so that the returns do not
/// depend on it). 1: not split.
int64_t SplitRolloutParts(int64_t B, int64_t P);

}  // namespace mbrl::models
