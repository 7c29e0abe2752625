#pragma once
// A second thread that runs one job at a time in step with the thread that owns it, for splits so
// fine (a fraction of a millisecond per job, thousands of jobs per call) that starting a thread or
// queueing a task per job would cost as much as the job.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace mbrl {

/// The owner calls Post(job), does its own share of the work, then Wait(), which returns once the
/// helper thread has run `job` (and rethrows what it threw). Each side waiting for the other spins
/// for a short while (kSpinMicros), then sleeps, so that a helper beside busy processes gives its
/// core back. One job in flight at a time; Post and Wait from the owning thread only; `job` must
/// stay alive until Wait returns.
class LockstepHelper {
 public:
  static constexpr int64_t kSpinMicros = 50;

  LockstepHelper();
  ~LockstepHelper();
  LockstepHelper(const LockstepHelper&) = delete;
  LockstepHelper& operator=(const LockstepHelper&) = delete;

  void Post(const std::function<void()>& job);
  void Wait();

 private:
  void Loop();
  // Returns once ready() holds: spinning first, then asleep until a Notify.
  template <class Ready>
  void Await(const Ready& ready);
  void Notify();

  std::atomic<uint64_t> posted_{0}, done_{0};
  std::atomic<bool> stop_{false};
  const std::function<void()>* job_ = nullptr;
  std::exception_ptr error_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace mbrl
