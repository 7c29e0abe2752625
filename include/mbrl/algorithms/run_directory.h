#pragma once
// The rules of a run directory that more than one command keeps: where a new run goes, that a new
// run never writes over an old one, and that a run of a given environment is given it again.
#include <functional>
#include <optional>
#include <string>

#include "mbrl/config/config.h"
#include "mbrl/core/file_lock.h"
#include "mbrl/env/registry.h"

namespace mbrl::algorithms {

/// Who asks, so that messages name its options: the command line's flags (--out, --resume DIR,
/// --device) or Python's arguments (out, resume=True, device).
enum class Caller { kCli, kPython };

/// The name of the run directory's option ("--out" or "out").
std::string OutOption(Caller caller);
/// How to continue the run in `dir` ("--resume DIR" or "resume=True").
std::string ResumeHint(Caller caller, const std::string& dir);
/// The name of the device option ("--device" or "device").
std::string DeviceOption(Caller caller);

/// "episode_NNNNNN" (six digits): the name of an episode's checkpoint folder and of its files
/// under models/ and plans/.
std::string EpisodeFileName(int episode);
/// RUN/models/episode_NNNNNN.pt: the model that planned MPC episode `episode`, kept as
/// pets.keep_models asks.
std::string KeptModelPath(const std::string& run_dir, int episode);
/// RUN/plans/episode_NNNNNN.pt: MPC episode `episode`'s plans, a dict of tensors that torch.load
/// reads: step [P] (the steps that replanned), predicted_return [P] (the objective's value of
/// each plan), actions [P, H, A].
std::string PlansPath(const std::string& run_dir, int episode);

/// runs/<task>/<planner>/<YYYYmmdd-HHMMSS>: where a new run of `config` goes unless told.
std::string DefaultRunDir(const config::Config& config);

/// Throws ConfigError when `out` already holds a run (metrics.csv): a new run never overwrites
/// one; the message names the caller's option and how to continue the run instead.
void RequireNoRun(const std::string& out, Caller caller);

/// Throws ConfigError when the run in `run_dir` (its `config`) did not run `task`'s environment:
/// a run of a built-in task or a task from files is not given one.
void RequireRunOfTask(const std::string& run_dir, const config::Config& config,
                      const env::TaskEntry& task);

/// The one writer of a run directory: the OS lock on RUN/.lock (core/file_lock.h), held while
/// this object lives and released when the process ends in any way.
class RunLock {
 public:
  /// Creates `run_dir` if missing and takes its lock. Throws ConfigError naming the run and the
  /// process that writes it when another one does (nothing of the run is changed). Where the file
  /// system takes no lock, `on_warning` is told so and the caller goes on unguarded.
  static RunLock Take(const std::string& run_dir,
                      const std::function<void(const std::string&)>& on_warning = nullptr);
  /// Writes this process (host, pid, start, command) into the lock file, once the caller is past
  /// its checks: a refused command leaves the file as it was.
  void Announce();

 private:
  std::optional<FileLock> lock_;
};

}  // namespace mbrl::algorithms
