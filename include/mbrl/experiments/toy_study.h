#pragma once
// The toy-barrier study of the CEM-GD paper (Figure 2c): how often CEM-GD passes below the
// barrier (the global optimum) as the number of initial samples N_init grows.
#include <array>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mbrl/config/planners.h"

namespace mbrl::experiments {

/// What to run.
struct ToyStudyOptions {
  std::vector<int> n_init = {10, 50, 100, 500, 1000, 5000};  ///< N_init values
  int trials = 100;      ///< MPC episodes per N_init (trial i uses the same seed for every N_init)
  int n_r = 50;          ///< samples at every step after the first
  int steps = 24;        ///< MPC steps per episode
  int horizon = 20;      ///< planning horizon
  uint64_t seed = 0;     ///< base seed
  int cem_iterations = 5;  ///< CEM iterations sharing the samples of each step
  /// The gradient stage: the paper's G, rho and J, its Eq. 3's plain gradient step, with eta_init
  /// 0.5 for the toy's reward scale (with 0.01 ten updates barely move a plan here).
  config::LineSearchConfig line_search = ToyLineSearch();

  static config::LineSearchConfig ToyLineSearch() {
    config::LineSearchConfig c;
    c.eta_init = 0.5;
    c.step = "gradient";
    return c;
  }
};

/// Which side of the barrier `path` passes: 1 below its centre, 0 above, -1 when it never
/// crosses the barrier's x (the side is read where it first does).
int SideOfBarrier(const std::vector<std::array<double, 2>>& path);

/// One MPC episode on the toy task.
struct ToyTrial {
  bool below = false;   ///< the executed path crossed the barrier's x below its centre
  int first_init_side = -1;     ///< SideOfBarrier of the t = 0 plan as sampled
  int first_refined_side = -1;  ///< SideOfBarrier of the t = 0 plan after refinement
  double episode_return = 0;
  std::vector<std::array<double, 2>> path;          ///< executed positions, start included
  std::vector<std::array<double, 2>> first_init;     ///< t = 0: the sampled sequence's path
  std::vector<std::array<double, 2>> first_refined;  ///< t = 0: after gradient refinement
};

/// One row of the study.
struct ToyStudyRow {
  int n_init = 0;
  int trials = 0;
  int below = 0;
  double fraction = 0;
  double mean_return = 0;
};

/// Runs one MPC episode of CEM-GD with the true dynamics as the objective.
ToyTrial RunToyTrial(int n_init, const ToyStudyOptions& options, uint64_t trial_seed);

/// Runs every N_init x trial; `on_trial(n_init, trial, result)` is called after each.
std::vector<ToyStudyRow> RunToyStudy(
    const ToyStudyOptions& options,
    const std::function<void(int, int, const ToyTrial&)>& on_trial = nullptr);

/// The study's files, filled trial by trial: success.csv (one row per N_init), trials.csv (one row
/// per trial), paths.csv (for each example N_init, its first failed and first successful episode:
/// the executed path and the t = 0 plan before and after refinement) and task.csv (the barrier's
/// geometry, so that the plot draws what the study ran).
class ToyStudyFiles {
 public:
  /// `examples`: the N_init values whose example episodes paths.csv keeps.
  explicit ToyStudyFiles(std::vector<int> examples);
  void AddTrial(int n_init, int trial, const ToyTrial& t);
  /// Writes the four files into `dir` (atomically, each).
  void Write(const std::string& dir, const std::vector<ToyStudyRow>& rows, int n_r) const;

 private:
  std::vector<int> examples_;
  std::set<std::pair<int, bool>> kept_;  ///< (N_init, below) of the example episodes kept
  std::string paths_ = "kind,n_init,trial,stage,step,x,y\n";
  std::string trials_ =
      "n_init,trial,below,first_plan_initial_side,first_plan_refined_side,return\n";
};

}  // namespace mbrl::experiments
