// One writer per run directory: while `mbrl train` writes a run, a second train, resume or eval
// of it is refused with exit 2 naming the writer, and a writer killed with kill -9 leaves a run
// that resumes at once.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "mbrl/core/process.h"
#include "test_files.h"
#include "test_paths.h"

namespace mbrl {
namespace {

namespace fs = std::filesystem;
using testing::CsvRows;
using testing::ReadFile;
using testing::RunMbrl;
using testing::SourcePath;

const std::string kTiny = testing::SetFlags(testing::TinyRunSettings()) +
                          " --set env.episode_length=30";

// The episode numbers in metrics.csv's first column, in order.
std::vector<int> Episodes(const std::string& metrics) {
  std::istringstream in(ReadFile(metrics));
  std::string line;
  std::getline(in, line);  // header
  std::vector<int> episodes;
  while (std::getline(in, line)) {
    if (!line.empty()) episodes.push_back(std::stoi(line.substr(0, line.find(','))));
  }
  return episodes;
}

TEST(RunLock, ASecondWriterIsRefusedNamingTheFirstAndAKilledWriterResumesAtOnce) {
  const std::string root = testing::TempDir();
  const std::string run = root + "/run";
  const std::string binary = std::string(MBRL_BINARY_DIR) + "/mbrl";
  // A long run: 200 short episodes, stopped below with kill -9.
  std::vector<std::string> args = {binary, "train", "--config",
                                   SourcePath("configs/cartpole_swingup.yaml"), "--quiet",
                                   "--out", run, "--set", "pets.episodes=200",
                                   "--set", "env.episode_length=30"};
  for (const auto& s : testing::TinyRunSettings()) args.insert(args.end(), {"--set", s});
  ChildOptions quiet;
  quiet.output_file = root + "/first.log";
  const pid_t first = StartChild(args, quiet);
  // Wait for its first complete episode (a checkpoint to resume from later).
  for (int i = 0; i < 600 && !fs::exists(run + "/checkpoint/LATEST"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(fs::exists(run + "/checkpoint/LATEST")) << ReadFile(root + "/first.log");
  const std::string pid = "pid " + std::to_string(first);

  const std::string config = "--config " + SourcePath("configs/cartpole_swingup.yaml");
  const std::vector<std::string> second = {
      "train --resume " + run + " --set pets.episodes=300",
      "train " + config + " --out " + run + kTiny,
      "eval " + run + " --episodes 1",
  };
  for (const auto& command : second) {
    const auto [code, out] = RunMbrl(command);
    EXPECT_EQ(code, 2) << command << "\n" << out;
    EXPECT_NE(out.find(run + ": another process is writing this run"), std::string::npos)
        << command << "\n" << out;
    EXPECT_NE(out.find(pid), std::string::npos) << command << "\n" << out;
  }
  EXPECT_FALSE(fs::exists(run + "/eval")) << "a refused eval wrote into the run";

  // kill -9: the kernel drops the lock with the process; the run resumes at once.
  kill(first, SIGKILL);
  EXPECT_EQ(WaitChild(first), 128 + SIGKILL);
  const int done = CsvRows(run + "/metrics.csv");
  const auto [code, out] =
      RunMbrl("train --quiet --resume " + run + " --set pets.episodes=" + std::to_string(done + 2));
  ASSERT_EQ(code, 0) << out;
  // Every episode once, in order: none of the refused writers wrote a row.
  const auto episodes = Episodes(run + "/metrics.csv");
  ASSERT_GE(episodes.size(), 2u);
  for (size_t i = 0; i < episodes.size(); ++i) EXPECT_EQ(episodes[i], static_cast<int>(i) + 1);
  // And an evaluation, now that nobody writes the run.
  EXPECT_EQ(RunMbrl("eval " + run + " --episodes 1").first, 0);
}

}  // namespace
}  // namespace mbrl
