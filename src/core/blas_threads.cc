#include "mbrl/core/blas_threads.h"

#include <dlfcn.h>

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
}  // namespace

bool CanControlBlasThreads() { return Functions().set != nullptr; }

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

void RunOnThreads(int threads, const std::function<void(int)>& work) {
  if (threads <= 1) {
    work(0);
    return;
  }
  ScopedBlasThreads single(1);
  std::vector<std::exception_ptr> errors(threads);
  const auto run = [&](int t) {
    try {
      work(t);
    } catch (...) {
      errors[t] = std::current_exception();
    }
  };
  std::vector<std::thread> helpers;
  helpers.reserve(threads - 1);
  for (int t = 1; t < threads; ++t) helpers.emplace_back(run, t);
  run(0);
  for (auto& h : helpers) h.join();
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
}

std::string BlasCoreName() {
  using CoreName = char* (*)();
  const auto name = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (!name) return "";
  const char* n = name();
  return n ? std::string(n) : std::string();
}

}  // namespace mbrl
