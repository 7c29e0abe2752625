// A task from files (task: mjcf): cartpole swing-up written as examples/tasks/cartpole_swingup/
// behaves as the built-in one, and what is wrong in either file is refused with one line.
#include "mbrl/env/file_task.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "mbrl/algorithms/pets.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/error.h"
#include "mbrl/env/cartpole_swingup.h"
#include "mbrl/env/registry.h"
#include "test_files.h"
#include "test_paths.h"

namespace mbrl::env {
namespace {

using testing::SourcePath;

// The TorchScript modules the build wrote with /usr/bin/python3 (tests/env/task_modules.py).
std::string Module(const std::string& name) {
  return std::string(MBRL_BINARY_DIR) + "/task_modules/" + name + ".pt";
}

#define SKIP_WITHOUT_MODULES()                                                              \
  if (!std::filesystem::exists(Module("cartpole_swingup"))) {                               \
    GTEST_SKIP() << "no TorchScript modules in " << Module("") << " (python3-torch missing " \
                    "when the build ran: scripts/setup.sh installs it)";                    \
  }

config::Config CartpoleFromFiles() {
  auto config = config::LoadConfig({SourcePath("examples/tasks/cartpole_swingup/config.yaml")});
  config.env.functions = Module("cartpole_swingup");
  return config;
}

// The message of the ConfigError that `f` throws ("" when it throws none).
template <class F>
std::string RefusalOf(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(FileTask, PathsInAConfigAreRelativeToItsFile) {
  const auto config =
      config::LoadConfig({SourcePath("examples/tasks/cartpole_swingup/config.yaml")});
  EXPECT_EQ(config.task, "mjcf");
  EXPECT_TRUE(std::filesystem::path(config.env.model).is_absolute());
  EXPECT_EQ(std::filesystem::path(config.env.model),
            std::filesystem::path(SourcePath("examples/tasks/cartpole_swingup/cartpole.xml"))
                .lexically_normal());
  EXPECT_EQ(TaskLabel(config), "cartpole");
  // A --set path is relative to the working directory.
  const auto set = config::LoadConfig({SourcePath("examples/tasks/cartpole_swingup/config.yaml"),
                                       "", {"env.functions=elsewhere/t.pt"}});
  EXPECT_EQ(std::filesystem::path(set.env.functions),
            (std::filesystem::current_path() / "elsewhere/t.pt").lexically_normal());
}

TEST(FileTask, CartpoleFromFilesStepsObservesAndRewardsAsTheBuiltInOne) {
  SKIP_WITHOUT_MODULES();
  const auto config = CartpoleFromFiles();
  auto files = MakeEnv(config);
  CartpoleSwingupEnv built_in;
  ASSERT_EQ(files->ObsDim(), 4);
  ASSERT_EQ(files->ActionDim(), 1);
  EXPECT_EQ(files->ActionLow(), built_in.ActionLow());
  EXPECT_EQ(files->ActionHigh(), built_in.ActionHigh());
  EXPECT_EQ(files->EpisodeLength(), 200);

  std::mt19937_64 rng_a(7), rng_b(7), actions(3);
  std::uniform_real_distribution<double> force(-3.0, 3.0);
  for (int episode = 0; episode < 2; ++episode) {
    const auto a = files->Reset(rng_a), b = built_in.Reset(rng_b);
    for (int i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(a[i], b[i]);
    for (int t = 0; t < 100; ++t) {
      const std::vector<double> action = {force(actions)};
      const auto sa = files->Step(action), sb = built_in.Step(action);
      for (int i = 0; i < 4; ++i) ASSERT_NEAR(sa.obs[i], sb.obs[i], 1e-9) << "t " << t;
      ASSERT_NEAR(sa.reward, sb.reward, 1e-9) << "t " << t;
      EXPECT_FALSE(sa.terminated);
    }
  }
}

TEST(FileTask, CartpoleFromFilesGivesTheBuiltInModelInputsTargetsAndRewards) {
  SKIP_WITHOUT_MODULES();
  const auto files = MakeTask(CartpoleFromFiles());
  const auto built_in = MakeTask("cartpole_swingup");
  EXPECT_EQ(files->ModelObsDim(), built_in->ModelObsDim());
  EXPECT_FALSE(files->ModelInputFeatures().has_value());  // preprocess runs as TorchScript
  EXPECT_FALSE(files->CanTerminate());
  torch::manual_seed(0);
  const auto obs = torch::randn({64, 4}) * 2, next = torch::randn({64, 4}) * 2;
  const auto action = torch::rand({64, 1}) * 6 - 3;
  EXPECT_TRUE(torch::allclose(files->PreprocessObs(obs), built_in->PreprocessObs(obs)));
  const auto leading = obs.view({4, 16, 4});
  EXPECT_TRUE(
      torch::allclose(files->PreprocessObs(leading), built_in->PreprocessObs(leading)));
  EXPECT_TRUE(torch::allclose(files->Reward(obs, action, next),
                              built_in->Reward(obs, action, next), 1e-6, 1e-6));
  EXPECT_TRUE(torch::equal(files->TargetFromTransition(obs, next), next - obs));
  // The reward's gradient reaches the actions, as the gradient planners need.
  const auto a = action.clone().requires_grad_();
  files->Reward(obs, a, next).sum().backward();
  EXPECT_TRUE(torch::allclose(a.grad(), -0.02 * action));
}

TEST(FileTask, TheModelsFileIsRefusedWithWhatIsWrong) {
  SKIP_WITHOUT_MODULES();
  const std::string dir = testing::TempDir();
  auto config = CartpoleFromFiles();
  const auto refusal = [&](const std::string& xml) {
    config.env.model = WriteFile(dir, "m.xml", xml);
    return RefusalOf([&] { MakeEnv(config); });
  };
  config.env.model = dir + "/missing.xml";
  EXPECT_NE(RefusalOf([&] { MakeEnv(config); }).find("env.model: " + dir + "/missing.xml: no such file"),
            std::string::npos);
  // MuJoCo's parser message, with its line.
  const auto parse = refusal("<mujoco>\n  <worldbody>\n    <bogus/>\n  </worldbody>\n</mujoco>\n");
  EXPECT_NE(parse.find("env.model: " + dir + "/m.xml"), std::string::npos) << parse;
  EXPECT_NE(parse.find("line 3"), std::string::npos) << parse;
  const std::string body =
      "<worldbody><body><joint name='j' type='slide'/><geom size='0.1'/></body></worldbody>";
  EXPECT_NE(refusal("<mujoco>" + body + "<actuator><motor joint='j' ctrlrange='-1 1' "
                    "ctrllimited='true'/></actuator></mujoco>")
                .find("has no sensors"),
            std::string::npos);
  EXPECT_NE(refusal("<mujoco>" + body + "<sensor><jointpos joint='j'/></sensor></mujoco>")
                .find("has no actuators"),
            std::string::npos);
  EXPECT_NE(refusal("<mujoco>" + body + "<actuator><motor name='push' joint='j' "
                    "ctrllimited='false'/></actuator><sensor><jointpos joint='j'/></sensor>"
                    "</mujoco>")
                .find("actuator 'push' has no control range"),
            std::string::npos);
}

TEST(FileTask, AnUnstableSimulationStopsTheEpisodeNamingTheJoint) {
  SKIP_WITHOUT_MODULES();
  auto config = CartpoleFromFiles();
  // A 3 g body on a joint damped at 10 N s/m: far too stiff for a 10 ms explicit RK4 step. At
  // rest it stays still (the load's probe passes); the reset's noise sets it moving. No contacts:
  // the arm cannot push it.
  config.env.model = WriteFile(
      testing::TempDir(), "stiff.xml",
      "<mujoco><option timestep='0.01' integrator='RK4'/><default><geom contype='0' "
      "conaffinity='0'/></default><worldbody><body><joint name='arm' type='hinge' "
      "axis='0 0 1'/><geom type='capsule' fromto='0 0 0 0.1 0 0' size='0.01'/></body>"
      "<body><joint name='tx' type='slide' axis='1 0 0' damping='10'/><geom size='0.009'/>"
      "</body></worldbody><actuator><motor joint='arm' ctrlrange='-1 1' ctrllimited='true'/>"
      "</actuator><sensor><jointpos joint='arm'/><jointpos joint='tx'/><jointvel joint='arm'/>"
      "<jointvel joint='tx'/></sensor></mujoco>");
  config.env.reset_noise = 0.2;
  auto env = MakeEnv(config);
  std::mt19937_64 rng(0);
  env->Reset(rng);
  try {
    for (int t = 0; t < 10; ++t) env->Step({0.0});
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("became unstable"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("joint 'tx'"), std::string::npos) << e.what();
  }
}

// examples/tasks/reacher/ with one string of its model replaced, written to the test's directory.
config::Config BrokenReacher(const std::string& dir, const std::string& name,
                             const std::string& from, const std::string& to) {
  auto config = config::LoadConfig({SourcePath("examples/tasks/reacher/config.yaml")});
  config.env.functions = Module("reacher");
  std::string xml = testing::ReadFile(SourcePath("examples/tasks/reacher/reacher.xml"));
  const auto at = xml.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) xml.replace(at, from.size(), to);
  config.env.model = WriteFile(dir, name + ".xml", xml);
  return config;
}

TEST(FileTask, AModelUnstableFromItsInitialStateIsRefusedAtLoadWithWhatMuJoCoReported) {
  SKIP_WITHOUT_MODULES();
  // The reacher as it is loads.
  auto reacher = config::LoadConfig({SourcePath("examples/tasks/reacher/config.yaml")});
  reacher.env.functions = Module("reacher");
  EXPECT_EQ(RefusalOf([&] { CheckTaskFiles(reacher); }), "");

  const std::string dir = testing::TempDir();
  struct Case {
    config::Config config;
    std::string reported, culprit;
  };
  const std::vector<Case> cases = {
      {BrokenReacher(dir, "nan_axis", "name=\"elbow\" type=\"hinge\" axis=\"0 0 1\"",
                     "name=\"elbow\" type=\"hinge\" axis=\"0 0 nan\""),
       "(MuJoCo: Nan, Inf or huge value in QACC", "the model holds joint 'elbow' axis = [nan"},
      {BrokenReacher(dir, "far_body", "<body name=\"lower\" pos=\"0.2 0 0\">",
                     "<body name=\"lower\" pos=\"1e30 0 0\">"),
       "reads [1e+30", "the model holds body 'lower' pos = [1e+30, 0, 0]"},
  };
  for (const auto& c : cases) {
    // Every way in loads the environment, and each stops the same way.
    for (const auto& message : {RefusalOf([&] { CheckTaskFiles(c.config); }),
                                RefusalOf([&] { MakeEnv(c.config); })}) {
      EXPECT_EQ(message.rfind("env.model: " + c.config.env.model +
                                  ": the simulation is unstable from its initial state, at "
                                  "control step 1 with zero actions",
                              0),
                0u)
          << message;
      EXPECT_NE(message.find(c.reported), std::string::npos) << message;
      EXPECT_NE(message.find(c.culprit), std::string::npos) << message;
    }
  }
}

TEST(FileTask, AModelStableAtRestButUnstableUnderRandomActionsIsRefusedAtLoad) {
  SKIP_WITHOUT_MODULES();
  // A gear of 1e9 on the shoulder: still at rest, thrown out by the first random action.
  auto config = BrokenReacher(testing::TempDir(), "strong_motor", "<motor name=\"shoulder\" joint=\"shoulder\"/>",
                              "<motor name=\"shoulder\" joint=\"shoulder\" gear=\"1e9\"/>");
  const std::string message = RefusalOf([&] { CheckTaskFiles(config); });
  EXPECT_NE(message.find("with random actions within the control ranges"), std::string::npos)
      << message;
}

TEST(FileTask, TheFunctionsFileIsRefusedNamingTheFunctionAndWhatWasExpected) {
  SKIP_WITHOUT_MODULES();
  auto config = CartpoleFromFiles();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"missing", "no such file"},
      {"bad/not_torchscript", "not a TorchScript module"},
      {"bad/no_reward", "reward: no such method"},
      {"bad/reward_shape", "reward(obs, action, next_obs): expected a floating-point tensor [3]"},
      {"bad/reward_nan", "reward(obs, action, next_obs): not finite"},
      {"bad/reward_detached", "reward(obs, action, next_obs): not differentiable"},
      {"bad/target_only", "next_obs: missing"},
      {"bad/terminated_float", "terminated(next_obs): expected a bool tensor [3]"},
      {"bad/preprocess_flat", "preprocess(obs): expected [2, 3, 4]"},
  };
  for (const auto& [name, expected] : cases) {
    config.env.functions = Module(name);
    const std::string message = RefusalOf([&] { MakeTask(config); });
    EXPECT_EQ(message.rfind("env.functions: " + Module(name) + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(expected), std::string::npos) << name << ": " << message;
  }
}

TEST(FileTask, TheConfigKeysOfATaskFromFilesAreRefusedWhereTheyDoNotApply) {
  auto config = config::LoadConfig({SourcePath("configs/cartpole_swingup.yaml")});
  config.env.model = "x.xml";
  EXPECT_NE(RefusalOf([&] { MakeEnv(config); }).find("env.model: set, but task 'cartpole_swingup' "
                                                     "is built in"),
            std::string::npos);
  config = config::LoadConfig({SourcePath("examples/tasks/cartpole_swingup/config.yaml")});
  config.env.model.clear();
  EXPECT_NE(RefusalOf([&] { MakeEnv(config); }).find("env.model: a task from files"),
            std::string::npos);
  SKIP_WITHOUT_MODULES();
  config = CartpoleFromFiles();
  config.env.episode_length = 0;
  EXPECT_NE(RefusalOf([&] { MakeEnv(config); }).find("env.episode_length"), std::string::npos);
}

// Every example under examples/tasks/ runs end to end: a short PETS run (a random episode, then
// an MPC episode on the trained model), then resumed and extended by one episode.
TEST(FileTask, EachExampleTaskTrainsAShortPetsRunAndResumes) {
  SKIP_WITHOUT_MODULES();
  int examples = 0;
  for (const auto& entry : std::filesystem::directory_iterator(SourcePath("examples/tasks"))) {
    const std::string name = entry.path().filename().string();
    const std::string config_path = entry.path().string() + "/config.yaml";
    if (!std::filesystem::exists(config_path)) continue;
    ++examples;
    const std::vector<std::string> tiny = {
        "env.functions=" + Module(name), "pets.episodes=2", "pets.seed_episodes=1",
        "env.episode_length=10", "model.hidden_size=16", "planner.type=cem",
        "planner.population=20", "agent.horizon=5", "trainer.max_epochs=2"};
    const auto config = config::LoadConfig({config_path, "", tiny});
    const std::string run = testing::TempDir() + "/" + name;
    const auto first = algorithms::RunPets(config, torch::kCPU, run);
    ASSERT_EQ(first.size(), 2u) << name;
    EXPECT_TRUE(first[0].random) << name;
    EXPECT_FALSE(first[1].random) << name;
    EXPECT_TRUE(std::isfinite(first[1].episode_return)) << name;
    EXPECT_TRUE(std::filesystem::exists(run + "/model.pt")) << name;
    auto extended = config;
    extended.pets.episodes = 3;
    const auto all = algorithms::RunPets(extended, torch::kCPU, run, {}, /*resume=*/true);
    ASSERT_EQ(all.size(), 3u) << name;
    EXPECT_EQ(all[1].episode_return, first[1].episode_return) << name;
  }
  EXPECT_GE(examples, 2);
}

}  // namespace
}  // namespace mbrl::env
