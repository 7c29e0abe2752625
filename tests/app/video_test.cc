// `mbrl eval --video` as a user runs it: a playable MP4 with one frame per reset and per step, and
// clear refusals (no ffmpeg, a task without a MuJoCo scene, a bad size) that change nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "mbrl/core/video.h"
#include "test_files.h"
#include "test_paths.h"

namespace mbrl {
namespace {

namespace fs = std::filesystem;
using testing::RunMbrl;
using testing::SourcePath;

const std::string kSets = testing::SetFlags(testing::TinyRunSettings()) +
                          " --set env.episode_length=20 --set pets.episodes=2";

// A shell command's stdout.
std::string Shell(const std::string& cmd) { return testing::RunCommand(cmd).second; }

std::string TrainTinyRun(const std::string& config, const std::string& dir,
                         const std::string& sets = kSets) {
  auto [code, text] = RunMbrl("train --config " + SourcePath(config) + " --quiet --out " + dir +
                              sets);
  EXPECT_EQ(code, 0) << text;
  return dir;
}

TEST(Video, EvalFilmsEveryResetAndStepIntoAPlayableMp4WhoseFramesMove) {
  if (FindOnPath("ffmpeg").empty() || FindOnPath("ffprobe").empty()) {
    GTEST_SKIP() << "ffmpeg is not installed (apt install ffmpeg; scripts/setup.sh does)";
  }
  const std::string run = TrainTinyRun("configs/cartpole_swingup.yaml",
                                       mbrl::testing::TempDir() + "/run");
  const std::string video = run + "/cartpole.mp4";
  auto [code, text] = RunMbrl("eval " + run + " --episodes 2 --quiet --video " + video +
                              " --video-size 96x64");
  if (text.find("libosmesa6") != std::string::npos) {
    GTEST_SKIP() << "libOSMesa is not installed: " << text;
  }
  ASSERT_EQ(code, 0) << text;
  EXPECT_NE(text.find("video: 42 frames -> " + video), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(video + ".part"));
  // 2 episodes x (1 reset + 20 steps), at the task's control rate (dt 0.04 s: 25 frames/s).
  EXPECT_EQ(Shell("ffprobe -v error -count_frames -select_streams v:0 -show_entries "
                  "stream=nb_read_frames,width,height,r_frame_rate -of csv=p=0 " + video),
            "96,64,25/1,42\n");
  // Decoded back, the first and the last frame differ: the video shows the cart moving.
  const std::string first = Shell("ffmpeg -v error -i " + video +
                                  " -vf 'select=eq(n\\,0)' -frames:v 1 -f rawvideo -pix_fmt rgb24 -");
  const std::string last = Shell("ffmpeg -v error -i " + video +
                                 " -vf 'select=eq(n\\,41)' -frames:v 1 -f rawvideo -pix_fmt rgb24 -");
  ASSERT_EQ(first.size(), 96u * 64u * 3u);
  ASSERT_EQ(last.size(), first.size());
  int differing = 0;
  for (size_t i = 0; i < first.size(); ++i) {
    differing += std::abs(static_cast<int>(static_cast<uint8_t>(first[i])) -
                          static_cast<uint8_t>(last[i])) > 40;
  }
  EXPECT_GT(differing, 20) << "the first and the last frame look the same";
}

TEST(Video, RefusalsNameWhatIsMissingAndChangeNothing) {
  const std::string tmp = mbrl::testing::TempDir();
  const std::string run = TrainTinyRun("configs/cartpole_swingup.yaml", tmp + "/run");
  auto eval_files = [&] { return fs::exists(run + "/eval"); };

  // No ffmpeg on PATH: the package to install is named, exit 2, nothing written.
  auto [code, text] = testing::RunCommand("env PATH=/nonexistent " +
                                          std::string(MBRL_BINARY_DIR) + "/mbrl eval " + run +
                                          " --video " + tmp + "/b.mp4 2>&1");
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("needs ffmpeg"), std::string::npos) << text;
  EXPECT_NE(text.find("apt install ffmpeg"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(tmp + "/b.mp4"));

  // A frame size H.264 cannot take, and a directory that does not exist.
  std::tie(code, text) = RunMbrl("eval " + run + " --video " + tmp + "/c.mp4 --video-size 95x64");
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("--video-size '95x64'"), std::string::npos) << text;
  std::tie(code, text) = RunMbrl("eval " + run + " --video " + tmp + "/no/such/dir/d.mp4");
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("no such directory"), std::string::npos) << text;
  EXPECT_FALSE(eval_files());

  // The toy barrier task has no MuJoCo scene: refused by name before any episode is written.
  if (FindOnPath("ffmpeg").empty()) return;
  const std::string toy = TrainTinyRun(
      "configs/toy_barrier.yaml", tmp + "/toy",
      " --set model.hidden_size=16 --set planner.n_init=50 --set planner.n_r=5"
      " --set planner.cem_iterations=1 --set agent.horizon=5 --set trainer.max_epochs=2"
      " --set rollout.particles=5 --set pets.episodes=2 --set pets.seed_episodes=1");
  std::tie(code, text) = RunMbrl("eval " + toy + " --video " + tmp + "/toy.mp4 --quiet");
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("toy_barrier is not a MuJoCo task"), std::string::npos) << text;
  EXPECT_FALSE(fs::exists(toy + "/eval"));
  EXPECT_FALSE(fs::exists(tmp + "/toy.mp4"));
}

}  // namespace
}  // namespace mbrl
