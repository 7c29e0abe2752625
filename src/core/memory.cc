#include "mbrl/core/memory.h"

#include <c10/core/Allocator.h>
#include <c10/util/ThreadLocalDebugInfo.h>

#include <atomic>
#include <fstream>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string>
#include <tuple>

#if defined(MBRL_WITH_CUDA)
#include <c10/cuda/CUDACachingAllocator.h>
#endif

namespace mbrl {
namespace {
int64_t ReadStatusKb(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) == 0) return std::stoll(line.substr(key.size())) * 1024;
  }
  return 0;
}
}  // namespace

int64_t CurrentRssBytes() { return ReadStatusKb("VmRSS:"); }
int64_t PeakRssBytes() { return ReadStatusKb("VmHWM:"); }

bool ResetPeakRss() {
  std::ofstream out("/proc/self/clear_refs");
  if (!out) return false;
  out << "5";  // 5: reset the peak RSS to the current RSS
  out.flush();
  return static_cast<bool>(out);
}

#if defined(MBRL_WITH_CUDA)
// allocated_bytes[0] is the aggregate over pools (StatType::AGGREGATE) in LibTorch 1.13 and 2.x;
// `auto` keeps this independent of where 2.x moved the Stat types.
namespace {
auto AllocatorStats(int index) {
  return c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(index));
}
}  // namespace
int64_t CudaAllocatedBytes(int index) { return AllocatorStats(index).allocated_bytes[0].current; }
int64_t CudaPeakAllocatedBytes(int index) { return AllocatorStats(index).allocated_bytes[0].peak; }
void ResetCudaPeak(int index) {
  c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(index));
}
#else
int64_t CudaAllocatedBytes(int) { return 0; }
int64_t CudaPeakAllocatedBytes(int) { return 0; }
void ResetCudaPeak(int) {}
#endif

namespace {
// LibTorch 1.13 declares reportMemoryUsage(void*, int64_t, int64_t, int64_t, Device), 2.x takes
// size_t totals: the override below takes the parameter types of whichever it compiles against.
// The size is always the second argument (negative for a free) and the device the last.
template <class Signature>
struct TensorBytesListener;
template <class... Args>
struct TensorBytesListener<void (c10::MemoryReportingInfoBase::*)(Args...)>
    : public c10::MemoryReportingInfoBase {
  void reportMemoryUsage(Args... args) override { Record(args...); }
  bool memoryProfilingEnabled() const override { return true; }

  template <class... Rest>
  void Record(void*, int64_t bytes, Rest... rest) {
    const c10::Device device = std::get<sizeof...(Rest) - 1>(std::forward_as_tuple(rest...));
    if (device.type() != c10::DeviceType::CPU) return;
    const int64_t now = live.fetch_add(bytes) + bytes;
    int64_t peak_now = peak.load();
    while (now > peak_now && !peak.compare_exchange_weak(peak_now, now)) {
    }
  }

  std::atomic<int64_t> live{0};
  std::atomic<int64_t> peak{0};
};
}  // namespace

struct CpuTensorBytes::Listener
    : TensorBytesListener<decltype(&c10::MemoryReportingInfoBase::reportMemoryUsage)> {};

struct CpuTensorBytes::Scope {
  explicit Scope(std::shared_ptr<Listener> listener)
      : guard(c10::DebugInfoKind::PROFILER_STATE, std::move(listener)) {}
  c10::DebugInfoGuard guard;
};

CpuTensorBytes::CpuTensorBytes()
    : listener_(std::make_shared<Listener>()), scope_(std::make_unique<Scope>(listener_)) {}
CpuTensorBytes::~CpuTensorBytes() = default;
int64_t CpuTensorBytes::LiveBytes() const { return listener_->live.load(); }
int64_t CpuTensorBytes::PeakBytes() const { return listener_->peak.load(); }

void KeepFreedMemoryForReuse() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);              // serve large blocks from the heap, not mmap
  mallopt(M_TRIM_THRESHOLD, 1 << 30);  // return memory to the kernel only past 1 GiB free
  mallopt(M_TOP_PAD, 64 << 20);        // grow the heap in 64 MiB steps
#endif
}

}  // namespace mbrl
