#include "mbrl/models/normalizer.h"

#include "mbrl/core/shape.h"

namespace mbrl::models {

NormalizerImpl::NormalizerImpl(int64_t dim) {
  mean_ = register_buffer("mean", torch::zeros({dim}));
  std_ = register_buffer("std", torch::ones({dim}));
}

void NormalizerImpl::Fit(const torch::Tensor& data) {
  CheckShape(data, {-1, mean_.size(0)}, "Normalizer::Fit data");
  torch::NoGradGuard no_grad;
  const auto d = data.to(mean_.device(), mean_.scalar_type());
  auto std = d.size(0) > 1 ? d.std(0, /*unbiased=*/false) : torch::ones_like(mean_);
  std = torch::where(std < 1e-8, torch::ones_like(std), std);
  mean_.copy_(d.mean(0));
  std_.copy_(std);
}

torch::Tensor NormalizerImpl::Normalize(const torch::Tensor& x) const { return (x - mean_) / std_; }

torch::Tensor NormalizerImpl::Denormalize(const torch::Tensor& x) const { return x * std_ + mean_; }

}  // namespace mbrl::models
