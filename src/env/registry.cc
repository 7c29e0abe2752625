#include "mbrl/env/registry.h"

#include <algorithm>

#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"
#include "mbrl/env/cartpole_down.h"
#include "mbrl/env/cartpole_swingup.h"
#include "mbrl/env/half_cheetah.h"
#include "mbrl/env/humanoid_standup.h"
#include "mbrl/env/pusher.h"
#include "mbrl/env/toy_barrier.h"

namespace mbrl::env {
namespace {

template <class E, class T>
TaskEntry Entry(const char* name) {
  return {name, [] { return std::make_unique<E>(); }, [] { return std::make_unique<T>(); }};
}

const TaskEntry& Find(const std::string& name) {
  const auto& tasks = Tasks();
  const auto it =
      std::find_if(tasks.begin(), tasks.end(), [&](const TaskEntry& e) { return e.name == name; });
  if (it == tasks.end()) {
    throw ConfigError("task: unknown task '" + name + "' (valid: " + Join(TaskNames()) + ")");
  }
  return *it;
}

}  // namespace

const std::vector<TaskEntry>& Tasks() {
  // The one table of tasks, sorted by name.
  static const std::vector<TaskEntry> kTasks = {
      Entry<CartpoleDownEnv, CartpoleDownTask>("cartpole_down"),
      Entry<CartpoleSwingupEnv, CartpoleSwingupTask>("cartpole_swingup"),
      Entry<HalfCheetahEnv, HalfCheetahTask>("half_cheetah"),
      Entry<HumanoidStandupEnv, HumanoidStandupTask>("humanoid_standup"),
      Entry<PusherEnv, PusherTask>("pusher"),
      Entry<ToyBarrierEnv, ToyBarrierTask>("toy_barrier"),
  };
  return kTasks;
}

std::vector<std::string> TaskNames() {
  std::vector<std::string> names;
  for (const auto& e : Tasks()) names.push_back(e.name);
  return names;
}

std::unique_ptr<Env> MakeEnv(const std::string& name) { return Find(name).make_env(); }

std::unique_ptr<Task> MakeTask(const std::string& name) { return Find(name).make_task(); }

void RequireKnownTask(const std::string& task, const std::string& source,
                      const std::vector<std::string>& overrides) {
  const auto tasks = TaskNames();
  if (std::find(tasks.begin(), tasks.end(), task) != tasks.end()) return;
  // The last --set of the task names it; else the config file (or the defaults) did.
  std::string task_source = source;
  for (const auto& o : overrides) {
    if (o.rfind("task=", 0) == 0) task_source = "--set";
  }
  throw ConfigError(task_source + ": task: unknown task '" + task + "' (valid: " + Join(tasks) +
                    ")");
}

}  // namespace mbrl::env
