#include "mbrl/algorithms/run_directory.h"

#include <cstdio>
#include <filesystem>

#include "mbrl/core/error.h"
#include "mbrl/core/timer.h"

namespace mbrl::algorithms {

std::string OutOption(Caller caller) { return caller == Caller::kCli ? "--out" : "out"; }

std::string ResumeHint(Caller caller, const std::string& dir) {
  return caller == Caller::kCli ? "--resume " + dir : "resume=True";
}

std::string DeviceOption(Caller caller) { return caller == Caller::kCli ? "--device" : "device"; }

std::string EpisodeFileName(int episode) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "episode_%06d", episode);
  return buf;
}

std::string KeptModelPath(const std::string& run_dir, int episode) {
  return run_dir + "/models/" + EpisodeFileName(episode) + ".pt";
}

std::string PlansPath(const std::string& run_dir, int episode) {
  return run_dir + "/plans/" + EpisodeFileName(episode) + ".pt";
}

std::string DefaultRunDir(const config::Config& config) {
  return "runs/" + env::TaskLabel(config) + "/" + config.planner.type() + "/" +
         LocalTimeNow("%Y%m%d-%H%M%S");
}

void RequireNoRun(const std::string& out, Caller caller) {
  std::error_code ec;
  if (!std::filesystem::exists(out + "/metrics.csv", ec)) return;
  throw ConfigError(OutOption(caller) + " " + out +
                    ": this directory already holds a run "
                    "(metrics.csv); choose a new directory so nothing is overwritten, or continue "
                    "it with " +
                    ResumeHint(caller, out));
}

void RequireRunOfTask(const std::string& run_dir, const config::Config& config,
                      const env::TaskEntry& task) {
  if (config.task == task.name) return;
  throw ConfigError("env: " + run_dir + " ran the task '" + config.task +
                    "', not an environment written in Python: leave env out");
}

RunLock RunLock::Take(const std::string& run_dir,
                      const std::function<void(const std::string&)>& on_warning) {
  std::error_code ec;
  std::filesystem::create_directories(run_dir, ec);
  if (ec) throw ConfigError(run_dir + ": cannot create the run directory (" + ec.message() + ")");
  RunLock lock;
  std::string holder;
  const std::string path = run_dir + "/.lock";
  switch (FileLock::TryLock(path, &lock.lock_, &holder)) {
    case LockOutcome::kTaken:
      break;
    case LockOutcome::kHeld:
      throw ConfigError(run_dir + ": another process is writing this run (" +
                        (holder.empty() ? std::string("its holder wrote nothing yet") : holder) +
                        "); wait for it to end, or stop it and resume the run (a run killed "
                        "with kill -9 resumes at once)");
    case LockOutcome::kUnsupported:
      if (on_warning) {
        on_warning(path + ": this file system takes no file lock, so nothing stops a second "
                   "process from writing this run at the same time (docs/runs.md, \"One writer "
                   "per run\")");
      }
      break;
  }
  return lock;
}

void RunLock::Announce() {
  if (lock_) lock_->Write(ThisProcessDescription());
}

}  // namespace mbrl::algorithms
