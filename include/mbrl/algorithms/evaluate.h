#pragma once
// Evaluating a trained model: MPC episodes with any planner on a saved run's model, no training.
#include <torch/torch.h>

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mbrl/algorithms/stack.h"
#include "mbrl/config/config.h"
#include "mbrl/core/progress.h"
#include "mbrl/data/replay_buffer.h"
#include "mbrl/env/env.h"

namespace mbrl::algorithms {

/// One evaluation episode.
struct EvalEpisode {
  int episode = 0;        ///< 1-based
  double episode_return = 0;
  int steps = 0;
  double plan_ms = 0;     ///< mean planning time per step (ms)
};

/// Called after each env step (episode, step, episode length, return so far), for progress.
using EvalStepHook = std::function<void(int episode, int step, int length, double ret)>;
/// Called with the env after each reset and after each step (to film it): steps + 1 calls per
/// episode.
using EvalFrameHook = std::function<void(const env::Env& env)>;

/// A step hook that shows "eval episode E/N  step S/L  return R" on `progress`'s live line, for
/// `episodes` episodes (`progress` must outlive the evaluation).
EvalStepHook EvalProgressHook(Progress& progress, int episodes);

/// Loads the ensemble saved at `model_path` into `stack`'s model and puts it in eval mode. Throws
/// ConfigError naming the file when it cannot be read or does not fit the stack's config.
void LoadTrainedModel(Stack& stack, const std::string& model_path);

/// Runs `episodes` MPC episodes of `config` (its task, planner and seed; env resets from the
/// seed's env stream) on the ensemble saved at `model_path`. Throws ConfigError naming the file
/// when the model cannot be read or does not fit the config. `transitions`, when given, is made
/// with the task's sizes and receives every step (obs, action, reward, next obs, terminated),
/// episode after episode. `task`: the caller's environment and task (BuildStack), or null for the
/// config's.
std::vector<EvalEpisode> EvaluateModel(const config::Config& config, const torch::Device& device,
                                       const std::string& model_path, int episodes,
                                       const EvalStepHook& on_step = nullptr,
                                       const EvalFrameHook& on_frame = nullptr,
                                       std::optional<data::ReplayBuffer>* transitions = nullptr,
                                       const env::TaskEntry* task = nullptr);

/// eval.csv: a header and one row per episode (episode,return,steps,plan_ms_per_step).
std::string EvalCsv(const std::vector<EvalEpisode>& episodes);

/// What `mbrl eval` takes: a run directory and how to evaluate its model.
struct EvalRunOptions {
  std::string run_dir;                       ///< holds config.yaml and model.pt
  std::string planner;                       ///< a planner file's name; empty: the run's own
  std::string planner_dir = "configs/planner";  ///< where <planner>.yaml files are
  std::vector<std::string> overrides;        ///< "key=value", as --set
  int episodes = 5;
  int64_t seed = -1;                         ///< < 0: the run's seed
  std::string device;                        ///< empty: the run's device
  std::string out;                           ///< empty: RUN_DIR/eval/<planner name>
  std::string video;                         ///< an MP4 file to film the episodes into; empty: none
  std::string video_size = "640x480";        ///< WIDTHxHEIGHT
  double fps = 0;                            ///< 0: the task's control rate
  /// The run's environment and task given again (an environment written in Python, which a run
  /// directory cannot hold); null: the run's config.yaml names them.
  const env::TaskEntry* task = nullptr;
};

/// What an evaluation of a run did.
struct EvalRunResult {
  config::Config config;  ///< as run (planner, seed and overrides applied)
  std::string out_dir;    ///< where eval.csv, config.yaml and transitions.bin went
  std::vector<EvalEpisode> episodes;
  int frames = 0;         ///< video frames written (0 without a video)
};

/// "WIDTHxHEIGHT" with even sizes from 16 to 4096 (H.264), or a ConfigError naming --video-size.
std::pair<int, int> ParseVideoSize(const std::string& text);

/// `mbrl eval`: checks the run directory and the options (each refusal a ConfigError naming the
/// flag or file, before anything runs), runs EvaluateModel on the run's model.pt, and writes
/// eval.csv, config.yaml and transitions.bin (replay_buffer.bin's format) into the out directory,
/// and the video when asked. A refusal during the episodes leaves no empty directory behind.
/// `on_warning` receives the device fallback warning, if any.
EvalRunResult EvaluateRun(const EvalRunOptions& options, const EvalStepHook& on_step = nullptr,
                          const std::function<void(const std::string&)>& on_warning = nullptr);

}  // namespace mbrl::algorithms
