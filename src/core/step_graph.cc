#include "mbrl/core/step_graph.h"

#include <stdexcept>
#include <type_traits>
#include <utility>

#if defined(MBRL_WITH_CUDA)
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#include <torch/cuda.h>
#include <torch/version.h>
#endif

namespace mbrl {

#if defined(MBRL_WITH_CUDA)
namespace {

// Generators other than the default one must be known to the graph, so that their offsets
// advance per replay instead of being frozen into it. From LibTorch 2.4 they are registered with
// CUDAGraph::register_generator_state(const Generator&) before capture; newer LibTorch (2.14 is
// one) registers a generator with the capturing graph by itself when it first draws, and has no
// such overload. (A template, so that the call is compiled only where the overload exists.)
template <typename Graph, typename = void>
struct TakesGenerators : std::false_type {};
template <typename Graph>
struct TakesGenerators<Graph, std::void_t<decltype(std::declval<Graph&>().register_generator_state(
                                  std::declval<const at::Generator&>()))>> : std::true_type {};

template <typename Graph>
void RegisterGenerator(Graph& graph, const at::Generator& generator) {
  if constexpr (TakesGenerators<Graph>::value) graph.register_generator_state(generator);
}

// The step is warmed up and captured on a side stream (capture on the default stream is not
// allowed) and replayed on the current one.
class CudaStepGraph : public StepGraph {
 public:
  CudaStepGraph(const torch::Device& device, std::vector<at::Generator> generators)
      : device_(device), generators_(std::move(generators)) {}

  void Capture(const std::function<void()>& step) override {
    c10::cuda::CUDAGuard device_guard(device_);
    torch::cuda::synchronize(device_.index());
    auto side = c10::cuda::getStreamFromPool(/*isHighPriority=*/false, device_.index());
    {
      c10::cuda::CUDAStreamGuard stream_guard(side);
      for (int i = 0; i < kCudaGraphWarmupRuns; ++i) step();
      side.synchronize();
      for (const auto& g : generators_) {
        if (g.device().is_cuda()) RegisterGenerator(graph_, g);
      }
      graph_.capture_begin();
      try {
        step();
      } catch (...) {
        try {
          graph_.capture_end();
        } catch (...) {
        }
        throw;
      }
      graph_.capture_end();
    }
    torch::cuda::synchronize(device_.index());
  }

  void Replay() override {
    c10::cuda::CUDAGuard device_guard(device_);
    graph_.replay();
  }

 private:
  torch::Device device_;
  std::vector<at::Generator> generators_;
  at::cuda::CUDAGraph graph_;
};

}  // namespace

// Before 2.4 a graph advances only the default generator's offsets, and mbrl draws from its own.
bool CudaGraphsAvailable() {
  return TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4);
}

std::unique_ptr<StepGraph> MakeCudaStepGraph(const torch::Device& device,
                                             std::vector<at::Generator> generators) {
  if (!device.is_cuda()) throw std::runtime_error("CUDA graphs need a CUDA device");
  return std::make_unique<CudaStepGraph>(device, std::move(generators));
}

#else

bool CudaGraphsAvailable() { return false; }

std::unique_ptr<StepGraph> MakeCudaStepGraph(const torch::Device&, std::vector<at::Generator>) {
  throw std::runtime_error("this build of mbrl has no CUDA (its LibTorch is CPU-only)");
}

#endif

}  // namespace mbrl
