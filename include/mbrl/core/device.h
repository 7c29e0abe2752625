#pragma once
// Device selection, done once in main and passed down.
#include <torch/torch.h>

#include <string>

namespace mbrl {

/// Result of resolving a requested device name.
struct DeviceChoice {
  torch::Device device{torch::kCPU};  ///< the device to use
  std::string warning;                ///< non-empty when the request could not be honoured
};

/// Maps "cpu" or "cuda" to a device. "cuda" without a usable GPU falls back to the CPU and sets
/// `warning`. Any other name throws ConfigError naming `source` (e.g. "--device").
DeviceChoice ResolveDevice(const std::string& name, const std::string& source);

}  // namespace mbrl
