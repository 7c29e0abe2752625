#pragma once
// A training run as `mbrl train` and `mbrl.train` start it: every check before anything is
// written, the run directory's rules, resume and "already complete", then PETS.
#include <functional>
#include <string>
#include <vector>

#include "mbrl/algorithms/pets.h"
#include "mbrl/algorithms/run_directory.h"
#include "mbrl/config/config.h"
#include "mbrl/env/registry.h"

namespace mbrl::algorithms {

/// What a training run takes.
struct TrainRunOptions {
  /// The run's config: loaded from files and overrides for a new run, the run directory's own
  /// (LoadResumeConfig) for a resumed one.
  config::Config config;
  std::string config_source = "<built-in defaults>";  ///< where `config` came from, for messages
  std::vector<std::string> overrides;  ///< the "key=value" items applied (to name them in messages)
  std::string out;                     ///< the run directory; empty: DefaultRunDir (a new run only)
  bool resume = false;                 ///< continue the run in `out` from its last complete episode
  std::string device;  ///< a device asked for besides the config's; empty: the config's
  std::string label;   ///< the run's name in plots (label.txt); empty: none
  /// The caller's environment and task (an environment written in Python); null: the config's.
  /// A new run's task is then its name; a resumed run must have run it.
  const env::TaskEntry* task = nullptr;
  Caller caller = Caller::kCli;  ///< whose options the messages name
};

/// Where a run starts, told before its first episode.
struct TrainRunStart {
  std::string out;         ///< the run directory
  int episodes = 0;        ///< pets.episodes
  int resumed_after = -1;  ///< episodes already complete (a resumed run); -1: a new run
};

/// What a training run did.
struct TrainRunResult {
  std::string out;                      ///< the run directory
  bool already_complete = false;        ///< a resumed run had every episode: nothing ran
  int complete_episodes = 0;            ///< complete episodes in the run directory now
  bool interrupted = false;             ///< should_stop ended it during an episode
  std::vector<EpisodeMetrics> metrics;  ///< every episode's row, the resumed ones included
};

/// Checks `options` (each refusal a ConfigError naming the caller's option, file or key, before
/// anything is written: the task and its files, the device, the run directory), then runs or
/// resumes PETS into the run directory with `hooks`. `on_start` is told where it starts (not
/// called for a run already complete); `on_warning` receives the device fallback warning.
TrainRunResult TrainRun(TrainRunOptions options, const PetsHooks& hooks = {},
                        const std::function<void(const TrainRunStart&)>& on_start = nullptr,
                        const std::function<void(const std::string&)>& on_warning = nullptr);

}  // namespace mbrl::algorithms
