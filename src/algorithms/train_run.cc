#include "mbrl/algorithms/train_run.h"

#include <filesystem>
#include <optional>

#include "mbrl/algorithms/checkpoint.h"
#include "mbrl/algorithms/stack.h"
#include "mbrl/core/atomic_file.h"
#include "mbrl/core/device.h"
#include "mbrl/core/error.h"

namespace mbrl::algorithms {

TrainRunResult TrainRun(TrainRunOptions options, const PetsHooks& hooks,
                        const std::function<void(const TrainRunStart&)>& on_start,
                        const std::function<void(const std::string&)>& on_warning) {
  config::Config& config = options.config;
  const Caller caller = options.caller;
  if (options.resume && options.out.empty()) {
    throw ConfigError(ResumeHint(caller, "DIR") + ": the run directory is needed");
  }
  // The task: the caller's environment, or the config's (a built-in one, or files that load).
  if (options.task) {
    if (options.resume) RequireRunOfTask(options.out, config, *options.task);
    config.task = options.task->name;
  } else {
    env::RequireKnownTask(config.task, options.config_source, options.overrides);
    env::CheckTaskFiles(config);
  }

  // The device: a resumed run keeps its own, whose random streams it continues.
  if (options.resume && !options.device.empty() && options.device != config.device) {
    throw ConfigError(DeviceOption(caller) + " " + options.device + ": a resumed run keeps its " +
                      "device (" + config.device + "): its random streams are that device's");
  }
  if (!options.device.empty()) config.device = options.device;
  const DeviceChoice device =
      ResolveDevice(config.device, options.device.empty() ? options.config_source + ": device"
                                                          : DeviceOption(caller));
  if (!device.warning.empty() && on_warning) on_warning(device.warning);
  config.device = device.device.is_cuda() ? "cuda" : "cpu";
  UseCudaGraph(config.planner, device.device);  // refused before the run directory

  TrainRunResult result;
  result.out = options.out.empty() ? DefaultRunDir(config) : options.out;
  const std::string& out = result.out;
  std::optional<RunLock> lock;
  std::error_code ec;
  if (!options.resume && std::filesystem::exists(out + "/.lock", ec)) {
    lock = RunLock::Take(out, on_warning);  // a run being written: its writer is named
  }
  if (!options.resume) RequireNoRun(out, caller);
  if (!lock) lock = RunLock::Take(out, on_warning);  // one writer from here on
  if (options.resume) {
    result.complete_episodes = CheckpointEpisode(out);
    if (result.complete_episodes >= config.pets.episodes) {
      result.already_complete = true;
      return result;
    }
  }
  // The lock file names this process once it writes: a new run now, a resumed one once its
  // checkpoint has loaded (a refused resume changes nothing).
  PetsHooks run_hooks = hooks;
  if (options.resume) {
    run_hooks.on_resume = [&](int episodes, double wall_s) {
      lock->Announce();
      if (hooks.on_resume) hooks.on_resume(episodes, wall_s);
    };
  } else {
    lock->Announce();
  }
  if (!options.label.empty()) WriteTextAtomically(out + "/label.txt", options.label + "\n");
  if (on_start) {
    on_start({out, config.pets.episodes, options.resume ? result.complete_episodes : -1});
  }
  result.metrics = RunPets(config, device.device, out, run_hooks, options.resume, options.task);
  result.interrupted = !result.metrics.empty() && result.metrics.back().interrupted;
  result.complete_episodes = static_cast<int>(result.metrics.size()) - (result.interrupted ? 1 : 0);
  return result;
}

}  // namespace mbrl::algorithms
