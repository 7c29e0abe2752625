#include "mbrl/core/lockstep_helper.h"

#include <chrono>
#include <stdexcept>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace mbrl {
namespace {

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#else
  std::this_thread::yield();
#endif
}

}  // namespace

LockstepHelper::LockstepHelper() : thread_([this] { Loop(); }) {}

LockstepHelper::~LockstepHelper() {
  stop_.store(true, std::memory_order_release);
  Notify();
  thread_.join();
}

template <class Ready>
void LockstepHelper::Await(const Ready& ready) {
  if (ready()) return;
  const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(kSpinMicros);
  for (int i = 1;; ++i) {
    CpuRelax();
    if (ready()) return;
    if (i % 64 == 0 && std::chrono::steady_clock::now() > until) break;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait(lock, ready);
}

void LockstepHelper::Notify() {
  // Taking the mutex orders this wake-up after a sleeper's last check of its condition, so that
  // no wake-up is lost between that check and its sleep.
  { std::lock_guard<std::mutex> lock(mutex_); }
  wake_.notify_all();
}

void LockstepHelper::Post(const std::function<void()>& job) {
  if (posted_.load(std::memory_order_relaxed) != done_.load(std::memory_order_acquire)) {
    throw std::logic_error("LockstepHelper::Post: the previous job has not been waited for");
  }
  job_ = &job;
  posted_.fetch_add(1, std::memory_order_release);
  Notify();
}

void LockstepHelper::Wait() {
  const uint64_t posted = posted_.load(std::memory_order_relaxed);
  Await([&] { return done_.load(std::memory_order_acquire) == posted; });
  if (error_) {
    auto error = error_;
    error_ = nullptr;
    std::rethrow_exception(error);
  }
}

void LockstepHelper::Loop() {
  uint64_t seen = 0;
  for (;;) {
    Await([&] {
      return posted_.load(std::memory_order_acquire) != seen ||
             stop_.load(std::memory_order_acquire);
    });
    if (posted_.load(std::memory_order_acquire) == seen) return;  // stopping, nothing posted
    ++seen;
    try {
      (*job_)();
    } catch (...) {
      error_ = std::current_exception();
    }
    done_.store(seen, std::memory_order_release);
    Notify();
  }
}

}  // namespace mbrl
