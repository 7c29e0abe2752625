#include "mbrl/models/gaussian_ensemble.h"

#include <cmath>
#include <cstdlib>
#include <thread>
#include <vector>

#include "mbrl/core/atomic_file.h"
#include "mbrl/core/blas_threads.h"
#include "mbrl/core/error.h"
#include "mbrl/core/shape.h"
#include "mbrl/models/fused_ensemble_step.h"

namespace mbrl::models {
namespace {
// Rows per member in one task of the parallel inference path: a [E, 512, 200] activation is 2 MB
// and stays in cache between layers.
constexpr int64_t kChunkRows = 512;
}  // namespace

int InferenceThreads() {
  // OMP_NUM_THREADS, when set, limits every thread pool (OpenBLAS's and this one; LibTorch's own
  // is one beside OpenBLAS, LimitIntraOpThreadsBesideOpenBlas). Its first number, as OpenMP reads
  // "4,2".
  if (const char* omp = std::getenv("OMP_NUM_THREADS")) {
    const int threads = std::atoi(omp);
    if (threads >= 1) return threads;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

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
  max_logvar_ = register_parameter("max_logvar", torch::full({1, out_dim}, config.init_max_logvar));
  min_logvar_ = register_parameter("min_logvar", torch::full({1, out_dim}, config.init_min_logvar));
  normalizer_ = register_module("normalizer", Normalizer(in_dim));
}

std::pair<torch::Tensor, torch::Tensor> GaussianEnsembleImpl::forward(const torch::Tensor& x) {
  CheckShape(x, {ensemble_size_, -1, in_dim_}, "GaussianEnsemble input");
  const int64_t N = x.size(1);
  // Inference on many rows (planning, >= kMinThreadedRows per member): the rows go through the
  // whole MLP in chunks whose activations stay in cache, instead of layer by layer over
  // [E, N, 200] tensors of up to hundreds of MB, and the chunks are shared by InferenceThreads()
  // threads, each running its matrix products with single-threaded BLAS. One multi-threaded BLAS
  // call per layer scaled worse: its threads idle during the element-wise work between products.
  // Measured with `mbrl bench forward` (docs/performance.md).
  if (!torch::GradMode::is_enabled() && x.device().is_cpu() && N >= kMinThreadedRows) {
    auto mean = torch::empty({ensemble_size_, N, out_dim_}, x.options());    // [E, N, out]
    auto logvar = torch::empty({ensemble_size_, N, out_dim_}, x.options());  // [E, N, out]
    // At most kChunkRows rows per chunk, and a multiple of the threads in chunks of equal size.
    const int64_t threads = InferenceThreads();
    int64_t chunks = (N + kChunkRows - 1) / kChunkRows;
    chunks = (chunks + threads - 1) / threads * threads;
    const int64_t rows = (N + chunks - 1) / chunks;
    chunks = (N + rows - 1) / rows;
    RunTasksOnThreads(chunks, static_cast<int>(threads), [&](int64_t c) {
      const int64_t start = c * rows, len = std::min(rows, N - start);
      const auto [m, lv] = ForwardRows(x.narrow(1, start, len));
      mean.narrow(1, start, len).copy_(m);
      logvar.narrow(1, start, len).copy_(lv);
    });
    return {mean, logvar};
  }
  return ForwardRows(x);
}

std::pair<torch::Tensor, torch::Tensor> GaussianEnsembleImpl::ForwardRows(const torch::Tensor& x) {
  CheckShape(x, {ensemble_size_, -1, in_dim_}, "GaussianEnsemble input");
  auto h = normalizer_->Normalize(x);  // [E, N, in]
  torch::Tensor out;                   // [E, N, 2 * out]
  if (!torch::GradMode::is_enabled() && FusedEnsembleStep::Available(h.options()) &&
      FusedEnsembleStep::Available(weights_[0].options())) {
    // Inference on the CPU: the layers as plain loops around the products (RowGemm with the
    // bias and SiLU in its tiles where the CPU has AVX-512), as a TS-inf rollout runs them,
    // without an operator per layer and member.
    out = FusedEnsembleStep(weights_, biases_, {}, {}, h.size(1)).Heads(h);
  } else {
    const size_t last = weights_.size() - 1;
    for (size_t l = 0; l < last; ++l) h = torch::silu(torch::baddbmm(biases_[l], h, weights_[l]));
    out = torch::baddbmm(biases_[last], h, weights_[last]);
  }
  const auto mean = out.narrow(2, 0, out_dim_);                       // [E, N, out]
  auto logvar = out.narrow(2, out_dim_, out_dim_);                    // [E, N, out]
  // Soft bounds keep the log-variance in (min_logvar, max_logvar) with gradients everywhere.
  logvar = max_logvar_ - torch::softplus(max_logvar_ - logvar);
  logvar = min_logvar_ + torch::softplus(logvar - min_logvar_);
  return {mean, logvar};
}

std::pair<torch::Tensor, torch::Tensor> GaussianEnsembleImpl::ForwardShared(
    const torch::Tensor& x) {
  CheckShape(x, {-1, in_dim_}, "GaussianEnsemble shared input");
  return forward(x.unsqueeze(0).expand({ensemble_size_, x.size(0), in_dim_}));
}

void SaveEnsemble(GaussianEnsemble& model, const std::string& path) {
  WriteAtomically(path, [&](const std::string& tmp) { torch::save(model, tmp); });
}

void LoadEnsemble(GaussianEnsemble& model, const std::string& path) {
  // torch::load replaces each tensor with the stored one whatever its shape, so the shapes are
  // compared here: a model of other sizes is refused instead of silently taking them.
  std::vector<std::pair<std::string, std::vector<int64_t>>> shapes;
  for (const auto& p : model->named_parameters())
    shapes.emplace_back(p.key(), p.value().sizes().vec());
  for (const auto& b : model->named_buffers())
    shapes.emplace_back(b.key(), b.value().sizes().vec());
  try {
    torch::load(model, path);
  } catch (const c10::Error& e) {
    throw Error(path + ": cannot load ensemble checkpoint: " + e.msg());
  }
  const auto shape_text = [](const std::vector<int64_t>& s) {
    std::string t = "[";
    for (size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
    return t + "]";
  };
  auto params = model->named_parameters();
  auto buffers = model->named_buffers();
  for (const auto& [name, expected] : shapes) {
    const auto* t = params.find(name);
    if (t == nullptr) t = buffers.find(name);
    const auto got = t ? t->sizes().vec() : std::vector<int64_t>{};
    if (got != expected) {
      throw Error(path + ": an ensemble of other sizes (" + name + " is " + shape_text(got) +
                  ", the config gives " + shape_text(expected) + ")");
    }
  }
}

}  // namespace mbrl::models
