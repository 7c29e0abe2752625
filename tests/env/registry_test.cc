#include "mbrl/env/registry.h"

#include <gtest/gtest.h>

#include "mbrl/core/error.h"
#include "mbrl/env/task.h"

namespace mbrl::env {
namespace {

TEST(TaskRegistry, TasksThatCannotTerminateNeverReportTermination) {
  // Rollouts skip termination bookkeeping when CanTerminate() is false, so such a task's
  // Terminated() must be false everywhere, including far outside normal states.
  torch::manual_seed(0);
  for (const auto& name : TaskNames()) {
    const auto task = MakeTask(name);
    const auto next_obs = torch::randn({500, task->ObsDim()}) * 20;
    const bool any = task->Terminated(next_obs).any().item<bool>();
    if (!task->CanTerminate()) {
      EXPECT_FALSE(any) << name;
    }
  }
  EXPECT_TRUE(MakeTask("cartpole_down")->CanTerminate());
  EXPECT_THROW(MakeTask("no_such_task"), ConfigError);
}

TEST(TaskRegistry, ARuntimeTaskIsFoundByNameUntilRemovedAndPythonIsNamedWhenMissing) {
  config::Config config;
  config.task = kPythonTaskName;
  try {
    MakeEnv(config);
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("runs only from Python"), std::string::npos) << e.what();
  }
  AddRuntimeTask({kPythonTaskName, [] { return MakeEnv("cartpole_swingup"); },
                  [] { return MakeTask("cartpole_swingup"); }});
  EXPECT_NO_THROW(RequireKnownTask(kPythonTaskName, "test", {}));
  EXPECT_EQ(MakeEnv(config)->ObsDim(), 4);
  EXPECT_EQ(MakeTask(config)->ActionDim(), 1);
  RemoveRuntimeTask(kPythonTaskName);
  EXPECT_THROW(MakeEnv(config), ConfigError);
  EXPECT_THROW(RequireKnownTask(kPythonTaskName, "test", {}), ConfigError);
}

}  // namespace
}  // namespace mbrl::env
