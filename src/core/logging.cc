// The one file that includes spdlog; CMakeLists.txt compiles it without LibTorch's include
// directories (see core/logging.h).
#include "mbrl/core/logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <vector>

#include "mbrl/core/error.h"

namespace mbrl {
namespace {

class SpdLogger : public Logger {
 public:
  explicit SpdLogger(std::shared_ptr<spdlog::logger> logger) : logger_(std::move(logger)) {}
  void Log(LogLevel level, const std::string& line) override {
    switch (level) {
      case LogLevel::kDebug: logger_->debug(line); break;
      case LogLevel::kInfo: logger_->info(line); break;
      case LogLevel::kWarn: logger_->warn(line); break;
    }
  }

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

class DiscardingLogger : public Logger {
 public:
  void Log(LogLevel, const std::string&) override {}
};

}  // namespace

std::shared_ptr<Logger> MakeRunLogger(const std::string& path, bool echo_warnings) {
  std::vector<spdlog::sink_ptr> sinks;
  try {
    sinks.push_back(std::make_shared<spdlog::sinks::basic_file_sink_mt>(path, false));
  } catch (const spdlog::spdlog_ex& e) {
    throw Error("cannot open log file " + path + ": " + e.what());
  }
  if (echo_warnings) {
    auto err = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    err->set_level(spdlog::level::warn);
    sinks.push_back(err);
  }
  auto logger = std::make_shared<spdlog::logger>("mbrl", sinks.begin(), sinks.end());
  logger->set_pattern("[%Y-%m-%d %H:%M:%S.%e] [%l] %v");
  logger->set_level(spdlog::level::info);
  logger->flush_on(spdlog::level::info);
  return std::make_shared<SpdLogger>(std::move(logger));
}

std::shared_ptr<Logger> NullLogger() { return std::make_shared<DiscardingLogger>(); }

}  // namespace mbrl
