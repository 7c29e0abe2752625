// A model file that is unstable from its initial state stops `mbrl train` with exit 2, naming the
// file and what MuJoCo reported, before the run directory exists.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "test_files.h"
#include "test_paths.h"

namespace mbrl {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::RunMbrl;
using testing::SourcePath;

TEST(UnstableModel, TrainIsRefusedWithExit2BeforeTheRunDirectoryExists) {
  const std::string functions = std::string(MBRL_BINARY_DIR) + "/task_modules/reacher.pt";
  if (!fs::exists(functions)) GTEST_SKIP() << "no " << functions << " (python3-torch missing)";
  const std::string dir = testing::TempDir();
  std::string xml = ReadFile(SourcePath("examples/tasks/reacher/reacher.xml"));
  const std::string axis = "name=\"elbow\" type=\"hinge\" axis=\"0 0 1\"";
  ASSERT_NE(xml.find(axis), std::string::npos);
  xml.replace(xml.find(axis), axis.size(), "name=\"elbow\" type=\"hinge\" axis=\"0 0 nan\"");
  std::ofstream(dir + "/nan_axis.xml") << xml;
  std::ofstream(dir + "/config.yaml")
      << "task: mjcf\nenv:\n  model: nan_axis.xml\n  functions: " << functions
      << "\n  episode_length: 20\n";

  const std::string run = dir + "/run";
  const auto [code, out] = RunMbrl("train --config " + dir + "/config.yaml --out " + run);
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find("error: env.model: " + dir + "/nan_axis.xml: the simulation is unstable"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("MuJoCo: Nan, Inf or huge value"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(run)) << "the refused run wrote " << run;
}

}  // namespace
}  // namespace mbrl
