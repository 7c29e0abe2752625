#pragma once
// Reading what a run wrote, and running the mbrl binary as a user would, for tests.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>

#include "test_dirs.h"

namespace mbrl::testing {

/// The whole file (empty when it cannot be read).
inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Data rows of a CSV file: its non-empty lines after the header.
inline int CsvRows(const std::string& path) {
  std::istringstream csv(ReadFile(path));
  std::string line;
  int n = -1;  // the header
  while (std::getline(csv, line)) n += !line.empty();
  return n;
}

/// Runs a shell command line; its exit code and its stdout (bytes as they are).
inline std::pair<int, std::string> RunCommand(const std::string& cmd) {
  FILE* p = popen(cmd.c_str(), "r");
  std::string out;
  char buf[4096];
  size_t n = 0;
  while (p && (n = std::fread(buf, 1, sizeof(buf), p)) > 0) out.append(buf, n);
  const int status = p ? pclose(p) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

/// Runs the built `mbrl` with `args` (a shell command line); its exit code and its stdout and
/// stderr together.
inline std::pair<int, std::string> RunMbrl(const std::string& args) {
  return RunCommand(std::string(MBRL_BINARY_DIR) + "/mbrl " + args + " 2>&1");
}

}  // namespace mbrl::testing
