#include "mbrl/core/blas_threads.h"

#include <ATen/Parallel.h>
#include <ATen/ThreadLocalState.h>
#include <dlfcn.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <exception>
#include <thread>
#include <vector>

namespace mbrl {
namespace {
using SetThreads = void (*)(int);
using GetThreads = int (*)();

struct OpenBlas {
  SetThreads set = nullptr;
  GetThreads get = nullptr;
};

const OpenBlas& Functions() {
  static const OpenBlas kFunctions = [] {
    OpenBlas f;
    f.set = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
    f.get = reinterpret_cast<GetThreads>(dlsym(RTLD_DEFAULT, "openblas_get_num_threads"));
    if (!f.set || !f.get) f = OpenBlas{};
    return f;
  }();
  return kFunctions;
}

// LibTorch's own intra-op threads (OpenMP) set to one for the scope, and restored: every thread
// RunTasksOnThreads starts (and the calling thread) would otherwise open an OpenMP team of
// at::get_num_threads() threads per element-wise operator, threads x threads on as many cores.
// The mbrl CLI already runs with one (LimitIntraOpThreadsBesideOpenBlas); this covers programs
// that embed mbrl with more. The setting is process-wide, and threads started inside the scope
// take it.
class ScopedSingleIntraOpThread {
 public:
  ScopedSingleIntraOpThread() : previous_(at::get_num_threads()) {
    if (previous_ > 1) at::set_num_threads(1);
  }
  ~ScopedSingleIntraOpThread() {
    if (previous_ > 1) at::set_num_threads(previous_);
  }
  ScopedSingleIntraOpThread(const ScopedSingleIntraOpThread&) = delete;
  ScopedSingleIntraOpThread& operator=(const ScopedSingleIntraOpThread&) = delete;

 private:
  int previous_;
};
}  // namespace

bool CanControlBlasThreads() { return Functions().set != nullptr; }

int BlasThreads() { return CanControlBlasThreads() ? Functions().get() : 0; }

SgemmFn BlasSgemm() {
  static const SgemmFn kSgemm = CanControlBlasThreads()
                                    ? reinterpret_cast<SgemmFn>(dlsym(RTLD_DEFAULT, "sgemm_"))
                                    : nullptr;
  return kSgemm;
}

ScopedBlasThreads::ScopedBlasThreads(int threads) {
  const auto& f = Functions();
  if (!f.set) return;
  previous_ = f.get();
  if (previous_ != threads) f.set(threads);
}

ScopedBlasThreads::~ScopedBlasThreads() {
  const auto& f = Functions();
  if (f.set && previous_ > 0 && f.get() != previous_) f.set(previous_);
}

void RunTasksOnThreads(int64_t tasks, int threads, const std::function<void(int64_t)>& task) {
  std::vector<std::exception_ptr> errors(std::max<int64_t>(tasks, 0));
  std::atomic<int64_t> next{0};
  const auto drain = [&] {
    for (int64_t k = next++; k < tasks; k = next++) {
      try {
        task(k);
      } catch (...) {
        errors[k] = std::current_exception();
      }
    }
  };
  const int64_t n = CanControlBlasThreads() ? std::min<int64_t>(threads, tasks) : 1;
  if (n <= 1) {
    drain();
  } else {
    ScopedBlasThreads single(1);
    ScopedSingleIntraOpThread single_intra_op;
    const at::ThreadLocalState caller;  // grad mode, memory listeners (CpuTensorBytes), ...
    std::vector<std::thread> helpers;
    helpers.reserve(n - 1);
    for (int64_t t = 1; t < n; ++t) {
      helpers.emplace_back([&] {
        at::ThreadLocalStateGuard same_state(caller);
        drain();
      });
    }
    drain();
    for (auto& h : helpers) h.join();
  }
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

bool LimitIntraOpThreadsBesideOpenBlas() {
  if (!CanControlBlasThreads() || at::get_num_threads() <= 1) return false;
  at::set_num_threads(1);
  return true;
}

std::string BlasCoreName() {
  using CoreName = char* (*)();
  const auto name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (!name) return "";
  const char* n = name();
  return n ? std::string(n) : std::string();
}

std::string BetterBlasCore() {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return "";
  const std::string core = BlasCoreName();
  // OpenBLAS's kernel sets for CPUs without AVX2.
  static const char* const kGeneric[] = {"Katmai",  "Coppermine", "Northwood", "Prescott",
                                         "Banias",  "Core2",      "Penryn",    "Dunnington",
                                         "Nehalem", "Atom",       "Sandybridge"};
  bool generic = false;
  for (const char* g : kGeneric) generic = generic || core == g;
  if (!generic) return "";
#if defined(__GNUC__) && defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
    return "SkylakeX";
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return "";
}

}  // namespace mbrl
