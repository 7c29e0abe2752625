#pragma once
// The planners' settings: one plain struct per planner (field names equal the YAML keys of the
// `planner:` section, defaults inline), and PlannerSettings, the list of them. A struct's kName
// is its `planner.type`; planning/registry.cc maps each struct to its planner class.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "mbrl/config/field.h"

namespace mbrl::config {

/// PETS cross-entropy method (CemPlanner).
struct CemConfig {
  static constexpr const char* kName = "cem";  // planner.type

  int population = 400;              // samples per iteration
  double elite_ratio = 0.1;          // fraction of samples kept as elites
  int iterations = 5;                // CEM iterations per plan
  double alpha = 0.1;                // smoothing: new = alpha * old + (1 - alpha) * elite stats
  std::string return_mode = "mean";  // mean: final mean (PETS); best: best sequence seen
  double min_variance = 1e-3;        // stop early once the largest variance falls below this

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
  int grad_steps = 10;         // G gradient updates per sequence
  double eta_init = 0.01;      // first step size tried at every update
  double rho = 0.67;           // step size shrink factor after a trial that did not improve
  int line_search_trials = 8;  // J trials per update; a sequence whose J trials fail stops
  // The direction each trial steps along: "adam" (Adam's bias-corrected m / (sqrt(v) + eps), as
  // the paper's code steps; its moments advance only on accepted updates) or "gradient" (the
  // paper's Eq. 3: eta * grad). An Adam step moves each action by about eta whatever the
  // return's scale; a gradient step by eta times the gradient (at eta 0.01 on cartpole, ~0.001).
  std::string step = "adam";

  template <class V>
  void Visit(V& v) {
    v.Field("grad_steps", grad_steps, InRange(0, 100000));
    v.Field("eta_init", eta_init, Positive());
    v.Field("rho", rho, Between(0.0, 1.0));
    v.Field("line_search_trials", line_search_trials, InRange(1, 1000));
    v.Field("step", step, OneOf({"gradient", "adam"}));
  }
};

/// Grad: one random sequence refined by line-search gradient ascent.
struct GradConfig {
  static constexpr const char* kName = "grad";  // planner.type

  LineSearchConfig line_search;  // the refinement
  // Later steps start from the shifted previous plan (the first step of an episode from a random
  // sequence); false: a new random sequence at every step, which G updates barely move.
  bool warm_start = true;

  template <class V>
  void Visit(V& v) {
    line_search.Visit(v);
    v.Field("warm_start", warm_start, Any<bool>());
  }
};

/// CEM-GD (Huang 2021, Algorithm 1): a CEM stage (n_init samples at t = 0, n_r afterwards around
/// the warm start) whose top_k sequences are refined by line-search gradient ascent.
struct CemGdConfig {
  static constexpr const char* kName = "cem-gd";  // planner.type

  int n_init = 15000;            // CEM samples at the first step of an episode (all iterations)
  int n_r = 50;                  // CEM samples at later steps (all iterations)
  int cem_iterations = 1;        // CEM iterations in the sampling stage (samples split evenly)
  double elite_ratio = 0.1;      // elites of the CEM stage when cem_iterations > 1
  double alpha = 0.1;            // CEM smoothing when cem_iterations > 1
  int top_k = 1;                 // sequences handed to the gradient stage
  bool keep_warm_start = true;   // t > 0: the warm start itself is one of the n_r candidates
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
  static constexpr const char* kName = "grad-mpc";  // planner.type

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
  static constexpr const char* kName = "dcem";  // planner.type

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
  static constexpr const char* kName = "icem";  // planner.type

  int population = 300;              // samples at the first iteration
  int elites = 10;                   // elites per iteration
  int iterations = 3;                // iterations per plan
  double alpha = 0.1;                // momentum: new = alpha * old + (1 - alpha) * elite stats
  double noise_beta = 2.0;           // coloured-noise exponent (0 white, 2 "brown")
  double population_decay = 1.25;    // gamma: population / gamma per iteration
  int min_population = 20;           // floor of the shrinking population (at least 2 elites)
  double keep_elites = 0.3;          // fraction of elites carried to the next iteration and step
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
  static constexpr const char* kName = "mppi";  // planner.type

  int population = 400;  // samples per iteration
  int iterations = 5;    // iterations per plan
  double gamma = 10.0;   // reward weighting: larger follows the best sequence more closely
  double sigma = 0.8;    // noise std as a fraction of half the action range
  double beta = 0.6;     // noise filter: u_t = beta * n_t + (1 - beta) * u_{t-1}

  template <class V>
  void Visit(V& v) {
    v.Field("population", population, InRange(1, 10000000));
    v.Field("iterations", iterations, InRange(1, 10000));
    v.Field("gamma", gamma, Positive());
    v.Field("sigma", sigma, Positive());
    v.Field("beta", beta, InRange(0.0, 1.0));
  }
};

/// Random shooting (Nagabandi et al. 2018): the best of uniformly random sequences.
struct RandomShootingConfig {
  static constexpr const char* kName = "random";  // planner.type

  int population = 1000;   // sequences scored per plan
  bool warm_start = true;  // the shifted previous plan is one of them

  template <class V>
  void Visit(V& v) {
    v.Field("population", population, InRange(1, 100000000));
    v.Field("warm_start", warm_start, Any<bool>());
  }
};

/// Every planner's settings, one alternative per planner (the first is the default planner).
/// Adding a planner: its struct above, one alternative here, one entry in planning/registry.cc.
using PlannerSettings = std::variant<CemConfig, CemGdConfig, DcemConfig, GradConfig, GradMpcConfig,
                                     IcemConfig, MppiConfig, RandomShootingConfig>;

/// The planner names (each alternative's kName), in PlannerSettings' order.
const std::vector<std::string>& PlannerNames();

/// The default settings of planner `name`; nullopt for an unknown name.
std::optional<PlannerSettings> DefaultPlannerSettings(const std::string& name);

/// The planner section: `type` picks the planner and which fields are valid beside it.
struct PlannerConfig {
  PlannerSettings settings;  // the chosen planner's fields; planner.type is its kName
  // auto | on | off: planning steps with no host reads and fixed shapes (Planner::SetCaptureReady
  // and ModelRollout::SetCaptureReady); auto: on for CUDA devices.
  std::string capture_ready = "auto";
  // auto | on | off: each warm-started planning step captured once as a CUDA graph and replayed
  // (planning::GraphedPlanner); needs a CUDA device and capture-ready planning. auto: on when
  // both hold.
  std::string cuda_graph = "auto";

  /// The planner `name` at its defaults. Throws ConfigError listing the valid names.
  static PlannerConfig Named(const std::string& name);
  /// The planner's name (its settings' kName).
  std::string type() const {
    return std::visit([](const auto& s) { return std::string(s.kName); }, settings);
  }
  /// The settings as S; throws ConfigError naming both planners when it holds another one.
  template <class S>
  S& Get() {
    if (auto* s = std::get_if<S>(&settings)) return *s;
    ThrowWrongPlanner(S::kName);
  }
  template <class S>
  const S& Get() const {
    return const_cast<PlannerConfig*>(this)->Get<S>();
  }

  template <class V>
  void Visit(V& v) {
    std::string name = type();
    v.Field("type", name, OneOf(PlannerNames()));
    if (name != type()) settings = *DefaultPlannerSettings(name);
    v.Field("capture_ready", capture_ready, OneOf({"auto", "on", "off"}));
    v.Field("cuda_graph", cuda_graph, OneOf({"auto", "on", "off"}));
    std::visit([&](auto& s) { s.Visit(v); }, settings);
  }

 private:
  [[noreturn]] void ThrowWrongPlanner(const char* wanted) const;
};

}  // namespace mbrl::config
