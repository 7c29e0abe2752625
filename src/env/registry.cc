#include "mbrl/env/registry.h"

#include <algorithm>
#include <filesystem>

#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"
#include "mbrl/env/cartpole_down.h"
#include "mbrl/env/cartpole_swingup.h"
#include "mbrl/env/file_task.h"
#include "mbrl/env/half_cheetah.h"
#include "mbrl/env/humanoid_standup.h"
#include "mbrl/env/pusher.h"
#include "mbrl/env/toy_barrier.h"

namespace mbrl::env {
namespace {

// A built-in task: its name is its Task's.
template <class E, class T>
TaskEntry Entry() {
  return {T().Name(), [] { return std::make_unique<E>(); }, [] { return std::make_unique<T>(); }};
}

std::string PythonOnlyMessage(const std::string& name) {
  return "task: '" + name + "' is an environment written in Python: it runs only from Python, " +
         "with the environment passed again (mbrl.train(..., env=...), " +
         "mbrl.load_run(...).agent(env=...)), and `mbrl eval RUN --env FILE.py:NAME --reward " +
         "FILE.py:NAME` evaluates it";
}

const TaskEntry& Find(const std::string& name) {
  if (name == kPythonTaskName) throw ConfigError(PythonOnlyMessage(name));
  const auto& tasks = Tasks();
  const auto it =
      std::find_if(tasks.begin(), tasks.end(), [&](const TaskEntry& e) { return e.name == name; });
  if (it == tasks.end()) {
    throw ConfigError("task: unknown task '" + name + "' (valid: " + Join(TaskNames()) + "; " +
                      kFileTaskName + ": a task from files)");
  }
  return *it;
}

}  // namespace

const std::vector<TaskEntry>& Tasks() {
  // The one table of tasks, sorted by name.
  static const std::vector<TaskEntry> kTasks = {
      Entry<CartpoleDownEnv, CartpoleDownTask>(),
      Entry<CartpoleSwingupEnv, CartpoleSwingupTask>(),
      Entry<HalfCheetahEnv, HalfCheetahTask>(),
      Entry<HumanoidStandupEnv, HumanoidStandupTask>(),
      Entry<PusherEnv, PusherTask>(),
      Entry<ToyBarrierEnv, ToyBarrierTask>(),
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

namespace {
// A built-in task takes none of the keys of a task from files.
void RequireBuiltIn(const config::Config& config) {
  const char* key = !config.env.model.empty()       ? "env.model"
                    : !config.env.functions.empty() ? "env.functions"
                                                    : nullptr;
  if (key == nullptr) return;
  throw ConfigError(std::string(key) + ": set, but task '" + config.task +
                    "' is built in; a task from files has task: " + kFileTaskName);
}
}  // namespace

std::string TaskLabel(const config::Config& config) {
  if (config.task != kFileTaskName || config.env.model.empty()) return config.task;
  return std::filesystem::path(config.env.model).stem().string();
}

void CheckTaskFiles(const config::Config& config) {
  if (config.task == kFileTaskName) FileTaskEnv env(config.env);
}

std::unique_ptr<Env> MakeEnv(const config::Config& config) {
  if (config.task == kFileTaskName) return std::make_unique<FileTaskEnv>(config.env);
  RequireBuiltIn(config);
  return MakeEnv(config.task);
}

std::unique_ptr<Task> MakeTask(const config::Config& config) {
  if (config.task == kFileTaskName) return FileTaskEnv(config.env).MakeTask();
  RequireBuiltIn(config);
  return MakeTask(config.task);
}

void RequireKnownTask(const std::string& task, const std::string& source,
                      const std::vector<std::string>& overrides) {
  const auto tasks = TaskNames();
  if (task == kFileTaskName || std::find(tasks.begin(), tasks.end(), task) != tasks.end()) return;
  if (task == kPythonTaskName) throw ConfigError(source + ": " + PythonOnlyMessage(task));
  // The last --set of the task names it; else the config file (or the defaults) did.
  std::string task_source = source;
  for (const auto& o : overrides) {
    if (o.rfind("task=", 0) == 0) task_source = "--set";
  }
  throw ConfigError(task_source + ": task: unknown task '" + task + "' (valid: " + Join(tasks) +
                    "; " + kFileTaskName + ": a task from files, env.model and env.functions)");
}

}  // namespace mbrl::env
