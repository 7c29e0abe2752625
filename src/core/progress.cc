#include "mbrl/core/progress.h"

#include <unistd.h>

#include <chrono>
#include <cmath>

namespace mbrl {
namespace {
double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

Progress::Progress(std::FILE* stream, bool enabled, double min_interval_s, double file_interval_s)
    : stream_(stream),
      enabled_(enabled),
      tty_(::isatty(::fileno(stream)) != 0),
      min_interval_s_(min_interval_s),
      file_interval_s_(file_interval_s) {
  last_update_s_ = NowSeconds();
}

void Progress::Update(const std::string& text) {
  if (!enabled_) return;
  const double now = NowSeconds();
  if (now - last_update_s_ < (tty_ ? min_interval_s_ : file_interval_s_)) return;
  last_update_s_ = now;
  if (!tty_) {
    std::fprintf(stream_, "%s\n", text.c_str());
    std::fflush(stream_);
    return;
  }
  std::fprintf(stream_, "\r\033[2K%s", text.c_str());
  std::fflush(stream_);
  live_shown_ = true;
}

void Progress::Clear() {
  if (!live_shown_) return;
  std::fprintf(stream_, "\r\033[2K");
  std::fflush(stream_);
  live_shown_ = false;
}

void Progress::Line(const std::string& text) {
  if (!enabled_) return;
  Clear();
  std::fprintf(stream_, "%s\n", text.c_str());
  std::fflush(stream_);
}

std::string FormatDuration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  char buf[32];
  if (s >= 3600) {
    std::snprintf(buf, sizeof(buf), "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  } else if (s >= 60) {
    std::snprintf(buf, sizeof(buf), "%ldm%02lds", s / 60, s % 60);
  } else {
    std::snprintf(buf, sizeof(buf), "%lds", s);
  }
  return buf;
}

}  // namespace mbrl
