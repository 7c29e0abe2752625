#pragma once
// Paths for tests: the source tree (configs/) and a fresh temporary directory per test.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "test_dirs.h"

namespace mbrl::testing {

/// Absolute path of a file in the source tree, e.g. SourcePath("configs/cartpole_swingup.yaml").
inline std::string SourcePath(const std::string& rel) { return std::string(MBRL_SOURCE_DIR) + "/" + rel; }

/// An empty directory unique to the running test, under the build tree.
inline std::string TempDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string dir = std::string(MBRL_BINARY_DIR) + "/test_tmp/" + info->test_suite_name() +
                          "." + info->name();
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace mbrl::testing
