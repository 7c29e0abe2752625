#pragma once
// Typed configuration. One plain struct per component; field names equal the YAML keys and each
// struct's Visit() lists its fields once, so reading, validation and writing share one definition.
#include <cstdint>
#include <string>
#include <vector>

#include "mbrl/config/field.h"
#include "mbrl/config/planners.h"

namespace mbrl::config {

/// Propagation modes of ModelRollout.
inline const std::vector<std::string>& PropagationModes() {
  static const std::vector<std::string> kModes = {"tsinf", "ts1", "expectation", "mean"};
  return kModes;
}

/// The environment.
struct EnvConfig {
  int episode_length = 0;  // steps per episode; 0 = the task's own length

  template <class V>
  void Visit(V& v) {
    v.Field("episode_length", episode_length, AtLeast(0));
  }
};

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
  int max_epochs = 50;            // epochs per training call (upper bound)
  int patience = 5;               // epochs without holdout improvement before stopping
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

/// The MPC agent (MpcAgent).
struct AgentConfig {
  int horizon = 25;      // planning horizon H
  int replan_freq = 1;   // steps between replans (the plan is followed in between)

  template <class V>
  void Visit(V& v) {
    v.Field("horizon", horizon, InRange(1, 100000));
    v.Field("replan_freq", replan_freq, AtLeast(1));
  }
};

/// The PETS loop.
struct PetsConfig {
  int episodes = 15;        // total episodes, the random seed episodes included
  int seed_episodes = 1;    // random-action episodes before the first model is trained
  bool save_buffer = true;  // write replay_buffer.bin after each episode
  bool save_model = true;   // write model.pt after each episode

  template <class V>
  void Visit(V& v) {
    v.Field("episodes", episodes, AtLeast(1));
    v.Field("seed_episodes", seed_episodes, AtLeast(0));
    v.Field("save_buffer", save_buffer, Any<bool>());
    v.Field("save_model", save_model, Any<bool>());
  }
};

/// A whole run.
struct Config {
  std::string task = "cartpole_swingup";  // task name
  int64_t seed = 0;                       // run seed; every random stream derives from it
  std::string device = "cpu";             // cpu | cuda
  EnvConfig env;
  EnsembleConfig model;
  TrainerConfig trainer;
  RolloutConfig rollout;
  PlannerConfig planner;
  AgentConfig agent;
  PetsConfig pets;

  template <class V>
  void Visit(V& v) {
    v.Field("task", task, Any<std::string>());
    v.Field("seed", seed, AtLeast<int64_t>(0));
    v.Field("device", device, OneOf({"cpu", "cuda"}));
    v.Section("env", env);
    v.Section("model", model);
    v.Section("trainer", trainer);
    v.Section("rollout", rollout);
    v.Section("planner", planner);
    v.Section("agent", agent);
    v.Section("pets", pets);
  }
};

}  // namespace mbrl::config
