#pragma once
// A step recorded once and replayed: the interface, and CUDA graphs behind it when LibTorch has
// CUDA. A replay runs the recorded operators again on the same memory, so the step must read its
// inputs from, and leave its outputs in, tensors that stay where they were at capture.
#include <torch/torch.h>

#include <functional>
#include <memory>
#include <vector>

namespace mbrl {

/// One step, captured once and replayed many times.
class StepGraph {
 public:
  virtual ~StepGraph() = default;
  /// Records `step`. An implementation may run it first to warm up (CUDA: on a side stream).
  /// Throws std::exception when the step cannot be captured; the graph is then unusable.
  virtual void Capture(const std::function<void()>& step) = 0;
  /// Runs the recorded step again on the memory it was recorded with.
  virtual void Replay() = 0;
};

/// Eager runs of the step a CUDA graph makes before capturing it, on the capture's side stream:
/// cuBLAS's handle and workspace for that stream, the allocator's pools and lazily built state are
/// made outside the graph. The capture then reads what the last of them left behind.
inline constexpr int kCudaGraphWarmupRuns = 2;

/// Makes an empty StepGraph.
using StepGraphFactory = std::function<std::unique_ptr<StepGraph>()>;

/// Whether this build can capture CUDA graphs that draw new samples on each replay: a LibTorch
/// with CUDA, 2.4 or later (older ones advance only the default generator in a graph).
bool CudaGraphsAvailable();

/// A CUDA graph on `device`. The random draws of `generators` (CUDA generators; the device's
/// default one always) advance on each replay, so replays draw new samples. Throws
/// std::runtime_error in a build without CUDA.
std::unique_ptr<StepGraph> MakeCudaStepGraph(const torch::Device& device,
                                             std::vector<at::Generator> generators);

}  // namespace mbrl
