#pragma once
// Reading what a run wrote, and running the mbrl binary as a user would, for tests.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

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

/// The settings of a tiny PETS run on a MuJoCo task as key=value items: a model of 16 units, CEM
/// with 20 samples x 2 iterations, horizon 5, 3 training epochs, 5 particles. Tests add the
/// episode length and count.
inline const std::vector<std::string>& TinyRunSettings() {
  static const std::vector<std::string> kSettings = {
      "model.hidden_size=16", "planner.population=20", "planner.iterations=2",
      "agent.horizon=5",      "trainer.max_epochs=3",  "rollout.particles=5"};
  return kSettings;
}

/// `items` as command-line overrides: " --set a --set b ...".
inline std::string SetFlags(const std::vector<std::string>& items) {
  std::string flags;
  for (const auto& item : items) flags += " --set " + item;
  return flags;
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
