// Resuming a PETS run from its checkpoint: the same returns as a run left alone, one metrics row
// per episode, every transition once; bad checkpoints refused with the file's name; a training
// process killed at random moments (during checkpoint writes too) resumes each time.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <thread>
#include <tuple>

#include "mbrl/algorithms/checkpoint.h"
#include "mbrl/algorithms/pets.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/error.h"
#include "mbrl/data/replay_buffer.h"
#include "mbrl/models/gaussian_ensemble.h"
#include "test_files.h"
#include "test_paths.h"

namespace mbrl::algorithms {
namespace {

using mbrl::testing::CsvRows;
using mbrl::testing::ReadFile;
using mbrl::testing::RunMbrl;
using mbrl::testing::SourcePath;
namespace fs = std::filesystem;

const std::vector<std::string> kTiny = [] {
  auto sets = mbrl::testing::TinyRunSettings();
  sets.push_back("env.episode_length=30");
  return sets;
}();

config::Config Tiny(int episodes) {
  auto sets = kTiny;
  sets.push_back("pets.episodes=" + std::to_string(episodes));
  return config::LoadConfig({SourcePath("configs/cartpole_swingup.yaml"), "cem", sets});
}

std::vector<double> Returns(const std::vector<EpisodeMetrics>& metrics) {
  std::vector<double> r;
  for (const auto& m : metrics) r.push_back(m.episode_return);
  return r;
}

TEST(Resume, StoppedAtAnEpisodeBoundaryOrMidEpisodeGivesTheUninterruptedReturns) {
  const std::string root = mbrl::testing::TempDir();
  const auto alone = RunPets(Tiny(4), torch::kCPU, root + "/alone");
  ASSERT_EQ(alone.size(), 4u);

  // Stopped after episode 2 (a boundary), then resumed to 4.
  RunPets(Tiny(2), torch::kCPU, root + "/boundary");
  const auto boundary = RunPets(Tiny(4), torch::kCPU, root + "/boundary", {}, /*resume=*/true);
  EXPECT_EQ(Returns(boundary), Returns(alone));

  // Stopped 7 steps into episode 3 (a partial episode saved as the last row), then resumed: the
  // partial episode is dropped and runs again from its start.
  PetsHooks stop;
  int steps = 0;
  stop.on_step = [&](int ep, int, int, double) { steps += ep == 3; };
  stop.should_stop = [&] { return steps >= 7; };
  const auto partial = RunPets(Tiny(4), torch::kCPU, root + "/mid", stop);
  ASSERT_EQ(partial.size(), 3u);
  EXPECT_TRUE(partial.back().interrupted);
  const auto mid = RunPets(Tiny(4), torch::kCPU, root + "/mid", {}, /*resume=*/true);
  EXPECT_EQ(Returns(mid), Returns(alone));
  EXPECT_EQ(CsvRows(root + "/mid/metrics.csv"), 4);
  const auto buffer = data::ReplayBuffer::Load(root + "/mid/replay_buffer.bin");
  EXPECT_EQ(buffer.Size(), alone.back().env_steps);  // every transition once
  EXPECT_EQ(mid.back().env_steps, alone.back().env_steps);
  // The model of the finished run loads.
  auto model = models::GaussianEnsemble(Tiny(4).model, 6, 4);
  EXPECT_NO_THROW(models::LoadEnsemble(model, root + "/mid/model.pt"));
}

TEST(Resume, BadCheckpointsAreRefusedNamingTheFileAndLeaveTheRunAsItWas) {
  const std::string dir = mbrl::testing::TempDir() + "/run";
  RunPets(Tiny(2), torch::kCPU, dir);
  const std::string latest = ReadFile(dir + "/checkpoint/LATEST");
  const std::string ckpt = dir + "/checkpoint/" + latest.substr(0, latest.find('\n'));
  const std::string metrics_before = ReadFile(dir + "/metrics.csv");
  const auto expect_refused = [&](const std::string& file, const std::string& says) {
    try {
      RunPets(Tiny(4), torch::kCPU, dir, {}, /*resume=*/true);
      ADD_FAILURE() << "resumed from a bad " << file;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(file), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
    EXPECT_EQ(ReadFile(dir + "/metrics.csv"), metrics_before) << file;
  };
  const auto truncate = [](const std::string& path) {
    const auto text = ReadFile(path);
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text.substr(0, text.size() / 2);
  };
  // Each file in turn: damaged, refused (naming the previous checkpoint as the last good state),
  // then put back.
  for (const std::string name : {"replay_buffer.bin", "model.pt", "trainer.pt", "generators.pt",
                                 "state.json"}) {
    const std::string path = ckpt + "/" + name;
    const auto good = ReadFile(path);
    truncate(path);
    expect_refused(name, "checkpoint/episode_000001, may be whole");
    std::ofstream(path, std::ios::binary | std::ios::trunc) << good;
  }
  // Another format version.
  auto state = ReadFile(ckpt + "/state.json");
  const auto at = state.find("\"format\": 1");
  ASSERT_NE(at, std::string::npos);
  std::ofstream(ckpt + "/state.json", std::ios::trunc)
      << state.substr(0, at) + "\"format\": 99" + state.substr(at + 11);
  expect_refused("state.json", "format 99");
  std::ofstream(ckpt + "/state.json", std::ios::trunc) << state;
  // Put back whole, it resumes.
  EXPECT_EQ(RunPets(Tiny(3), torch::kCPU, dir, {}, true).size(), 3u);
}

// `mbrl train` as a child process with tiny sizes, SIGKILLed again and again (alternately while a
// checkpoint is being written and a random moment after a checkpoint was completed) and resumed
// each time until it finishes by itself.
TEST(Resume, KilledTrainingProcessesResumeToTheUninterruptedReturns) {
  const std::string root = mbrl::testing::TempDir();
  const std::string binary = std::string(MBRL_BINARY_DIR) + "/mbrl";
  ASSERT_TRUE(fs::exists(binary));
  const std::string ckpt = root + "/killed/checkpoint";
  // A checkpoint folder being written (episode_NNNNNN.tmp), and the newest complete one's name.
  const auto writing = [&] {
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(ckpt, ec)) {
      if (e.path().extension() == ".tmp") return true;
    }
    return false;
  };
  const auto latest = [&] { return ReadFile(ckpt + "/LATEST"); };
  // Runs `args`; SIGKILLs the child once `kill_when` says so (never if it is empty). Returns the
  // exit code, or -1 when killed.
  const auto run = [&](const std::vector<std::string>& args, std::function<bool()> kill_when) {
    const pid_t pid = fork();
    if (pid == 0) {
      std::vector<char*> argv = {const_cast<char*>(binary.c_str())};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(126);
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
    int status = 0;
    while (kill_when) {
      if (waitpid(pid, &status, WNOHANG) == pid) return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      if (kill_when()) {
        kill(pid, SIGKILL);
        break;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  };
  std::vector<std::string> args = {"train", "--config",
                                   SourcePath("configs/cartpole_swingup.yaml"), "--planner",
                                   "cem", "--quiet", "--set", "pets.episodes=8"};
  for (const auto& s : kTiny) args.insert(args.end(), {"--set", s});

  auto alone_args = args;
  alone_args.insert(alone_args.end(), {"--out", root + "/alone"});
  ASSERT_EQ(run(alone_args, nullptr), 0);
  const auto alone = ReadFile(root + "/alone/metrics.csv");

  std::mt19937 rng(7);
  int kills = 0, during_writes = 0;
  auto first_args = args;
  first_args.insert(first_args.end(), {"--out", root + "/killed"});
  // Killed during the first checkpoint write: nothing to resume yet, so it starts over.
  int code = run(first_args, writing);
  if (code != 0 && !HasCheckpoint(root + "/killed")) {
    ++kills;
    ++during_writes;
    fs::remove_all(root + "/killed");
    code = run(first_args, [&] { return HasCheckpoint(root + "/killed"); });
  }
  kills += code != 0;
  for (int attempt = 0; code != 0 && attempt < 12; ++attempt) {
    std::function<bool()> kill_when;
    if (attempt < 8 && attempt % 2 == 0) {
      kill_when = writing;
    } else if (attempt < 8) {
      const std::string before = latest();
      const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 150)(rng));
      auto changed_at = std::chrono::steady_clock::time_point::max();
      kill_when = [&, before, delay, changed_at]() mutable {
        if (changed_at == std::chrono::steady_clock::time_point::max() && latest() != before) {
          changed_at = std::chrono::steady_clock::now();
        }
        return std::chrono::steady_clock::now() > changed_at + delay;
      };
    }
    const bool at_write = attempt < 8 && attempt % 2 == 0;
    code = run({"train", "--resume", root + "/killed", "--quiet"}, kill_when);
    kills += code != 0;
    during_writes += at_write && code != 0;
  }
  ASSERT_EQ(code, 0) << "did not finish";
  EXPECT_GE(kills, 4);
  std::printf("%d kills, %d of them while a checkpoint was being written\n", kills,
              during_writes);
  // The returns column equals the uninterrupted run's, one row per episode.
  const auto column = [](const std::string& csv) {
    std::istringstream in(csv);
    std::string line, out;
    std::getline(in, line);
    while (std::getline(in, line)) {
      std::istringstream cells(line);
      std::string cell;
      for (int i = 0; i < 4 && std::getline(cells, cell, ','); ++i) {
      }
      out += cell + "\n";
    }
    return out;
  };
  EXPECT_EQ(column(ReadFile(root + "/killed/metrics.csv")), column(alone));
  EXPECT_EQ(data::ReplayBuffer::Load(root + "/killed/replay_buffer.bin").Size(), 8 * 30);
  auto model = models::GaussianEnsemble(Tiny(8).model, 6, 4);
  EXPECT_NO_THROW(models::LoadEnsemble(model, root + "/killed/model.pt"));
}

// The CLI's refusals: one line naming the flag, exit code 2, the run left as it was.
TEST(Resume, CliRefusesWhatWouldChangeTheFinishedEpisodes) {
  const std::string dir = mbrl::testing::TempDir() + "/run";
  RunPets(Tiny(2), torch::kCPU, dir);
  const std::string metrics = ReadFile(dir + "/metrics.csv");
  auto [code, out] = RunMbrl("train --resume " + dir + " --set planner.population=5");
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("error: --set planner.population: cannot change when resuming"),
            std::string::npos)
      << out;
  std::tie(code, out) = RunMbrl("train --resume " + dir + " --out " + dir + "2");
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("--resume: takes the run directory's own config.yaml"), std::string::npos)
      << out;
  std::tie(code, out) = RunMbrl("train --resume " + dir + " --set device=cuda");
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("--set device: cannot change when resuming"), std::string::npos) << out;
  std::tie(code, out) = RunMbrl("train --resume " + dir + "/nothing");
  EXPECT_EQ(code, 2);
  EXPECT_NE(out.find("no such directory"), std::string::npos) << out;
  EXPECT_EQ(ReadFile(dir + "/metrics.csv"), metrics);
  // Allowed: more episodes.
  std::tie(code, out) = RunMbrl("train --resume " + dir + " --set pets.episodes=3 --quiet");
  EXPECT_EQ(code, 0) << out;
  EXPECT_NE(out.find("resuming after episode 2 of 3"), std::string::npos) << out;
  EXPECT_EQ(CsvRows(dir + "/metrics.csv"), 3);
}

// Every file under `dir` with its content.
std::map<std::string, std::string> Files(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) files[e.path().string()] = ReadFile(e.path().string());
  }
  return files;
}

TEST(Resume, ARefusedResumeLeavesEveryFileOfTheRunAsItWas) {
  const std::string dir = mbrl::testing::TempDir() + "/run";
  RunPets(Tiny(2), torch::kCPU, dir);
  const std::string latest = ReadFile(dir + "/checkpoint/LATEST");
  const std::string state = dir + "/checkpoint/" + latest.substr(0, latest.find('\n')) +
                            "/state.json";
  std::ofstream(state, std::ios::trunc) << "{\"format\": 1";  // damaged
  const auto before = Files(dir);
  auto [code, out] = RunMbrl("train --resume " + dir + " --set pets.episodes=5 --quiet");
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find(state), std::string::npos) << out;
  EXPECT_EQ(Files(dir), before);  // config.yaml still says 2 episodes, log.txt unchanged
}

TEST(Resume, ALatestThatNamesNoCheckpointIsADamagedCheckpoint) {
  const std::string dir = mbrl::testing::TempDir() + "/run";
  RunPets(Tiny(2), torch::kCPU, dir);
  std::ofstream(dir + "/checkpoint/LATEST", std::ios::trunc) << "episode_999999\n";
  const auto before = Files(dir);
  auto [code, out] = RunMbrl("train --resume " + dir + " --quiet");
  EXPECT_EQ(code, 2) << out;
  EXPECT_NE(out.find(dir + "/checkpoint/LATEST: names 'episode_999999'"), std::string::npos)
      << out;
  EXPECT_EQ(out.find("already complete"), std::string::npos) << out;
  EXPECT_EQ(Files(dir), before);
}

}  // namespace
}  // namespace mbrl::algorithms
