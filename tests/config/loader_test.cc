#include "mbrl/config/loader.h"

#include <gtest/gtest.h>

#include <fstream>

#include "mbrl/core/error.h"
#include "test_paths.h"

namespace mbrl::config {
namespace {

using mbrl::testing::SourcePath;
using mbrl::testing::TempDir;

std::string WriteFile(const std::string& dir, const std::string& name, const std::string& text) {
  const std::string path = dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

// Returns the ConfigError message of loading `options` (fails the test if it loads).
std::string LoadError(const LoadOptions& options) {
  try {
    LoadConfig(options);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a ConfigError";
  return "";
}

TEST(ConfigLoader, BuiltInDefaultsAreCartpoleSwingupWithCem) {
  const Config c = LoadConfig({});
  EXPECT_EQ(c.task, "cartpole_swingup");
  EXPECT_EQ(c.planner.type(), "cem");
  EXPECT_EQ(c.model.ensemble_size, 5);
  EXPECT_EQ(c.model.hidden_size, 200);
  EXPECT_EQ(c.rollout.particles, 20);
}

TEST(ConfigLoader, ShippedConfigLoadsWithPlannerFile) {
  const Config c = LoadConfig({SourcePath("configs/cartpole_swingup.yaml"), "cem", {}});
  EXPECT_EQ(c.planner.Get<CemConfig>().population, 400);
  EXPECT_EQ(c.agent.horizon, 25);
}

TEST(ConfigLoader, OverridesSetNestedAndTopLevelFields) {
  const Config c = LoadConfig({SourcePath("configs/cartpole_swingup.yaml"), "",
                               {"planner.population=200", "seed=3", "rollout.propagation=ts1"}});
  EXPECT_EQ(c.planner.Get<CemConfig>().population, 200);
  EXPECT_EQ(c.seed, 3);
  EXPECT_EQ(c.rollout.propagation, "ts1");
}

TEST(ConfigLoader, UnknownKeyNamesFileAndKeyPath) {
  const auto dir = TempDir();
  const auto path = WriteFile(dir, "bad.yaml", "planner:\n  type: cem\n  populaton: 10\n");
  const std::string msg = LoadError({path, "", {}});
  EXPECT_NE(msg.find(path), std::string::npos) << msg;
  EXPECT_NE(msg.find("planner.populaton"), std::string::npos) << msg;
  EXPECT_NE(msg.find("unknown key"), std::string::npos) << msg;
  EXPECT_NE(msg.find("population"), std::string::npos) << "lists the valid keys: " << msg;
}

TEST(ConfigLoader, WrongTypeNamesKeyAndExpectedType) {
  const auto dir = TempDir();
  const auto path = WriteFile(dir, "bad.yaml", "model:\n  hidden_size: lots\n");
  const std::string msg = LoadError({path, "", {}});
  EXPECT_NE(msg.find(path + ": model.hidden_size: expected an integer"), std::string::npos) << msg;
  EXPECT_NE(msg.find("'lots'"), std::string::npos) << msg;
}

TEST(ConfigLoader, SectionGivenAsScalarIsATypeError) {
  const auto dir = TempDir();
  const auto path = WriteFile(dir, "bad.yaml", "trainer: 5\n");
  const std::string msg = LoadError({path, "", {}});
  EXPECT_NE(msg.find("trainer: expected a mapping"), std::string::npos) << msg;
}

TEST(ConfigLoader, OutOfRangeValueNamesRange) {
  const auto dir = TempDir();
  const auto path = WriteFile(dir, "bad.yaml", "planner:\n  type: cem\n  elite_ratio: 1.5\n");
  const std::string msg = LoadError({path, "", {}});
  EXPECT_NE(msg.find(path + ": planner.elite_ratio: expected a number in (0"), std::string::npos)
      << msg;
}

TEST(ConfigLoader, MissingFileIsNamed) {
  const std::string msg = LoadError({"/nonexistent/run.yaml", "", {}});
  EXPECT_NE(msg.find("/nonexistent/run.yaml: cannot open config file (no such file)"),
            std::string::npos)
      << msg;
}

TEST(ConfigLoader, InvalidYamlGivesLineNumber) {
  const auto dir = TempDir();
  const auto path = WriteFile(dir, "bad.yaml", "seed: 1\nmodel: [1, 2\n");
  const std::string msg = LoadError({path, "", {}});
  EXPECT_NE(msg.find(path + ":"), std::string::npos) << msg;
  EXPECT_NE(msg.find("invalid YAML"), std::string::npos) << msg;
}

TEST(ConfigLoader, BadOverrideNamesTheFlag) {
  const std::string msg = LoadError({"", "", {"planner.population=-5"}});
  EXPECT_NE(msg.find("--set: planner.population: expected an integer in [2"), std::string::npos)
      << msg;
  const std::string unknown = LoadError({"", "", {"planner.popsize=5"}});
  EXPECT_NE(unknown.find("--set: planner.popsize: unknown key"), std::string::npos) << unknown;
  const std::string malformed = LoadError({"", "", {"seed"}});
  EXPECT_NE(malformed.find("expected key=value"), std::string::npos) << malformed;
}

TEST(ConfigLoader, UnknownPlannerListsValidOnes) {
  const std::string msg = LoadError({SourcePath("configs/cartpole_swingup.yaml"), "cme", {}});
  EXPECT_NE(msg.find("--planner: unknown planner 'cme'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cem"), std::string::npos) << msg;
}

TEST(ConfigLoader, ResolvedYamlRoundTrips) {
  Config c = LoadConfig({"", "", {"planner.population=123", "trainer.learning_rate=0.0003"}});
  const Config back = ParseConfigText(ConfigToYaml(c), "resolved");
  EXPECT_EQ(back.planner.Get<CemConfig>().population, 123);
  EXPECT_DOUBLE_EQ(back.trainer.learning_rate, 0.0003);
  EXPECT_EQ(ConfigToYaml(back), ConfigToYaml(c));
}

TEST(ConfigLoader, EveryPaperPlannerFileParses) {
  const std::string dir = SourcePath("configs/paper/planners");
  ASSERT_FALSE(PlannerFilesIn(dir).empty());
  for (const auto& name : PlannerFilesIn(dir)) {
    LoadOptions options{SourcePath("configs/cartpole_swingup.yaml"), name, {}};
    options.planner_dir = dir;
    EXPECT_NO_THROW(LoadConfig(options)) << name;
  }
}

TEST(ConfigLoader, ApplyOverridesChecksAsSetDoesAndANewPlannerStartsFromItsDefaults) {
  const Config base = LoadConfig({SourcePath("configs/cartpole_swingup.yaml"), "", {}});
  const Config c = ApplyOverrides(base, {"planner.population=123", "seed=4"});
  EXPECT_EQ(c.planner.Get<CemConfig>().population, 123);
  EXPECT_EQ(c.seed, 4);
  EXPECT_EQ(c.task, base.task);
  const Config gd = ApplyOverrides(c, {"planner.type=cem-gd", "planner.n_r=20"});
  EXPECT_EQ(gd.planner.Get<CemGdConfig>().n_r, 20);
  EXPECT_EQ(gd.planner.Get<CemGdConfig>().n_init, CemGdConfig().n_init);
  try {
    ApplyOverrides(base, {"planner.population=1"});
    FAIL() << "expected a ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("planner.population: expected an integer"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace mbrl::config

namespace mbrl::config {
namespace {

// A run's config.yaml written before trainer.min_updates existed resumes with the value in
// effect then (0), where any other config takes today's default; a run that wrote the key keeps it.
TEST(ConfigLoader, ARunWrittenBeforeAKeyExistedKeepsTheValueItRanWith) {
  const auto dir = mbrl::testing::TempDir();
  Config c;
  std::string text = ConfigToYaml(c);
  const auto at = text.find("  min_updates: ");
  ASSERT_NE(at, std::string::npos);
  text.erase(at, text.find('\n', at) - at + 1);
  std::ofstream(dir + "/config.yaml") << text;
  LoadOptions old_run{dir + "/config.yaml"};
  old_run.written_by_a_run = true;
  EXPECT_EQ(LoadConfig(old_run).trainer.min_updates, 0);
  EXPECT_EQ(LoadConfig({dir + "/config.yaml"}).trainer.min_updates, TrainerConfig().min_updates);
  std::ofstream(dir + "/new.yaml") << ConfigToYaml(c);
  LoadOptions new_run{dir + "/new.yaml"};
  new_run.written_by_a_run = true;
  EXPECT_EQ(LoadConfig(new_run).trainer.min_updates, TrainerConfig().min_updates);
  for (const auto& [key, before] : KeysAddedLater()) EXPECT_FALSE(before.empty()) << key;
}

}  // namespace
}  // namespace mbrl::config
