#include "mbrl/env/registry.h"

#include "mbrl/core/error.h"
#include "mbrl/env/cartpole_swingup.h"
#include "mbrl/env/toy_barrier.h"

namespace mbrl::env {
namespace {
[[noreturn]] void UnknownTask(const std::string& name) {
  std::string valid;
  for (const auto& n : TaskNames()) valid += (valid.empty() ? "" : ", ") + n;
  throw ConfigError("task: unknown task '" + name + "' (valid: " + valid + ")");
}
}  // namespace

std::vector<std::string> TaskNames() { return {"cartpole_swingup", "toy_barrier"}; }

std::unique_ptr<Env> MakeEnv(const std::string& name) {
  if (name == "cartpole_swingup") return std::make_unique<CartpoleSwingupEnv>();
  if (name == "toy_barrier") return std::make_unique<ToyBarrierEnv>();
  UnknownTask(name);
}

std::unique_ptr<Task> MakeTask(const std::string& name) {
  if (name == "cartpole_swingup") return std::make_unique<CartpoleSwingupTask>();
  if (name == "toy_barrier") return std::make_unique<ToyBarrierTask>();
  UnknownTask(name);
}

}  // namespace mbrl::env
