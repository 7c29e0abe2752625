#pragma once
// The one table of tasks (env/registry.cc): each task's name, environment and torch functions.
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "mbrl/env/env.h"
#include "mbrl/env/task.h"

namespace mbrl::env {

/// One task: its name (`task:` in a config, configs/<name>.yaml) and its two factories.
struct TaskEntry {
  std::string name;
  std::function<std::unique_ptr<Env>()> make_env;    ///< the real environment
  std::function<std::unique_ptr<Task>()> make_task;  ///< its batched torch functions
};

/// Every task, sorted by name.
const std::vector<TaskEntry>& Tasks();
/// Names of every task, sorted.
std::vector<std::string> TaskNames();
/// Throws ConfigError when `task` is not a registered task, naming --set when one of `overrides`
/// set it, else `source` (the config file or "<built-in defaults>"). The config loader cannot
/// check this itself: config/ sits before env/ in the layers.
void RequireKnownTask(const std::string& task, const std::string& source,
                      const std::vector<std::string>& overrides);
/// A new environment for `name`. Throws ConfigError listing the valid names for an unknown one.
std::unique_ptr<Env> MakeEnv(const std::string& name);
/// The torch functions of `name`. Throws ConfigError listing the valid names for an unknown one.
std::unique_ptr<Task> MakeTask(const std::string& name);

}  // namespace mbrl::env
