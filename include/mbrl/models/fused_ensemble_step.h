#pragma once
// One TS-inf model step of the whole ensemble on the CPU, in float and without autograd, as plain
// loops around matrix products (core/row_gemm.h's where the CPU has AVX-512 and the layer has at
// least kRowGemmMinColumns outputs, else OpenBLAS's sgemm): per member, each layer's product
// with its bias and SiLU (RowGemmBiasSilu, or one pass in place after sgemm), and the heads'
// mean, bounded variance and sample in one pass. The same step as LibTorch's operators (baddbmm,
// silu_, sigmoid_, addcmul, sqrt_, addcmul), without ATen's dispatch, allocations and broadcast
// bias copies per operator and member, which cost as much as the products at a planner's small
// parts (docs/performance.md, "The fused CPU model step").
#include <torch/torch.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace mbrl::models {

class FusedEnsembleStep {
 public:
  /// Whether the step can run here: OpenBLAS is loaded (core/blas_threads.h, BlasSgemm).
  static bool Available();
  /// Whether it runs tensors of these options here: float on the CPU, and Available().
  static bool Available(const torch::TensorOptions& options);

  /// The ensemble's layers as the rollout uses them, all float CPU tensors: `weights` L x
  /// [E, in_l, out_l] and `biases` L x [E, 1, out_l], the last layer the heads [E, h, 2 O] (the
  /// mean's O outputs, then the log-variance's, whose bias for Predict and Step already has
  /// max_logvar subtracted, as the variance below reads it);
  /// `exp_min`, `exp_max` [O] or [1, O]: exp of the log-variance bounds. The variance is
  /// exp_min + exp_max * sigmoid(head); both undefined for an object that only runs Heads.
  /// `rows` per member, fixed for the object's lifetime.
  FusedEnsembleStep(const std::vector<torch::Tensor>& weights,
                    const std::vector<torch::Tensor>& biases, const torch::Tensor& exp_min,
                    const torch::Tensor& exp_max, int64_t rows);

  /// x [E, rows, in_0] and eps [E, rows, O], float CPU -> mean + sqrt(variance) * eps, [E, rows,
  /// O]. Reports its products' FLOPs to a live OpCounter (AddMatmulFlops).
  torch::Tensor Predict(const torch::Tensor& x, const torch::Tensor& eps);
  /// x [E, rows, in_0], float CPU -> the heads' outputs with their biases, [E, rows, 2 O]: the
  /// ensemble's forward pass up to the variance's bounds (GaussianEnsembleImpl::ForwardRows
  /// without autograd). Reports its products' FLOPs as Predict does.
  torch::Tensor Heads(const torch::Tensor& x);

  /// Layers with at least this many outputs run on RowGemm where it is available: a narrower
  /// one (a cartpole head's 8) fills too few of its vectors' lanes, and sgemm does better.
  static constexpr int64_t kRowGemmMinColumns = 16;
  /// Whether the products may run on RowGemm (the default where it is available, unless the
  /// environment has MBRL_ROW_GEMM=0), or all on sgemm; for tests and measurements.
  void UseRowGemm(bool on);

  /// How a whole model step reads and writes the observations: the first layer's input is
  /// [state, action, sin(angles), cos(angles)] (the angles are state entries [angle_begin,
  /// angle_begin + angle_count)), and the next state is state + prediction, except the
  /// `absolute` entries, which are the prediction.
  struct StepIo {
    int64_t actions = 0;
    int64_t angle_begin = 0, angle_count = 0;
    std::vector<int> absolute;
  };
  /// Makes Step available; the first layer's input width must be O + actions + 2 angle_count.
  void SetStepIo(StepIo io);
  /// The whole model step without LibTorch's operators: state [E, rows, O] (contiguous),
  /// action [E, rows, A] (rows may be strided, entries contiguous) and eps [E, rows, O] -> the
  /// next state [E, rows, O], as Predict on the input above followed by the targets' rule.
  torch::Tensor Step(const torch::Tensor& state, const torch::Tensor& action,
                     const torch::Tensor& eps);

 private:
  // Runs member e's layers from `in` [rows, in_0], writing its sample to `out` [rows, O], or
  // with no `eps` its heads plus their bias to `out` [rows, 2 O].
  void Member(int64_t e, const float* in, const float* eps, float* out);
  // Every member of x [E, rows, in_0] (checked) through Member, with eps [E, rows, O] contiguous
  // or null: [E, rows, O] samples, or [E, rows, 2 O] heads.
  torch::Tensor Members(const torch::Tensor& x, const float* eps);

  std::vector<torch::Tensor> weights_, biases_;  // contiguous
  torch::Tensor exp_min_, exp_max_;              // [O], contiguous
  int64_t E_, N_, O_;
  std::vector<int64_t> widths_;            // in_0, out_0, ..., out_{L-1} = 2 O
  std::vector<float> act_a_, act_b_, head_;  // one member's activations and heads
  std::optional<StepIo> io_;
  std::vector<float> input_;       // one member's first-layer input, for Step
  std::vector<uint8_t> is_delta_;  // [O]: next = state + prediction (1) or the prediction (0)
  bool row_gemm_;
};

}  // namespace mbrl::models
