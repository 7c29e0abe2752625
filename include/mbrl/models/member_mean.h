#pragma once
// The ensemble's average mean prediction as one function of the input, for mean propagation (the
// gradient planners' rollouts): weights prepared once per rollout, and for one row a hand-written
// input gradient instead of autograd's per-op graph.
#include <torch/torch.h>

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

  /// ForwardRow in float on raw buffers, without a LibTorch operator: x [in] -> out [out], and
  /// into `saved` [SavedPerRow()] each hidden layer's pre-activations and their sigmoids;
  /// `scratch` [ScratchPerRow()]. Throws std::invalid_argument unless the weights are float.
  void ForwardRowInto(const float* x, float* out, float* saved, float* scratch) const;
  /// BackwardRow on raw buffers: g_out [out] -> g_x [in], from ForwardRowInto's `saved`.
  void BackwardRowInto(const float* g_out, const float* saved, float* g_x, float* scratch) const;
  /// Floats ForwardRowInto saves per row, and the scratch both take.
  int64_t SavedPerRow() const;
  int64_t ScratchPerRow() const { return 2 * scratch_half_; }
  int64_t in_dim() const { return in_; }
  int64_t out_dim() const { return out_; }

 private:
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
  // Half the one-row loops' scratch: one layer's activations or gradients, members side by side.
  int64_t scratch_half_ = 0;
};

}  // namespace mbrl::models
