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
namespace {
c10::cuda::CUDACachingAllocator::Stat AllocatedStat(int index) {
  const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(index);
  return stats.allocated_bytes[static_cast<size_t>(c10::cuda::CUDACachingAllocator::StatType::AGGREGATE)];
}
}  // namespace
bool HaveCudaMemoryStats() { return true; }
int64_t CudaAllocatedBytes(int index) { return AllocatedStat(index).current; }
int64_t CudaPeakAllocatedBytes(int index) { return AllocatedStat(index).peak; }
void ResetCudaPeak(int index) { c10::cuda::CUDACachingAllocator::resetPeakStats(index); }
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
