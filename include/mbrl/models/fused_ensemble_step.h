#pragma once
// One TS-inf model step of the whole ensemble on the CPU, in float and without autograd, as plain
// loops around OpenBLAS's sgemm: per member, each layer's product, then its bias and SiLU in one
// pass in place, and the heads' mean, bounded variance and sample in one pass. The same step as
// LibTorch's operators (baddbmm, silu_, sigmoid_, addcmul, sqrt_, addcmul), without ATen's
// dispatch, allocations and broadcast bias copies per operator and member, which cost as much as
// the products at a planner's small parts (docs/performance.md, "The fused CPU model step").
#include <torch/torch.h>

#include <cstdint>
#include <vector>

namespace mbrl::models {

class FusedEnsembleStep {
 public:
  /// Whether the step can run here: OpenBLAS is loaded (core/blas_threads.h, BlasSgemm).
  static bool Available();

  /// The ensemble's layers as the rollout uses them, all float CPU tensors: `weights` L x
  /// [E, in_l, out_l] and `biases` L x [E, 1, out_l], the last layer the heads [E, h, 2 O] (the
  /// mean's O outputs, then the log-variance's, whose bias already has max_logvar subtracted);
  /// `exp_min`, `exp_max` [O] or [1, O]: exp of the log-variance bounds. The variance is
  /// exp_min + exp_max * sigmoid(head). `rows` per member, fixed for the object's lifetime.
  FusedEnsembleStep(const std::vector<torch::Tensor>& weights,
                    const std::vector<torch::Tensor>& biases, const torch::Tensor& exp_min,
                    const torch::Tensor& exp_max, int64_t rows);

  /// x [E, rows, in_0] and eps [E, rows, O], float CPU -> mean + sqrt(variance) * eps, [E, rows,
  /// O]. Reports its products' FLOPs to a live OpCounter (AddMatmulFlops).
  torch::Tensor Predict(const torch::Tensor& x, const torch::Tensor& eps);

 private:
  std::vector<torch::Tensor> weights_, biases_;  // contiguous
  torch::Tensor exp_min_, exp_max_;              // [O], contiguous
  int64_t E_, N_, O_;
  std::vector<int64_t> widths_;            // in_0, out_0, ..., out_{L-1} = 2 O
  std::vector<float> act_a_, act_b_, head_;  // one member's activations and heads
};

}  // namespace mbrl::models
