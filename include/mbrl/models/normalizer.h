#pragma once
// Input normalisation whose statistics are module buffers (saved and loaded with the model).
#include <torch/torch.h>

namespace mbrl::models {

/// Per-feature standardisation: (x - mean) / std.
class NormalizerImpl : public torch::nn::Module {
 public:
  explicit NormalizerImpl(int64_t dim);
  /// Sets mean and std from data [N, D]; features with ~zero spread get std 1.
  void Fit(const torch::Tensor& data);
  /// [..., D] -> [..., D] standardised.
  torch::Tensor Normalize(const torch::Tensor& x) const;
  /// Inverse of Normalize.
  torch::Tensor Denormalize(const torch::Tensor& x) const;
  const torch::Tensor& mean() const { return mean_; }
  const torch::Tensor& std() const { return std_; }

 private:
  torch::Tensor mean_;  // [D]
  torch::Tensor std_;   // [D]
};
TORCH_MODULE(Normalizer);

}  // namespace mbrl::models
