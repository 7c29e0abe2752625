#pragma once
// Run logging: one logger per run writing to its log.txt. Only src/core/logging.cc includes
// spdlog, and it is compiled without LibTorch's include directories: a PyTorch install's LibTorch
// ships fmt headers of its own, which must not replace the fmt that spdlog was built against.
#include <memory>
#include <string>

namespace mbrl {

/// Severity of a log line.
enum class LogLevel { kDebug, kInfo, kWarn };

/// Writes whole lines (format them with mbrl::Format).
class Logger {
 public:
  virtual ~Logger() = default;
  /// Writes `line` at `level` (debug lines are dropped by run loggers).
  virtual void Log(LogLevel level, const std::string& line) = 0;
  void Debug(const std::string& line) { Log(LogLevel::kDebug, line); }
  void Info(const std::string& line) { Log(LogLevel::kInfo, line); }
  void Warn(const std::string& line) { Log(LogLevel::kWarn, line); }
};

/// A logger that writes to `path` (appending, timestamped, flushed at every line) and, when
/// `echo_warnings` is set, echoes warnings to stderr. Throws mbrl::Error if the file cannot be
/// opened.
std::shared_ptr<Logger> MakeRunLogger(const std::string& path, bool echo_warnings = true);

/// A logger that discards everything (for library use without a run directory).
std::shared_ptr<Logger> NullLogger();

}  // namespace mbrl
