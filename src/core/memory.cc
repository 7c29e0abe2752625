#include "mbrl/core/memory.h"

#include <fstream>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string>

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
bool HaveCudaMemoryStats() { return true; }
int64_t CudaAllocatedBytes(int index) { return AllocatorStats(index).allocated_bytes[0].current; }
int64_t CudaPeakAllocatedBytes(int index) { return AllocatorStats(index).allocated_bytes[0].peak; }
void ResetCudaPeak(int index) {
  c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(index));
}
#else
bool HaveCudaMemoryStats() { return false; }
int64_t CudaAllocatedBytes(int) { return 0; }
int64_t CudaPeakAllocatedBytes(int) { return 0; }
void ResetCudaPeak(int) {}
#endif

void KeepFreedMemoryForReuse() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);                     // serve large blocks from the heap, not mmap
  mallopt(M_TRIM_THRESHOLD, 1 << 30);         // return memory to the kernel only past 1 GiB free
  mallopt(M_TOP_PAD, 64 << 20);               // grow the heap in 64 MiB steps
#endif
}

}  // namespace mbrl
