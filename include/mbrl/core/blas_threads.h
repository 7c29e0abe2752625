#pragma once
// Run-time control of the BLAS library (OpenBLAS, found with dlsym): its own thread pool, and
// which of its kernels it runs.
#include <cstdint>
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
/// OpenBLAS's thread count now, or 0 when it cannot be controlled.
int BlasThreads();

/// OpenBLAS's single-precision GEMM through its Fortran interface (column-major, every argument
/// by pointer), as LibTorch's CPU matrix products call it, or nullptr when OpenBLAS is not loaded
/// (a PyTorch wheel's LibTorch runs MKL, linked in and hidden). For hand-written paths that call
/// many small products, where ATen's dispatch per call costs as much as the product.
using SgemmFn = void (*)(const char* transa, const char* transb, const int* m, const int* n,
                         const int* k, const float* alpha, const float* a, const int* lda,
                         const float* b, const int* ldb, const float* beta, float* c,
                         const int* ldc);
SgemmFn BlasSgemm();

/// Runs task(0), ..., task(tasks - 1), each once, shared over min(threads, tasks) threads (the
/// calling thread and new ones, each taking the next task not yet taken) with single-threaded
/// BLAS (ScopedBlasThreads(1)) and one LibTorch intra-op thread (at::set_num_threads(1)) while
/// they run. With threads <= 1, or where the BLAS thread count cannot be controlled (not
/// OpenBLAS), the tasks run in turn in the calling thread. Returns when
/// all have run; if any threw, rethrows the exception of the lowest-numbered one. The new threads
/// run under the calling thread's LibTorch thread-local state (grad mode, CpuTensorBytes, ...).
void RunTasksOnThreads(int64_t tasks, int threads, const std::function<void(int64_t)>& task);

/// Sets LibTorch's intra-op threads (its OpenMP pool) to one and returns true when OpenBLAS's own
/// thread pool is loaded beside it (Debian's LibTorch builds) and at::get_num_threads() is above
/// one; otherwise changes nothing and returns false. The two pools spin-wait on the same cores
/// and take turns slowly: a capture-ready CEM 50 step on LibTorch 2.6 with 2 intra-op threads on
/// 2 cores took 7.8 s against 0.097 s with one. mbrl's CPU parallelism is its own threads
/// (RunTasksOnThreads, as many as OMP_NUM_THREADS says or the cores) and OpenBLAS's. Called once
/// at start-up by the mbrl CLI; a program that embeds mbrl may call it too.
bool LimitIntraOpThreadsBesideOpenBlas();

/// The kernel set OpenBLAS runs ("Haswell", "Zen", "SkylakeX", ...: its pick for this CPU, or
/// the OPENBLAS_CORETYPE environment variable's), or "" when OpenBLAS is not loaded.
std::string BlasCoreName();

/// A faster OpenBLAS kernel set for this CPU when OpenBLAS fell back to a generic one (an OpenBLAS
/// older than the CPU does not recognise it and picks e.g. "Prescott"): "SkylakeX" where the CPU
/// has AVX-512, "Haswell" where it has AVX2 and FMA. "" when OpenBLAS's pick is fine, when the
/// OPENBLAS_CORETYPE environment variable already chose, or when OpenBLAS is not loaded.
std::string BetterBlasCore();

}  // namespace mbrl
