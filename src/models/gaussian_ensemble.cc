#include "mbrl/models/gaussian_ensemble.h"

#include <cmath>

#include "mbrl/core/atomic_file.h"
#include "mbrl/core/error.h"
#include "mbrl/core/shape.h"

namespace mbrl::models {

GaussianEnsembleImpl::GaussianEnsembleImpl(const config::EnsembleConfig& config, int64_t in_dim,
                                           int64_t out_dim)
    : ensemble_size_(config.ensemble_size), in_dim_(in_dim), out_dim_(out_dim) {
  std::vector<int64_t> sizes = {in_dim};
  for (int l = 0; l < config.num_layers; ++l) sizes.push_back(config.hidden_size);
  sizes.push_back(2 * out_dim);  // mean and log-variance heads
  for (size_t l = 0; l + 1 < sizes.size(); ++l) {
    // Truncated-normal initialisation with std 1 / (2 sqrt(fan_in)), as in PETS.
    const double stddev = 1.0 / (2.0 * std::sqrt(static_cast<double>(sizes[l])));
    auto w = torch::randn({ensemble_size_, sizes[l], sizes[l + 1]}).clamp(-2, 2) * stddev;
    weights_.push_back(register_parameter("w" + std::to_string(l), w));
    biases_.push_back(register_parameter("b" + std::to_string(l),
                                         torch::zeros({ensemble_size_, 1, sizes[l + 1]})));
  }
  max_logvar_ = register_parameter("max_logvar",
                                   torch::full({1, out_dim}, config.init_max_logvar));
  min_logvar_ = register_parameter("min_logvar",
                                   torch::full({1, out_dim}, config.init_min_logvar));
  normalizer_ = register_module("normalizer", Normalizer(in_dim));
}

std::pair<torch::Tensor, torch::Tensor> GaussianEnsembleImpl::forward(const torch::Tensor& x) {
  CheckShape(x, {ensemble_size_, -1, in_dim_}, "GaussianEnsemble input");
  auto h = normalizer_->Normalize(x);  // [E, N, in]
  const size_t last = weights_.size() - 1;
  for (size_t l = 0; l < last; ++l) h = torch::silu(torch::baddbmm(biases_[l], h, weights_[l]));
  const auto out = torch::baddbmm(biases_[last], h, weights_[last]);  // [E, N, 2 * out]
  const auto mean = out.narrow(2, 0, out_dim_);                       // [E, N, out]
  auto logvar = out.narrow(2, out_dim_, out_dim_);                    // [E, N, out]
  // Soft bounds keep the log-variance in (min_logvar, max_logvar) with gradients everywhere.
  logvar = max_logvar_ - torch::softplus(max_logvar_ - logvar);
  logvar = min_logvar_ + torch::softplus(logvar - min_logvar_);
  return {mean, logvar};
}

std::pair<torch::Tensor, torch::Tensor> GaussianEnsembleImpl::ForwardShared(const torch::Tensor& x) {
  CheckShape(x, {-1, in_dim_}, "GaussianEnsemble shared input");
  return forward(x.unsqueeze(0).expand({ensemble_size_, x.size(0), in_dim_}));
}

void SaveEnsemble(GaussianEnsemble& model, const std::string& path) {
  WriteAtomically(path, [&](const std::string& tmp) { torch::save(model, tmp); });
}

void LoadEnsemble(GaussianEnsemble& model, const std::string& path) {
  try {
    torch::load(model, path);
  } catch (const c10::Error& e) {
    throw Error(path + ": cannot load ensemble checkpoint: " + e.msg());
  }
}

}  // namespace mbrl::models
