#pragma once
// Wall-clock timing, and the local time as text.
#include <chrono>
#include <ctime>
#include <string>

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

/// The local time now in strftime's `format`, e.g. "%Y%m%d-%H%M%S" (at most 63 characters).
inline std::string LocalTimeNow(const char* format) {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&now, &tm);
  char text[64];
  return std::string(text, std::strftime(text, sizeof(text), format, &tm));
}

}  // namespace mbrl
