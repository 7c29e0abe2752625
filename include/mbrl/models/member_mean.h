#pragma once
// The ensemble's average mean prediction as one function of the input, for mean propagation (the
// gradient planners' rollouts): weights prepared once per rollout, and for one row a hand-written
// input gradient instead of autograd's per-op graph.
#include <torch/torch.h>

#include <memory>
#include <vector>

#include "mbrl/models/gaussian_ensemble.h"

namespace mbrl::models {

/// x [N, in] -> the members' average mean [N, out], equal to model->ForwardShared(x).first.mean(0).
/// Differentiable with respect to x only: the weights are a detached snapshot taken at
/// construction (planning differentiates the return with respect to actions, never the model).
/// Build one per rollout; it does not see later changes to the model's weights.
class MemberMeanMlp {
 public:
  explicit MemberMeanMlp(GaussianEnsemble model);
  torch::Tensor Forward(const torch::Tensor& x) const;

  int64_t members() const { return E_; }

  /// The one-row path with matrix-vector products in plain vectorised loops (float or double on
  /// CPU): x [in] -> [out]; appends each hidden layer's pre-activations and their sigmoids to
  /// `pre` when given. (A batched matrix product on one row repacks every member's weight matrix
  /// on each call, which costs more than the products.)
  torch::Tensor ForwardRow(const torch::Tensor& x, std::vector<torch::Tensor>* pre) const;
  /// The matrices BackwardRow needs, per member: first layer, hidden layers, its rows of the head,
  /// each transposed ([out, in]), so that the backward pass runs the forward's product loop.
  std::vector<torch::Tensor> BackwardWeights() const;
  /// The input gradient of sum(grad_out * ForwardRow(x)), from ForwardRow's pre-activations and
  /// BackwardWeights(): grad_out [out] -> [in].
  static torch::Tensor BackwardRow(const torch::Tensor& grad_out,
                                   const std::vector<torch::Tensor>& pre,
                                   const std::vector<torch::Tensor>& weights, int64_t members);

  /// ForwardRow's members in two parts, in float on raw buffers, without a LibTorch operator, for
  /// two threads: the members [0, SplitMembers()) (part 0) and the rest (part 1). One part: x [in]
  /// -> its members' terms of the mean into `out` [out] (part 0's with the head's bias), and
  /// into `saved` [SavedPerRow()] its members' hidden pre-activations and their sigmoids;
  /// `scratch` [ScratchPerRow()]. The two parts touch disjoint places of `saved` and `scratch`,
  /// so two threads may run them at once on the same buffers; part 0's out + part 1's is
  /// ForwardRow's result, bit for bit (it adds the same way). Throws std::invalid_argument unless
  /// the weights are float.
  void ForwardPartInto(int part, const float* x, float* out, float* saved, float* scratch) const;
  /// BackwardRow's members in the same two parts: g_out [out] -> the part's members' terms of
  /// g_x [in], written to g_x, from ForwardPartInto's `saved`; part 0's + part 1's is the input
  /// gradient.
  void BackwardPartInto(int part, const float* g_out, const float* saved, float* g_x,
                        float* scratch) const;
  /// The first member of part 1: (members + 1) / 2.
  int64_t SplitMembers() const;
  /// Floats ForwardPartInto saves per row (both parts), and the scratch the one-row calls take.
  int64_t SavedPerRow() const;
  int64_t ScratchPerRow() const;
  /// Floats of weights one row's pass reads (every member's matrices).
  int64_t RowWeightFloats() const;
  int64_t in_dim() const { return in_; }
  int64_t out_dim() const { return out_; }

 private:
  struct FloatRows;
  // The float one-row path's pointers; throws std::invalid_argument naming `what` unless float.
  const FloatRows& Float(const char* what) const;
  // Several rows: batched products, [N, in] -> [N, out].
  torch::Tensor ForwardBatched(const torch::Tensor& x) const;

  mutable GaussianEnsemble model_;  // its threaded forward() for many rows without autograd
  int64_t E_ = 0, in_ = 0, out_ = 0;
  // First layer with the input normalisation folded in, members side by side, and per member.
  torch::Tensor first_w_;                   // [in, E * h1]
  torch::Tensor first_b_;                   // [E * h1]
  std::vector<torch::Tensor> first_w_rows_;  // E x [in, h1]
  // Hidden layers 2..L: per layer [E, h_in, h_out] / [E, 1, h_out], and per member its matrix.
  std::vector<torch::Tensor> hidden_w_, hidden_b_;
  std::vector<std::vector<torch::Tensor>> hidden_rows_;  // per layer E x [h_in, h_out]
  // Mean head averaged over members.
  torch::Tensor head_w_;  // [E * hL, out]
  torch::Tensor head_b_;  // [out]
  // The one-row path's matrices per member (first layer, hidden layers, head rows), and each
  // transposed (BackwardWeights()).
  std::vector<torch::Tensor> row_weights_, row_weights_t_;
  // Each of the two halves of the one-row loops' scratch: one layer's activations or gradients,
  // members side by side (a third piece after them holds part 1's sum of the output or g_x).
  int64_t scratch_half_ = 0;
  std::shared_ptr<const FloatRows> float_rows_;  // null unless the weights are float
};

}  // namespace mbrl::models
