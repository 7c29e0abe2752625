#pragma once
// PETS: random seed episodes, then repeatedly train the ensemble on all data and act with MPC.
#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "mbrl/config/config.h"
#include "mbrl/core/step_graph.h"
#include "mbrl/env/registry.h"

namespace mbrl::data {
class ReplayBuffer;
}  // namespace mbrl::data

namespace mbrl::algorithms {

/// A replay buffer's transitions as CPU tensors (copies): obs [N, O], actions [N, A],
/// rewards [N], next_obs [N, O].
struct TransitionTensors {
  torch::Tensor obs, actions, rewards, next_obs;
};
TransitionTensors ToTensors(const data::ReplayBuffer& buffer);

/// One row of metrics.csv.
struct EpisodeMetrics {
  int episode = 0;            ///< 1-based
  int64_t env_steps = 0;      ///< total real steps so far
  double episode_return = 0;  ///< sum of real rewards
  int steps = 0;              ///< steps in this episode
  bool random = false;        ///< a random-action seed episode
  double train_loss = 0;      ///< model NLL of the last training epoch (0 before the first training)
  double holdout_loss = 0;    ///< best holdout MSE of the model used
  int model_epochs = 0;       ///< training epochs before this episode
  double train_s = 0;         ///< seconds spent training before this episode
  double plan_ms = 0;         ///< mean planning time per step (ms)
  double wall_s = 0;          ///< seconds since the run started
  bool interrupted = false;   ///< the run was stopped during this episode (a partial episode)
  std::map<std::string, double> plan_stats;  ///< planner statistics averaged over the episode's plans
};

/// Callbacks around the loop (the CLI draws progress with them).
struct PetsHooks {
  std::function<void(const std::string& phase)> on_phase;                 ///< "training model", ...
  std::function<void(int episode, int step, int length, double ret)> on_step;  ///< each env step
  std::function<void(const EpisodeMetrics&)> on_episode;                  ///< after each episode
  /// After a resumed run loaded its checkpoint: episodes completed, their run time (s).
  std::function<void(int episodes, double wall_s)> on_resume;
  /// Polled every step; returning true ends the run after saving what was collected so far
  /// (the partial episode's transitions, its metrics row and the model).
  std::function<bool()> should_stop;
  /// When set, planning steps are captured and replayed as the graphs this makes, on any device
  /// (capture-ready planning needed): a stand-in for CUDA graphs in tests. Unset, CUDA graphs are
  /// used as planner.cuda_graph says.
  StepGraphFactory step_graphs;
};

/// Runs PETS as configured, writing into `run_dir` (created if missing): config.yaml,
/// metrics.csv, log.txt, replay_buffer.bin and model.pt (after each episode, atomically), and
/// after each complete episode a checkpoint (algorithms/checkpoint.h). With `resume`, continues
/// from run_dir's checkpoint: the same returns as a run that never stopped (same machine); what
/// was saved of an unfinished episode after it is dropped and that episode runs again. Returns
/// every episode's metrics, the resumed ones included. `task`: the caller's environment and task
/// (BuildStack), or null for the config's. Run it through TrainRun (train_run.h), which checks
/// first.
std::vector<EpisodeMetrics> RunPets(const config::Config& config, const torch::Device& device,
                                    const std::string& run_dir, const PetsHooks& hooks = {},
                                    bool resume = false, const env::TaskEntry* task = nullptr);

/// The line printed after each episode (`mbrl train`, `mbrl.train`): "episode E/N  steps S
/// return R  (random|mpc|stopped)  plan P ms/step  model mse M".
std::string EpisodeLine(const EpisodeMetrics& m, int episodes);

/// The header line of metrics.csv: the fixed columns, then `plan_<stat>` for every planner
/// statistic in `stat_names`.
std::string MetricsCsvHeader(const std::vector<std::string>& stat_names = {});

}  // namespace mbrl::algorithms
