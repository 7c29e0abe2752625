#pragma once
// Process memory probes (Linux /proc).
#include <cstdint>
#include <memory>

namespace mbrl {

/// Resident set size of this process now, in bytes (0 where unknown).
int64_t CurrentRssBytes();
/// Peak resident set size of this process so far, in bytes (0 where unknown).
int64_t PeakRssBytes();
/// Resets the peak-RSS mark (VmHWM) to the current RSS through /proc/self/clear_refs (Linux).
/// Returns false where that is not possible; PeakRssBytes() then stays the process-wide peak.
bool ResetPeakRss();
/// CUDA caching allocator on device `index`: bytes allocated now, and the peak since the last
/// ResetCudaPeak (max_memory_allocated). Both 0 in a build without CUDA.
int64_t CudaAllocatedBytes(int index);
int64_t CudaPeakAllocatedBytes(int index);
void ResetCudaPeak(int index);

/// Counts the bytes of the CPU tensors LibTorch's allocator hands out and takes back while it is
/// alive, on the constructing thread and on the threads RunTasksOnThreads starts from it: the CPU
/// counterpart of CUDA's max_memory_allocated. Unlike the peak RSS it leaves out what glibc keeps
/// after a free, per-thread arenas and whatever is not a tensor. It listens through LibTorch's
/// memory-profiler hook (the PROFILER_STATE debug info), so it cannot run inside LibTorch's own
/// profiler. Tensors allocated before it started are not counted when they are freed (LibTorch
/// may log one warning about such a free). Create and destroy it on the same thread.
class CpuTensorBytes {
 public:
  CpuTensorBytes();
  ~CpuTensorBytes();
  CpuTensorBytes(const CpuTensorBytes&) = delete;
  CpuTensorBytes& operator=(const CpuTensorBytes&) = delete;
  /// Bytes allocated since the start and not freed yet.
  int64_t LiveBytes() const;
  /// The highest LiveBytes() so far.
  int64_t PeakBytes() const;

 private:
  struct Listener;
  struct Scope;
  std::shared_ptr<Listener> listener_;
  std::unique_ptr<Scope> scope_;
};

/// Makes glibc keep freed memory for reuse instead of returning it to the kernel after every
/// large tensor: planning allocates and frees the same multi-megabyte tensors thousands of times
/// per step, and the default policy turned that into ~5M page faults per episode (4x slower).
/// Call once at program start. No effect on other C libraries.
void KeepFreedMemoryForReuse();

}  // namespace mbrl
