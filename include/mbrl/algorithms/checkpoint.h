#pragma once
// A PETS run's checkpoint after each complete episode, for `mbrl train --resume`: everything the
// loop needs to continue exactly as if it had not stopped.
//
// Layout, inside the run directory:
//   checkpoint/LATEST              the name of the newest complete checkpoint (written last,
//                                  atomically: a checkpoint is complete once LATEST names it)
//   checkpoint/episode_NNNNNN/     state.json (format, episode, metrics rows, the env and action
//                                  engines), model.pt, trainer.pt (Adam, batch generator),
//                                  generators.pt (rollout and planner generators),
//                                  replay_buffer.bin
// A checkpoint is written into episode_NNNNNN.tmp and renamed when whole; the previous one is
// removed only after LATEST names the new one, so a kill at any moment leaves a complete one.
#include <random>
#include <string>
#include <vector>

#include "mbrl/algorithms/pets.h"
#include "mbrl/algorithms/stack.h"
#include "mbrl/data/replay_buffer.h"
#include "mbrl/models/model_trainer.h"

namespace mbrl::algorithms {

/// The loop's own state at the end of an episode.
struct LoopState {
  int episode = 0;                      ///< episodes completed
  std::vector<EpisodeMetrics> metrics;  ///< one per completed episode
  std::vector<std::string> stat_names;  ///< planner statistics seen (metrics.csv columns)
  models::TrainStats last_train;        ///< the model's last training result
  double wall_s = 0;                    ///< run time so far
  std::mt19937_64 env_rng, action_rng;  ///< env resets and random actions
};

/// Version of the checkpoint format; a checkpoint of another version is refused on resume.
constexpr int kCheckpointFormat = 1;

/// Writes the checkpoint of `state` (crash-safe as above) and removes the previous one.
void SaveCheckpoint(const std::string& run_dir, const LoopState& state, Stack& stack,
                    const models::ModelTrainer& trainer, const data::ReplayBuffer& buffer);

/// The keys a resumed run may change with --set (pets.episodes): they do not change what the
/// finished episodes mean. Not the device: the random generators' states are the device's own.
const std::vector<std::string>& ResumableKeys();

/// The config of the run in `dir` (its config.yaml) with `overrides`, for resuming it. Throws
/// ConfigError naming --resume when `dir` is no run with a checkpoint, and --set KEY for a key a
/// resume may not change.
config::Config LoadResumeConfig(const std::string& dir, const std::vector<std::string>& overrides);

/// Whether `run_dir` holds a checkpoint (checkpoint/LATEST).
bool HasCheckpoint(const std::string& run_dir);

/// The episodes completed by the newest checkpoint LATEST names: -1 without a LATEST; a
/// ConfigError naming LATEST when what it names is not a checkpoint folder beside it.
int CheckpointEpisode(const std::string& run_dir);

/// Restores the newest complete checkpoint into `stack` (model, rollout and planner generators),
/// `trainer` and `buffer`, and returns the loop state. Throws ConfigError naming the file and
/// what is wrong (missing, truncated, another format) without changing anything on disk.
LoopState LoadCheckpoint(const std::string& run_dir, Stack& stack, models::ModelTrainer& trainer,
                         data::ReplayBuffer& buffer);

}  // namespace mbrl::algorithms
