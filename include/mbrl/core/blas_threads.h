#pragma once
// Run-time control of the BLAS library (OpenBLAS, found with dlsym): its own thread pool, and
// which of its kernels it runs.
#include <functional>
#include <string>

namespace mbrl {

/// Sets the BLAS library's thread count to `threads` for the scope and restores it afterwards,
/// when the BLAS in use is OpenBLAS; otherwise does nothing and active() is false. Used where
/// work is split over torch's threads and each one should run its matrix products alone.
/// Not for concurrent use from several threads (the setting is process-wide).
class ScopedBlasThreads {
 public:
  explicit ScopedBlasThreads(int threads);
  ~ScopedBlasThreads();
  ScopedBlasThreads(const ScopedBlasThreads&) = delete;
  ScopedBlasThreads& operator=(const ScopedBlasThreads&) = delete;
  bool active() const { return previous_ > 0; }

 private:
  int previous_ = 0;
};

/// Whether the BLAS thread count can be controlled (OpenBLAS is loaded).
bool CanControlBlasThreads();

/// Runs work(0) in the calling thread and work(1) ... work(threads - 1) in new threads, with
/// single-threaded BLAS (ScopedBlasThreads(1)) while they run, and returns when all have ended.
/// The first exception any of them threw is rethrown. `work` must set per-thread state itself
/// (torch's grad mode, for one, is per thread).
void RunOnThreads(int threads, const std::function<void(int)>& work);

/// The kernel set OpenBLAS runs ("Haswell", "Zen", "SkylakeX", ...: its pick for this CPU, or
/// the OPENBLAS_CORETYPE environment variable's), or "" when OpenBLAS is not loaded.
std::string BlasCoreName();

}  // namespace mbrl
