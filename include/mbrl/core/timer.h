#pragma once
// Wall-clock timing.
#include <chrono>

namespace mbrl {

/// Measures elapsed wall time from construction or the last Restart().
class Stopwatch {
 public:
  Stopwatch() : start_(Clock::now()) {}
  /// Starts timing again from now.
  void Restart() { start_ = Clock::now(); }
  /// Seconds since the start.
  double Seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  /// Milliseconds since the start.
  double Millis() const { return Seconds() * 1e3; }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_;
};

}  // namespace mbrl
