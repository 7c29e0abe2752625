#include "mbrl/env/registry.h"

#include <gtest/gtest.h>

#include <functional>

#include "env/env_checks.h"
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

// Every built-in environment takes its name and sizes from its task, and its step reward (and
// termination) is the task's batched reward on the same real transitions.
TEST(TaskRegistry, EveryBuiltInEnvIsNamedSizedAndRewardedByItsTask) {
  for (const auto& entry : Tasks()) {
    const auto env = entry.make_env();
    const auto task = entry.make_task();
    EXPECT_EQ(env->Name(), entry.name);
    EXPECT_EQ(task->Name(), entry.name);
    EXPECT_EQ(env->ObsDim(), task->ObsDim()) << entry.name;
    EXPECT_EQ(env->ActionDim(), task->ActionDim()) << entry.name;
    SCOPED_TRACE(entry.name);
    testing::ExpectTaskMatchesEnv(*env, *task, 3, 50);
  }
}

TEST(TaskRegistry, APythonTaskIsNotFoundByNameAndTheMessageSaysHowToGiveItAgain) {
  config::Config config;
  config.task = kPythonTaskName;
  for (const auto& make : {std::function<void()>([&] { MakeEnv(config); }),
                           std::function<void()>([&] { MakeTask(config); }),
                           std::function<void()>([] { RequireKnownTask(kPythonTaskName, "f", {}); })}) {
    try {
      make();
      FAIL() << "expected a ConfigError";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find("runs only from Python"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace mbrl::env
