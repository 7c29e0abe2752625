#pragma once
// Terminal progress: a live counter that rewrites one line on a terminal, and permanent lines.
#include <cstdio>
#include <string>

namespace mbrl {

/// Writes progress to a stream. On a terminal, live updates (`Update`) rewrite the current line at
/// most every `min_interval_s`; elsewhere (a log file, CI) they print as plain lines at most every
/// `file_interval_s`. `Line` prints a permanent line. Disabled entirely when `enabled` is false.
class Progress {
 public:
  explicit Progress(std::FILE* stream = stderr, bool enabled = true, double min_interval_s = 0.2,
                    double file_interval_s = 30.0);
  /// Rewrites the live line (throttled).
  void Update(const std::string& text);
  /// Erases the live line, if one is shown.
  void Clear();
  /// Clears any live line and prints `text` followed by a newline.
  void Line(const std::string& text);

 private:
  std::FILE* stream_;
  bool enabled_;
  bool tty_;
  double min_interval_s_;
  double file_interval_s_;
  double last_update_s_ = -1e9;
  bool live_shown_ = false;
};

/// Formats seconds as "1h02m", "3m05s" or "12s".
std::string FormatDuration(double seconds);

}  // namespace mbrl
