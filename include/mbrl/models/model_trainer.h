#pragma once
// Fitting a GaussianEnsemble by Gaussian negative log-likelihood with holdout early stopping.
#include <torch/torch.h>

#include <memory>

#include "mbrl/config/model.h"
#include "mbrl/core/logging.h"
#include "mbrl/models/gaussian_ensemble.h"

namespace mbrl::models {

/// What one training call did.
struct TrainStats {
  double train_loss = 0;     ///< NLL (+ bound term) of the last epoch, averaged over batches
  double holdout_mse = 0;    ///< best holdout MSE (mean over members); train MSE without holdout
  int epochs = 0;            ///< epochs run
  int64_t updates = 0;       ///< minibatch updates run
  int64_t train_size = 0;    ///< transitions trained on
  int64_t holdout_size = 0;  ///< transitions held out
};

/// Trains the ensemble on (input, target) pairs. Adam state persists across calls.
class ModelTrainer {
 public:
  ModelTrainer(GaussianEnsemble model, const config::TrainerConfig& config, uint64_t seed,
               std::shared_ptr<Logger> logger = nullptr);
  /// inputs [N, in] (unnormalised), targets [N, out]. Refits the normaliser on the training split,
  /// trains until holdout MSE stops improving for `patience` epochs (once `min_updates` minibatch
  /// updates are done) or `max_epochs`, and keeps the best weights seen.
  TrainStats Train(const torch::Tensor& inputs, const torch::Tensor& targets);

  /// What a resumed run needs besides the model: Adam's moments and the batch generator's state,
  /// written atomically to `path`; LoadState reads them back (throws mbrl::Error naming `path`).
  void SaveState(const std::string& path) const;
  void LoadState(const std::string& path);

  /// Per-member MSE of the mean prediction: inputs [N, in], targets [N, out] -> [E].
  torch::Tensor EvaluateMse(const torch::Tensor& inputs, const torch::Tensor& targets);

 private:
  GaussianEnsemble model_;
  config::TrainerConfig config_;
  at::Generator generator_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  std::shared_ptr<Logger> logger_;
};

/// Gaussian NLL averaged over batch and dims, summed over members:
/// mean [E, N, O], logvar [E, N, O], target [E, N, O] -> scalar.
torch::Tensor GaussianNll(const torch::Tensor& mean, const torch::Tensor& logvar,
                          const torch::Tensor& target);

}  // namespace mbrl::models
