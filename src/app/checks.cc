#include <algorithm>

#include "commands.h"
#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"
#include "mbrl/env/registry.h"

namespace mbrl::app {

void RequireKnownTask(const config::Config& config, const std::string& source,
                      const std::vector<std::string>& overrides) {
  const auto tasks = env::TaskNames();
  if (std::find(tasks.begin(), tasks.end(), config.task) != tasks.end()) return;
  // The last --set of the task names it; else the config file (or the defaults) did.
  std::string task_source = source;
  for (const auto& o : overrides) {
    if (o.rfind("task=", 0) == 0) task_source = "--set";
  }
  throw ConfigError(task_source + ": task: unknown task '" + config.task + "' (valid: " +
                    Join(tasks) + ")");
}

}  // namespace mbrl::app
