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

}  // namespace
}  // namespace mbrl::env
