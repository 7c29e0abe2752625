#pragma once
// The one table of tasks (env/registry.cc): each task's name, environment and torch functions.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mbrl/config/config.h"
#include "mbrl/env/env.h"
#include "mbrl/env/task.h"

namespace mbrl::env {

/// One task: its name (`task:` in a config, configs/<name>.yaml) and its two factories.
struct TaskEntry {
  std::string name;
  std::function<std::unique_ptr<Env>()> make_env;    ///< the real environment
  std::function<std::unique_ptr<Task>()> make_task;  ///< its batched torch functions
};

/// Every built-in task, sorted by name. A task from files (task: mjcf) is not among them.
const std::vector<TaskEntry>& Tasks();
/// The task name of an environment written in Python: its caller (the Python module) hands the
/// stack its TaskEntry (algorithms::BuildStack); a run of it cannot be rebuilt by name.
inline constexpr const char* kPythonTaskName = "python";
/// Names of every task, sorted.
std::vector<std::string> TaskNames();
/// Throws ConfigError when `task` is neither a built-in task nor mjcf (for "python": saying how
/// such a run is given its environment again), naming --set when one of `overrides`
/// set it, else `source` (the config file or "<built-in defaults>"). The config loader cannot
/// check this itself: config/ sits before env/ in the layers.
void RequireKnownTask(const std::string& task, const std::string& source,
                      const std::vector<std::string>& overrides);
/// For a task from files, loads and checks its two files (throws ConfigError as MakeEnv does), so
/// that a command refuses them before it writes anything; nothing for a built-in task.
void CheckTaskFiles(const config::Config& config);
/// A new environment for `name`. Throws ConfigError listing the valid names for an unknown one.
std::unique_ptr<Env> MakeEnv(const std::string& name);
/// The torch functions of `name`. Throws ConfigError listing the valid names for an unknown one.
std::unique_ptr<Task> MakeTask(const std::string& name);
/// The name of `config`'s task in paths and reports: `task`, or for a task from files the stem
/// of its MJCF file (reacher.xml: "reacher").
std::string TaskLabel(const config::Config& config);
/// The environment of `config`: its built-in task's, or the task from files that config.env
/// names (task: mjcf). Throws ConfigError naming the key for what is missing or wrong.
std::unique_ptr<Env> MakeEnv(const config::Config& config);
/// The torch functions of `config`'s task (see MakeEnv).
std::unique_ptr<Task> MakeTask(const config::Config& config);

}  // namespace mbrl::env
