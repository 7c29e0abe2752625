#include "mbrl/algorithms/run_directory.h"

#include <chrono>
#include <ctime>
#include <filesystem>

#include "mbrl/core/error.h"

namespace mbrl::algorithms {

std::string OutOption(Caller caller) { return caller == Caller::kCli ? "--out" : "out"; }

std::string ResumeHint(Caller caller, const std::string& dir) {
  return caller == Caller::kCli ? "--resume " + dir : "resume=True";
}

std::string DeviceOption(Caller caller) { return caller == Caller::kCli ? "--device" : "device"; }

std::string DefaultRunDir(const config::Config& config) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
  return "runs/" + env::TaskLabel(config) + "/" + config.planner.type() + "/" + stamp;
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

}  // namespace mbrl::algorithms
