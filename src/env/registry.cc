#include "mbrl/env/registry.h"

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
[[noreturn]] void UnknownTask(const std::string& name) {
  throw ConfigError("task: unknown task '" + name + "' (valid: " + Join(TaskNames()) + ")");
}
}  // namespace

std::vector<std::string> TaskNames() { return {"cartpole_down", "cartpole_swingup", "half_cheetah", "humanoid_standup", "pusher", "toy_barrier"}; }

std::unique_ptr<Env> MakeEnv(const std::string& name) {
  if (name == "cartpole_down") return std::make_unique<CartpoleDownEnv>();
  if (name == "cartpole_swingup") return std::make_unique<CartpoleSwingupEnv>();
  if (name == "half_cheetah") return std::make_unique<HalfCheetahEnv>();
  if (name == "humanoid_standup") return std::make_unique<HumanoidStandupEnv>();
  if (name == "pusher") return std::make_unique<PusherEnv>();
  if (name == "toy_barrier") return std::make_unique<ToyBarrierEnv>();
  UnknownTask(name);
}

std::unique_ptr<Task> MakeTask(const std::string& name) {
  if (name == "cartpole_down") return std::make_unique<CartpoleDownTask>();
  if (name == "cartpole_swingup") return std::make_unique<CartpoleSwingupTask>();
  if (name == "half_cheetah") return std::make_unique<HalfCheetahTask>();
  if (name == "humanoid_standup") return std::make_unique<HumanoidStandupTask>();
  if (name == "pusher") return std::make_unique<PusherTask>();
  if (name == "toy_barrier") return std::make_unique<ToyBarrierTask>();
  UnknownTask(name);
}

}  // namespace mbrl::env
