#pragma once
// Typed configuration. One plain struct per component; field names equal the YAML keys and each
// struct's Visit() lists its fields once, so reading, validation and writing share one definition.
#include <cstdint>
#include <string>
#include <vector>

#include "mbrl/config/field.h"

namespace mbrl::config {

/// The planner types that have a config struct (the planning registry constructs them).
inline const std::vector<std::string>& PlannerTypes() {
  static const std::vector<std::string> kTypes = {"cem", "cem-gd", "dcem", "grad", "grad-mpc", "icem", "mppi"};
  return kTypes;
}

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

  template <class V>
  void Visit(V& v) {
    v.Field("propagation", propagation, OneOf(PropagationModes()));
    v.Field("particles", particles, InRange(1, 100000));
  }
};

/// PETS cross-entropy method (CemPlanner).
struct CemConfig {
  int population = 400;            // samples per iteration
  double elite_ratio = 0.1;        // fraction of samples kept as elites
  int iterations = 5;              // CEM iterations per plan
  double alpha = 0.1;              // smoothing: new = alpha * old + (1 - alpha) * elite stats
  std::string return_mode = "mean";  // mean: final mean (PETS); best: best sequence seen
  double min_variance = 1e-3;      // stop early once the largest variance falls below this

  template <class V>
  void Visit(V& v) {
    v.Field("population", population, InRange(2, 10000000));
    v.Field("elite_ratio", elite_ratio, Between(0.0, 1.0));
    v.Field("iterations", iterations, InRange(1, 10000));
    v.Field("alpha", alpha, InRange(0.0, 1.0));
    v.Field("return_mode", return_mode, OneOf({"best", "mean"}));
    v.Field("min_variance", min_variance, AtLeast(0.0));
  }
};

/// Gradient ascent with a backtracking line search (CEM-GD paper, section 2.2).
struct LineSearchConfig {
  int grad_steps = 10;           // G gradient updates per sequence
  double eta_init = 0.01;        // first step size tried at every update
  double rho = 0.67;             // step size shrink factor after a trial that did not improve
  int line_search_trials = 8;    // J trials per update; a sequence whose J trials fail stops

  template <class V>
  void Visit(V& v) {
    v.Field("grad_steps", grad_steps, InRange(0, 100000));
    v.Field("eta_init", eta_init, Positive());
    v.Field("rho", rho, Between(0.0, 1.0));
    v.Field("line_search_trials", line_search_trials, InRange(1, 1000));
  }
};

/// Grad: one random sequence refined by line-search gradient ascent.
struct GradConfig {
  LineSearchConfig line_search;  // the refinement
  bool warm_start = false;       // start from the shifted previous plan instead of a random one

  template <class V>
  void Visit(V& v) {
    line_search.Visit(v);
    v.Field("warm_start", warm_start, Any<bool>());
  }
};

/// CEM-GD (Huang 2021, Algorithm 1): a CEM stage (n_init samples at t = 0, n_r afterwards around
/// the warm start) whose top_k sequences are refined by line-search gradient ascent.
struct CemGdConfig {
  int n_init = 15000;         // CEM samples at the first step of an episode (all iterations)
  int n_r = 50;               // CEM samples at later steps (all iterations)
  int cem_iterations = 1;     // CEM iterations in the sampling stage (samples split evenly)
  double elite_ratio = 0.1;   // elites of the CEM stage when cem_iterations > 1
  double alpha = 0.1;         // CEM smoothing when cem_iterations > 1
  int top_k = 1;              // sequences handed to the gradient stage
  bool keep_warm_start = true;  // t > 0: the warm start itself is one of the n_r candidates
  LineSearchConfig line_search;  // the refinement

  template <class V>
  void Visit(V& v) {
    v.Field("n_init", n_init, InRange(1, 100000000));
    v.Field("n_r", n_r, InRange(1, 100000000));
    v.Field("cem_iterations", cem_iterations, InRange(1, 10000));
    v.Field("elite_ratio", elite_ratio, Between(0.0, 1.0));
    v.Field("alpha", alpha, InRange(0.0, 1.0));
    v.Field("top_k", top_k, InRange(1, 100000));
    v.Field("keep_warm_start", keep_warm_start, Any<bool>());
    line_search.Visit(v);
  }
};

/// Grad-MPC (Bharadhwaj et al. 2020, Algorithm 1): many random candidates refined together by
/// a first-order optimiser on their summed predicted returns.
struct GradMpcConfig {
  int candidates = 1000;           // J candidate sequences ~ N(0, 1), clamped to the bounds
  int iterations = 40;             // I optimiser steps
  std::string optimizer = "adam";  // adam | sgd
  double learning_rate = 0.01;     // optimiser step size on the actions
  bool warm_start = true;          // the shifted previous plan replaces one candidate

  template <class V>
  void Visit(V& v) {
    v.Field("candidates", candidates, InRange(1, 100000000));
    v.Field("iterations", iterations, InRange(0, 100000));
    v.Field("optimizer", optimizer, OneOf({"adam", "sgd"}));
    v.Field("learning_rate", learning_rate, Positive());
    v.Field("warm_start", warm_start, Any<bool>());
  }
};

/// DCEM (Amos & Yarats 2020, Algorithm 1): CEM whose elite selection is the soft top-k of the
/// normalised returns, so the plan is a differentiable function of the objective.
struct DcemConfig {
  int samples = 100;            // samples per iteration
  int elites = 10;              // k of the soft top-k
  double temperature = 1.0;     // tau of the soft top-k (-> 0: hard top-k, i.e. CEM)
  int iterations = 10;          // iterations per plan
  bool differentiable = false;  // true: keep the autograd graph of the returned plan

  template <class V>
  void Visit(V& v) {
    v.Field("samples", samples, InRange(2, 10000000));
    v.Field("elites", elites, InRange(1, 10000000));
    v.Field("temperature", temperature, Positive());
    v.Field("iterations", iterations, InRange(1, 10000));
    v.Field("differentiable", differentiable, Any<bool>());
  }
};

/// iCEM (Pinneri et al. 2020): CEM with coloured-noise samples, a shrinking population, elites
/// kept between iterations and time steps, and the best sequence executed.
struct IcemConfig {
  int population = 300;             // samples at the first iteration
  int elites = 10;                  // elites per iteration
  int iterations = 3;               // iterations per plan
  double alpha = 0.1;               // momentum: new = alpha * old + (1 - alpha) * elite stats
  double noise_beta = 2.0;          // coloured-noise exponent (0 white, 2 "brown")
  double population_decay = 1.25;   // gamma: population / gamma per iteration
  int min_population = 20;          // floor of the shrinking population (at least 2 elites)
  double keep_elites = 0.3;         // fraction of elites carried to the next iteration and step
  std::string return_mode = "best";  // best: best sequence seen (iCEM); mean: final mean

  template <class V>
  void Visit(V& v) {
    v.Field("population", population, InRange(2, 10000000));
    v.Field("elites", elites, InRange(1, 10000000));
    v.Field("iterations", iterations, InRange(1, 10000));
    v.Field("alpha", alpha, InRange(0.0, 1.0));
    v.Field("noise_beta", noise_beta, InRange(0.0, 10.0));
    v.Field("population_decay", population_decay, AtLeast(1.0));
    v.Field("min_population", min_population, InRange(2, 10000000));
    v.Field("keep_elites", keep_elites, InRange(0.0, 1.0));
    v.Field("return_mode", return_mode, OneOf({"best", "mean"}));
  }
};

/// MPPI in the filtered-noise form of PDDM (Nagabandi et al. 2019): time-smoothed noise around
/// the mean, sequences weighted by exp(gamma * (R - max R)), the mean set to the weighted average.
struct MppiConfig {
  int population = 400;   // samples per iteration
  int iterations = 5;     // iterations per plan
  double gamma = 10.0;    // reward weighting: larger follows the best sequence more closely
  double sigma = 0.8;     // noise std as a fraction of half the action range
  double beta = 0.6;      // noise filter: u_t = beta * n_t + (1 - beta) * u_{t-1}

  template <class V>
  void Visit(V& v) {
    v.Field("population", population, InRange(1, 10000000));
    v.Field("iterations", iterations, InRange(1, 10000));
    v.Field("gamma", gamma, Positive());
    v.Field("sigma", sigma, Positive());
    v.Field("beta", beta, InRange(0.0, 1.0));
  }
};

/// The planner section: `type` picks the planner and which fields are valid beside it.
struct PlannerConfig {
  std::string type = "cem";  // planner name (see PlannerTypes())
  CemConfig cem;             // fields when type == cem
  CemGdConfig cem_gd;        // fields when type == cem-gd
  GradConfig grad;           // fields when type == grad
  GradMpcConfig grad_mpc;    // fields when type == grad-mpc
  DcemConfig dcem;           // fields when type == dcem
  IcemConfig icem;           // fields when type == icem
  MppiConfig mppi;           // fields when type == mppi

  template <class V>
  void Visit(V& v) {
    v.Field("type", type, OneOf(PlannerTypes()));
    if (type == "cem") cem.Visit(v);
    if (type == "cem-gd") cem_gd.Visit(v);
    if (type == "grad") grad.Visit(v);
    if (type == "grad-mpc") grad_mpc.Visit(v);
    if (type == "dcem") dcem.Visit(v);
    if (type == "icem") icem.Visit(v);
    if (type == "mppi") mppi.Visit(v);
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
