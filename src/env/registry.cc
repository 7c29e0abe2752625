#include "mbrl/env/registry.h"

#include "mbrl/core/error.h"
#include "mbrl/env/cartpole_swingup.h"

namespace mbrl::env {
namespace {
[[noreturn]] void UnknownTask(const std::string& name) {
  std::string valid;
  for (const auto& n : TaskNames()) valid += (valid.empty() ? "" : ", ") + n;
  throw ConfigError("task: unknown task '" + name + "' (valid: " + valid + ")");
}
}  // namespace

std::vector<std::string> TaskNames() { return {"cartpole_swingup"}; }

std::unique_ptr<Env> MakeEnv(const std::string& name) {
  if (name == "cartpole_swingup") return std::make_unique<CartpoleSwingupEnv>();
  UnknownTask(name);
}

std::unique_ptr<Task> MakeTask(const std::string& name) {
  if (name == "cartpole_swingup") return std::make_unique<CartpoleSwingupTask>();
  UnknownTask(name);
}

}  // namespace mbrl::env
