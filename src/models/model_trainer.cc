#include "mbrl/models/model_trainer.h"

#include <algorithm>
#include <cmath>

#include "mbrl/core/atomic_file.h"
#include "mbrl/core/blas_threads.h"
#include "mbrl/core/error.h"
#include "mbrl/core/logging.h"
#include "mbrl/core/seeding.h"
#include "mbrl/core/shape.h"
#include "mbrl/core/strings.h"

namespace mbrl::models {

torch::Tensor GaussianNll(const torch::Tensor& mean, const torch::Tensor& logvar,
                          const torch::Tensor& target) {
  const auto inv_var = torch::exp(-logvar);
  const auto per_elem = (mean - target).square() * inv_var + logvar;  // [E, N, O]
  return per_elem.mean({1, 2}).sum();
}

ModelTrainer::ModelTrainer(GaussianEnsemble model, const config::TrainerConfig& config,
                           uint64_t seed, std::shared_ptr<Logger> logger)
    : model_(std::move(model)),
      config_(config),
      generator_(MakeGenerator(torch::Device(torch::kCPU), seed)),
      logger_(logger ? std::move(logger) : NullLogger()) {
  optimizer_ = std::make_unique<torch::optim::Adam>(
      model_->parameters(),
      torch::optim::AdamOptions(config_.learning_rate).weight_decay(config_.weight_decay));
}

void ModelTrainer::SaveState(const std::string& path) const {
  torch::serialize::OutputArchive archive;
  optimizer_->save(archive);
  archive.write("trainer_generator_state", generator_.get_state());
  WriteAtomically(path, [&](const std::string& tmp) { archive.save_to(tmp); });
}

void ModelTrainer::LoadState(const std::string& path) {
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(path);
    optimizer_->load(archive);
    torch::Tensor state;
    archive.read("trainer_generator_state", state);
    generator_.set_state(state);
  } catch (const c10::Error& e) {
    throw Error(path + ": cannot read the trainer state: " + e.msg());
  }
}

torch::Tensor ModelTrainer::EvaluateMse(const torch::Tensor& inputs, const torch::Tensor& targets) {
  torch::NoGradGuard no_grad;
  const int64_t n = inputs.size(0);
  const int64_t chunk = 4096;
  auto sum = torch::zeros({model_->ensemble_size()}, inputs.options());
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t len = std::min(chunk, n - start);
    const auto [mean, logvar] = model_->ForwardShared(inputs.narrow(0, start, len));  // [E, len, O]
    sum += (mean - targets.narrow(0, start, len).unsqueeze(0)).square().mean(2).sum(1);
  }
  return sum / static_cast<double>(n);
}

TrainStats ModelTrainer::Train(const torch::Tensor& inputs, const torch::Tensor& targets) {
  CheckShape(inputs, {-1, model_->in_dim()}, "ModelTrainer inputs");
  CheckShape(targets, {inputs.size(0), model_->out_dim()}, "ModelTrainer targets");
  const torch::Device device = model_->parameters().front().device();
  const int64_t n = inputs.size(0);
  const int64_t E = model_->ensemble_size();

  // Holdout split with the trainer's own generator (on the CPU, then moved).
  const auto perm = torch::randperm(n, generator_, torch::kLong);
  int64_t n_holdout = static_cast<int64_t>(std::floor(n * config_.holdout_ratio));
  n_holdout = std::min<int64_t>(n_holdout, config_.max_holdout);
  if (n - n_holdout < 1) n_holdout = 0;
  const auto train_idx = perm.narrow(0, n_holdout, n - n_holdout).to(device);
  const auto hold_idx = perm.narrow(0, 0, n_holdout).to(device);
  const auto x_train = inputs.to(device).index_select(0, train_idx);   // [Nt, in]
  const auto y_train = targets.to(device).index_select(0, train_idx);  // [Nt, O]
  const auto x_hold = inputs.to(device).index_select(0, hold_idx);     // [Nh, in]
  const auto y_hold = targets.to(device).index_select(0, hold_idx);    // [Nh, O]
  const int64_t n_train = x_train.size(0);

  model_->normalizer()->Fit(x_train);

  TrainStats stats;
  stats.train_size = n_train;
  stats.holdout_size = n_holdout;
  const auto& x_eval = n_holdout > 0 ? x_hold : x_train;
  const auto& y_eval = n_holdout > 0 ? y_hold : y_train;

  double best = EvaluateMse(x_eval, y_eval).mean().item<double>();
  std::vector<torch::Tensor> best_params;
  {
    torch::NoGradGuard no_grad;
    for (const auto& p : model_->parameters()) best_params.push_back(p.detach().clone());
  }
  int since_best = 0;
  int64_t updates = 0;  // minibatch updates so far
  const int64_t batch = std::min<int64_t>(config_.batch_size, n_train);
  // Minibatch products ([E, 32, 200] at the default sizes) gain nothing from OpenBLAS's threads,
  // and its threads spin while they wait: beside other busy processes (a sweep's jobs, another
  // run) a multi-threaded BLAS made training 38x slower (docs/performance.md, "Model training").
  ScopedBlasThreads single_threaded_blas(1);
  for (int epoch = 0; epoch < config_.max_epochs; ++epoch) {
    // Each member sees its own ordering (bootstrap: sampled with replacement).
    torch::Tensor order;  // [E, Nt]
    if (config_.bootstrap) {
      order = torch::randint(n_train, {E, n_train}, generator_, torch::kLong);
    } else {
      order = torch::argsort(torch::rand({E, n_train}, generator_), int64_t{1}, false);
    }
    order = order.to(device);
    double loss_sum = 0;
    int batches = 0;
    for (int64_t start = 0; start < n_train; start += batch) {
      const int64_t len = std::min(batch, n_train - start);
      const auto idx = order.narrow(1, start, len).reshape({-1});       // [E * len]
      const auto xb = x_train.index_select(0, idx).view({E, len, -1});  // [E, len, in]
      const auto yb = y_train.index_select(0, idx).view({E, len, -1});  // [E, len, O]
      const auto [mean, logvar] = model_->forward(xb);
      auto loss = GaussianNll(mean, logvar, yb) +
                  config_.logvar_bound_coef *
                      (model_->max_logvar().sum() - model_->min_logvar().sum());
      optimizer_->zero_grad();
      loss.backward();
      optimizer_->step();
      loss_sum += loss.item<double>();
      ++batches;
      ++updates;
    }
    stats.train_loss = loss_sum / std::max(batches, 1);
    stats.epochs = epoch + 1;
    stats.updates = updates;
    const double mse = EvaluateMse(x_eval, y_eval).mean().item<double>();
    logger_->Debug(Format("model epoch %d: train nll %.5f, eval mse %.6f", epoch + 1,
                          stats.train_loss, mse));
    if (mse < best * (1.0 - 1e-4)) {
      best = mse;
      since_best = 0;
      torch::NoGradGuard no_grad;
      auto params = model_->parameters();
      for (size_t i = 0; i < params.size(); ++i) best_params[i].copy_(params[i]);
    } else if (++since_best >= config_.patience && updates >= config_.min_updates) {
      break;
    }
  }
  {
    torch::NoGradGuard no_grad;
    auto params = model_->parameters();
    for (size_t i = 0; i < params.size(); ++i) params[i].copy_(best_params[i]);
  }
  stats.holdout_mse = best;
  logger_->Info(Format("model trained: %d epochs (%lld updates), %lld train / %lld holdout transitions, train "
                       "nll %.4f, best %s mse %.6f",
                       stats.epochs, static_cast<long long>(stats.updates),
                       static_cast<long long>(n_train),
                       static_cast<long long>(n_holdout), stats.train_loss,
                       n_holdout > 0 ? "holdout" : "train", best));
  return stats;
}

}  // namespace mbrl::models
