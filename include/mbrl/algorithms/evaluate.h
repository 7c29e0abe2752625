#pragma once
// Evaluating a trained model: MPC episodes with any planner on a saved run's model, no training.
#include <torch/torch.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mbrl/algorithms/stack.h"
#include "mbrl/config/config.h"
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

/// Loads the ensemble saved at `model_path` into `stack`'s model and puts it in eval mode. Throws
/// ConfigError naming the file when it cannot be read or does not fit the stack's config.
void LoadTrainedModel(Stack& stack, const std::string& model_path);

/// Runs `episodes` MPC episodes of `config` (its task, planner and seed; env resets from the
/// seed's env stream) on the ensemble saved at `model_path`. Throws ConfigError naming the file
/// when the model cannot be read or does not fit the config. `transitions`, when given, is made
/// with the task's sizes and receives every step (obs, action, reward, next obs, terminated),
/// episode after episode.
std::vector<EvalEpisode> EvaluateModel(const config::Config& config, const torch::Device& device,
                                       const std::string& model_path, int episodes,
                                       const EvalStepHook& on_step = nullptr,
                                       const EvalFrameHook& on_frame = nullptr,
                                       std::optional<data::ReplayBuffer>* transitions = nullptr);

/// eval.csv: a header and one row per episode (episode,return,steps,plan_ms_per_step).
std::string EvalCsv(const std::vector<EvalEpisode>& episodes);

}  // namespace mbrl::algorithms
