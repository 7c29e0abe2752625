#pragma once
// The one place that maps task names to environments and task functions.
#include <memory>
#include <string>
#include <vector>

#include "mbrl/env/env.h"
#include "mbrl/env/task.h"

namespace mbrl::env {

/// Names of every task, sorted.
std::vector<std::string> TaskNames();
/// A new environment for `name`. Throws ConfigError listing the valid names for an unknown one.
std::unique_ptr<Env> MakeEnv(const std::string& name);
/// The torch functions of `name`. Throws ConfigError listing the valid names for an unknown one.
std::unique_ptr<Task> MakeTask(const std::string& name);

}  // namespace mbrl::env
