#include "mbrl/env/render.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

#include "mbrl/core/error.h"
#include "mbrl/env/mujoco_sim.h"
#include "mbrl/env/registry.h"

namespace mbrl::env {
namespace {

// Builds a renderer, or skips the test on a machine without OSMesa (scripts/setup.sh installs
// it, so CI renders).
std::unique_ptr<OffscreenRenderer> MakeRenderer(const Env& env, int width, int height) {
  try {
    return std::make_unique<OffscreenRenderer>(env, width, height);
  } catch (const Error& e) {
    if (std::string(e.what()).find("libosmesa6") != std::string::npos) return nullptr;
    throw;
  }
}

// Pixels that are not the black background, in rows [row_begin, row_end).
int LitPixels(const std::vector<uint8_t>& rgb, int width, int row_begin, int row_end) {
  int lit = 0;
  for (int y = row_begin; y < row_end; ++y) {
    for (int x = 0; x < width; ++x) {
      const uint8_t* p = rgb.data() + 3 * (static_cast<size_t>(y) * width + x);
      lit += p[0] + p[1] + p[2] > 60;
    }
  }
  return lit;
}

TEST(Render, DrawsEveryMujocoTaskAndEachFrameFollowsTheState) {
  for (const std::string task : {"cartpole_swingup", "half_cheetah", "pusher", "humanoid_standup"}) {
    SCOPED_TRACE(task);
    auto env = MakeEnv(task);
    std::mt19937_64 rng(3);
    env->Reset(rng);
    auto renderer = MakeRenderer(*env, 96, 64);
    if (!renderer) GTEST_SKIP() << "libOSMesa is not installed (apt install libosmesa6)";
    const auto first = renderer->Render();
    ASSERT_EQ(first.size(), 96u * 64u * 3u);
    std::set<uint32_t> colours;
    for (size_t i = 0; i < first.size(); i += 3) {
      colours.insert(first[i] << 16 | first[i + 1] << 8 | first[i + 2]);
    }
    EXPECT_GT(colours.size(), 10u) << "the picture is (nearly) one flat colour";
    EXPECT_EQ(renderer->Render(), first) << "the same state drew differently";
    std::vector<double> action(env->ActionDim());
    for (int t = 0; t < 10; ++t) {
      for (int a = 0; a < env->ActionDim(); ++a) action[a] = env->ActionHigh()[a];
      env->Step(action);
    }
    EXPECT_NE(renderer->Render(), first) << "ten full-force steps left the picture unchanged";
  }
}

TEST(Render, PicturesAreTheRightWayUp) {
  // The cartpole's pole hangs down at theta = 0 and points up at theta = pi: the top half of the
  // picture holds more of it in the second case (OpenGL reads rows bottom-up; the renderer flips).
  auto env = MakeEnv("cartpole_swingup");
  std::mt19937_64 rng(0);
  env->Reset(rng);
  auto renderer = MakeRenderer(*env, 160, 120);
  if (!renderer) GTEST_SKIP() << "libOSMesa is not installed (apt install libosmesa6)";
  const MujocoSim& sim = dynamic_cast<const MujocoEnv&>(*env).sim();
  auto draw_with_angle = [&](double theta) {
    const double qpos[2] = {0, theta};
    const double qvel[2] = {0, 0};
    const_cast<MujocoSim&>(sim).SetState(qpos, qvel);
    return renderer->Render();
  };
  const auto down = draw_with_angle(0);
  const auto up = draw_with_angle(M_PI);
  const int top_down = LitPixels(down, 160, 0, 58), top_up = LitPixels(up, 160, 0, 58);
  const int bottom_down = LitPixels(down, 160, 62, 120), bottom_up = LitPixels(up, 160, 62, 120);
  EXPECT_GT(top_up, top_down + 10);
  EXPECT_GT(bottom_down, bottom_up + 10);
}

TEST(Render, TasksWithoutAMujocoSceneAreRefusedByName) {
  for (const std::string task : {"toy_barrier", "cartpole_down"}) {
    auto env = MakeEnv(task);
    try {
      OffscreenRenderer renderer(*env, 64, 48);
      ADD_FAILURE() << task << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find(task + " is not a MuJoCo task"), std::string::npos)
          << e.what();
    }
  }
}

}  // namespace
}  // namespace mbrl::env
