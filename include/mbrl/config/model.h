#pragma once
// The model side's settings: the ensemble, its training and the rollout through it (one struct
// per component; config.h gathers them into a whole run's Config).
#include <cstdint>
#include <string>
#include <vector>

#include "mbrl/config/field.h"

namespace mbrl::config {

/// Propagation modes of ModelRollout.
inline const std::vector<std::string>& PropagationModes() {
  static const std::vector<std::string> kModes = {"tsinf", "ts1", "expectation", "mean"};
  return kModes;
}

/// The probabilistic ensemble (GaussianEnsemble).
struct EnsembleConfig {
  int ensemble_size = 5;          // E members
  int hidden_size = 200;          // units per hidden layer
  int num_layers = 3;             // hidden layers
  double init_max_logvar = 0.5;   // initial soft upper bound of the log-variance
  double init_min_logvar = -10;   // initial soft lower bound of the log-variance

  template <class V>
  void Visit(V& v) {
    v.Field("ensemble_size", ensemble_size, InRange(1, 1000));
    v.Field("hidden_size", hidden_size, InRange(1, 100000));
    v.Field("num_layers", num_layers, InRange(1, 100));
    v.Field("init_max_logvar", init_max_logvar, Any<double>());
    v.Field("init_min_logvar", init_min_logvar, Any<double>());
  }
};

/// Model training (ModelTrainer).
struct TrainerConfig {
  double learning_rate = 1e-3;    // Adam step size
  double weight_decay = 5e-5;     // Adam L2 weight decay
  int batch_size = 32;            // minibatch size per member
  double holdout_ratio = 0.1;     // fraction of data held out for early stopping
  int max_holdout = 5000;         // cap on held-out transitions
  int max_epochs = 500;           // epochs per training call (upper bound)
  int patience = 5;               // epochs without holdout improvement before stopping
  // Gradient updates per training call before early stopping may stop it: a few short episodes
  // are a few minibatches per epoch, and `patience` epochs of them too few updates to learn.
  int min_updates = 1000;
  bool bootstrap = true;          // per-member bootstrap resampling (else per-member shuffles)
  double logvar_bound_coef = 0.01;  // weight of sum(max_logvar) - sum(min_logvar) in the loss

  template <class V>
  void Visit(V& v) {
    v.Field("learning_rate", learning_rate, Positive());
    v.Field("weight_decay", weight_decay, AtLeast(0.0));
    v.Field("batch_size", batch_size, AtLeast(1));
    v.Field("holdout_ratio", holdout_ratio, InRange(0.0, 0.9));
    v.Field("max_holdout", max_holdout, AtLeast(0));
    v.Field("max_epochs", max_epochs, AtLeast(1));
    v.Field("patience", patience, AtLeast(1));
    v.Field("min_updates", min_updates, AtLeast(0));
    v.Field("bootstrap", bootstrap, Any<bool>());
    v.Field("logvar_bound_coef", logvar_bound_coef, AtLeast(0.0));
  }
};

/// Trajectory evaluation through the model (ModelRollout).
struct RolloutConfig {
  std::string propagation = "tsinf";  // tsinf | ts1 | expectation | mean
  int particles = 20;                 // particles per action sequence (a multiple of E for tsinf)
  int block_rows = 32768;             // rows (sequences x particles) a rollout runs at a time

  template <class V>
  void Visit(V& v) {
    v.Field("propagation", propagation, OneOf(PropagationModes()));
    v.Field("particles", particles, InRange(1, 100000));
    v.Field("block_rows", block_rows, InRange(1, 1 << 30));
  }
};

}  // namespace mbrl::config
