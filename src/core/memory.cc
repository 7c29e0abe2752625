#include "mbrl/core/memory.h"

#include <fstream>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <string>

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

void KeepFreedMemoryForReuse() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_MAX, 0);                     // serve large blocks from the heap, not mmap
  mallopt(M_TRIM_THRESHOLD, 1 << 30);         // return memory to the kernel only past 1 GiB free
  mallopt(M_TOP_PAD, 64 << 20);               // grow the heap in 64 MiB steps
#endif
}

}  // namespace mbrl
