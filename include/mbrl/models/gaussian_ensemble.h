#pragma once
// Probabilistic ensemble of MLPs: each member predicts a Gaussian (mean, log-variance).
#include <torch/torch.h>

#include <utility>
#include <vector>

#include "mbrl/config/model.h"
#include "mbrl/models/normalizer.h"

namespace mbrl::models {

/// E members, each an MLP with SiLU hidden layers; weights [E, in, out] applied with one batched
/// product per layer, or without autograd on the CPU as FusedEnsembleStep's plain loops (its
/// Heads). Inputs are normalised by a Normalizer held as a submodule.
class GaussianEnsembleImpl : public torch::nn::Module {
 public:
  /// forward() without autograd, on CPU, runs calls with at least this many rows per member in
  /// threaded chunks (docs/performance.md, "Threaded chunked inference"). Sampling rollouts are
  /// split by sequences instead (ModelRollout, SplitRolloutParts); this path serves TS1, batched
  /// mean propagation and the trainer's holdout evaluation.
  static constexpr int64_t kMinThreadedRows = 32;

  GaussianEnsembleImpl(const config::EnsembleConfig& config, int64_t in_dim, int64_t out_dim);

  /// Member-wise inputs x [E, N, in] (unnormalised) -> (mean [E, N, out], logvar [E, N, out]).
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x);
  /// The same input for every member: x [N, in] -> ([E, N, out], [E, N, out]).
  std::pair<torch::Tensor, torch::Tensor> ForwardShared(const torch::Tensor& x);
  /// forward() computed in the calling thread only, layer by layer over all rows (for callers
  /// that run several inferences side by side in their own threads).
  std::pair<torch::Tensor, torch::Tensor> ForwardRows(const torch::Tensor& x);

  int64_t ensemble_size() const { return ensemble_size_; }
  int64_t in_dim() const { return in_dim_; }
  int64_t out_dim() const { return out_dim_; }
  Normalizer& normalizer() { return normalizer_; }
  const torch::Tensor& max_logvar() const { return max_logvar_; }
  const torch::Tensor& min_logvar() const { return min_logvar_; }
  /// Per layer: weights [E, in_l, out_l] and biases [E, 1, out_l]; the last layer's outputs are
  /// the mean (first out_dim) and the raw log-variance.
  const std::vector<torch::Tensor>& layer_weights() const { return weights_; }
  const std::vector<torch::Tensor>& layer_biases() const { return biases_; }

 private:
  int64_t ensemble_size_, in_dim_, out_dim_;
  std::vector<torch::Tensor> weights_;  // [E, in_l, out_l] per layer
  std::vector<torch::Tensor> biases_;   // [E, 1, out_l] per layer
  torch::Tensor max_logvar_;            // [1, out]
  torch::Tensor min_logvar_;            // [1, out]
  Normalizer normalizer_{nullptr};
};
TORCH_MODULE(GaussianEnsemble);

/// Threads of the chunked inference path of GaussianEnsembleImpl::forward and of the CPU split:
/// OMP_NUM_THREADS's first number when set, else the hardware's.
int InferenceThreads();

/// Saves `model` (parameters and buffers) to `path` atomically.
void SaveEnsemble(GaussianEnsemble& model, const std::string& path);
/// Loads parameters and buffers saved by SaveEnsemble into `model` (same sizes).
void LoadEnsemble(GaussianEnsemble& model, const std::string& path);

}  // namespace mbrl::models
