#pragma once
// What the model gets wrong, on a run's own episodes: the model that planned an episode scored on
// that episode's real transitions (which it never trained on), and the planner's predicted
// returns against the real ones. `mbrl diagnose` and Python's Run.diagnose call DiagnoseRun;
// mbrl/plot_diagnosis.py (src/python/) draws its CSVs.
#include <torch/torch.h>

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "mbrl/env/registry.h"

namespace mbrl::algorithms {

/// One step of every ensemble member from its own states: obs [M, N, O] (M the members), actions
/// [N, A] -> (means of the next observations [M, N, O], their variances [M, N, O]).
using MemberStep =
    std::function<std::pair<torch::Tensor, torch::Tensor>(const torch::Tensor&, const torch::Tensor&)>;

/// A real episode: observations [T + 1, O] (the first and every next one), actions [T, A],
/// rewards [T].
struct EpisodeData {
  torch::Tensor obs, actions, rewards;
};

/// The model's open-loop predictions along the real actions from every real state of an episode,
/// k = 1..H steps ahead, each vector indexed by k - 1. Errors are root mean squares over the
/// observation dimensions and the start states of (prediction - real) / scale.
struct ModelDiagnosis {
  int members = 0, obs_dim = 0;
  std::vector<int64_t> starts;   ///< start states that have k real steps after them
  std::vector<double> mean_error;  ///< rolling the ensemble's mean prediction forward
  std::vector<std::vector<double>> member_error;  ///< [member][k - 1]: each member on its own
  /// Share of real observations within 1 and 2 standard deviations of the predicted distribution
  /// (the members' mixture, moment-matched: mean of means, mean variance plus the means' spread),
  /// over dimensions and starts; and per dimension ([k - 1][dim]).
  std::vector<double> within_1sigma, within_2sigma;
  std::vector<std::vector<double>> within_1sigma_dim, within_2sigma_dim;
  std::vector<double> nll;  ///< that Gaussian's negative log-likelihood per dimension, averaged
  /// Spearman's rank correlation over start states of the members' spread (the RMS over
  /// dimensions of the normalised std of their means) against the mean rollout's error: does
  /// the ensemble's disagreement say where it is wrong.
  std::vector<double> rank_correlation;
};

/// Scores `step` (an ensemble of `members`) on `episode` up to `horizon` steps ahead; `scale` [O]
/// normalises each dimension.
ModelDiagnosis DiagnoseModel(const MemberStep& step, int members, const EpisodeData& episode,
                             int horizon, const torch::Tensor& scale);

/// One replanning step's predicted return (the objective's value of the plan) against the real
/// return of the same `horizon` steps under MPC.
struct OptimismRow {
  int64_t step = 0;
  double predicted = 0, real = 0;
};

/// The plans at `steps` (with `predicted` returns) against the episode's real rewards [T]: one row
/// per plan whose `horizon` steps all lie within the episode.
std::vector<OptimismRow> PlannerOptimism(const std::vector<int64_t>& steps,
                                         const std::vector<double>& predicted,
                                         const torch::Tensor& rewards, int horizon);

/// Spearman's rank correlation of two equally long lists (ties get their mean rank); 0 when
/// either has no spread.
double SpearmanCorrelation(const std::vector<double>& x, const std::vector<double>& y);

/// What `mbrl diagnose` reads and writes.
struct DiagnoseOptions {
  std::string run_dir;
  int first_episode = 0, last_episode = 0;  ///< MPC episodes to score (0, 0: every one it can)
  int horizon = 0;                          ///< steps ahead (0: the run's agent.horizon)
  std::string out;                          ///< output folder (empty: RUN/diagnosis)
  /// The run's environment and task when the caller gives them (an environment written in
  /// Python); null: the config's.
  const env::TaskEntry* task = nullptr;
};

/// What a diagnosis found, as its CSV files hold it.
struct RunDiagnosis {
  std::string out;                 ///< the folder written
  std::vector<int> episodes;       ///< the MPC episodes scored
  std::vector<ModelDiagnosis> models;               ///< per episode
  std::vector<std::vector<OptimismRow>> optimism;   ///< per episode
};

/// Scores the chosen MPC episodes of a finished or stopped run with the models that planned them
/// (models/ as pets.keep_models kept them, or model.pt for the run's last episode) and their
/// plans, and writes OUT/error.csv, calibration.csv, disagreement.csv, optimism.csv and
/// summary.csv. Writing into the run (no `out`), it is one of the run's writers and takes its
/// lock (run_directory.h). Throws ConfigError (naming the run and what to pass next time) when an
/// episode's model or plans were not kept.
RunDiagnosis DiagnoseRun(const DiagnoseOptions& options);

}  // namespace mbrl::algorithms
