#pragma once
// Logging set-up: one spdlog logger per run, writing to the run's log.txt.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

namespace mbrl {

/// Creates a logger that writes to `path` (appending) and, when `echo_warnings` is set, echoes
/// warnings and errors to stderr. Throws mbrl::Error if the file cannot be opened.
std::shared_ptr<spdlog::logger> MakeRunLogger(const std::string& path, bool echo_warnings = true);

/// A logger that discards everything (for library use without a run directory).
std::shared_ptr<spdlog::logger> NullLogger();

}  // namespace mbrl
