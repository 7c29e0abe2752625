#include "mbrl/core/device.h"

#include "mbrl/core/error.h"

namespace mbrl {

DeviceChoice ResolveDevice(const std::string& name, const std::string& source) {
  DeviceChoice choice;
  if (name == "cpu") return choice;
  if (name == "cuda") {
    if (torch::cuda::is_available()) {
      choice.device = torch::Device(torch::kCUDA, 0);
    } else {
      choice.warning =
          source + " cuda: CUDA is not available (LibTorch built without CUDA or no GPU found); "
                   "running on cpu instead";
    }
    return choice;
  }
  throw ConfigError(source + ": unknown device '" + name + "', expected one of: cpu, cuda");
}

}  // namespace mbrl
