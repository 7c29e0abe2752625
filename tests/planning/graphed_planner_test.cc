// GraphedPlanner (planner.cuda_graph) with stand-ins for the CUDA graph. The recording one runs
// the captured step again on every replay, reading the static inputs the wrapper fills, so a
// missing input copy or an output overwritten by the next replay shows as a plan that differs from
// the eager planner's. The watching one also warms up as a CUDA graph does and checks that every
// replay uses only memory that the capture used: a CUDA graph reads those addresses and no others.
// What only a GPU can show is in tests/cuda/.
#include "mbrl/planning/graphed_planner.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <set>

#include "mbrl/algorithms/pets.h"
#include "mbrl/algorithms/stack.h"
#include "mbrl/config/loader.h"
#include "mbrl/config/planners.h"
#include "mbrl/core/error.h"
#include "support/capture_watch.h"
#include "mbrl/planning/registry.h"
#include "test_files.h"
#include "test_paths.h"

namespace mbrl::planning {
namespace {

using testing::SourcePath;

// Records the step and runs it on each Replay (a CUDA graph records kernels instead).
struct RecordingGraph : public StepGraph {
  explicit RecordingGraph(bool fail) : fail(fail) {}
  void Capture(const std::function<void()>& s) override {
    if (fail) throw std::runtime_error("operation not permitted when stream is capturing");
    step = s;
  }
  void Replay() override { step(); }
  bool fail;
  std::function<void()> step;
};

// Warms up and captures as MakeCudaStepGraph does, watching the capture; each replay runs the step
// again, watched, and adds to `problems` where it differs from the capture as a graph: another
// operator or host number, or memory the capture did not use.
struct WatchingGraph : public StepGraph {
  explicit WatchingGraph(std::vector<std::string>* problems) : problems(problems) {}
  void Capture(const std::function<void()>& s) override {
    for (int i = 0; i < kCudaGraphWarmupRuns; ++i) s();
    CaptureWatch watch;
    s();
    calls = watch.calls();
    memory = watch.outside();
    generators = watch.generators();
    step = s;
  }
  void Replay() override {
    ++replays;
    if (total_replays) ++*total_replays;
    CaptureWatch watch;
    step();
    for (const auto& d : CaptureDifferences(calls, memory, watch.calls(), watch.outside())) {
      problems->push_back("replay " + std::to_string(replays) + ": " + d);
    }
  }
  std::vector<std::string>* problems;
  std::vector<std::string> calls;
  std::map<const void*, MemoryUse> memory;
  std::set<const void*> generators;  // the ones the capture drew from
  std::function<void()> step;
  int replays = 0;
  int* total_replays = nullptr;  // counts the replays of every graph, when set
};

struct Counts {
  int graphs = 0;
  std::vector<std::string> warnings;
};

config::Config SmallConfig(const std::string& name) {
  return config::LoadConfig({SourcePath("configs/cartpole_swingup.yaml"),
                             name,
                             {"planner.capture_ready=on", "model.hidden_size=8", "agent.horizon=5",
                              "rollout.particles=5"}});
}

std::unique_ptr<GraphedPlanner> Wrap(const config::Config& config, algorithms::Stack& stack,
                                     Counts& counts, bool fail) {
  auto inner = MakePlanner(config.planner, stack.space, torch::kCPU, 11);
  inner->SetCaptureReady(true);
  return std::make_unique<GraphedPlanner>(
      std::move(inner),
      [&counts, fail]() {
        ++counts.graphs;
        return std::make_unique<RecordingGraph>(fail);
      },
      config.planner.type(), [&counts](const std::string& w) { counts.warnings.push_back(w); });
}

// Plans `steps` MPC steps from different observations with `planner` on `stack`'s model,
// warm-starting each from the last; returns the plans. `replayed`: which steps replayed.
std::vector<torch::Tensor> Episode(Planner& planner, algorithms::Stack& stack, int steps,
                                   std::vector<bool>* replayed = nullptr) {
  std::mt19937_64 rng(3);
  std::vector<torch::Tensor> plans;
  planner.Reset();
  for (int t = 0; t < steps; ++t) {
    const auto o = stack.env->Reset(rng);
    const auto obs = torch::tensor(std::vector<float>(o.begin(), o.end()));
    auto result = planner.Plan(obs, *stack.rollout);
    plans.push_back(result.actions);
    planner.SetPrevious(result.actions);
    if (replayed) replayed->push_back(static_cast<GraphedPlanner&>(planner).replayed());
  }
  return plans;
}

// The same 4-step episode planned by planner `name` on two identical stacks: eagerly, and wrapped
// in a GraphedPlanner whose graphs fail to capture when `fail` is set.
struct EagerAgainstGraphed {
  EagerAgainstGraphed(const std::string& name, bool fail)
      : config(SmallConfig(name)),
        eager_stack(algorithms::BuildStack(config, torch::kCPU)),
        graph_stack(algorithms::BuildStack(config, torch::kCPU)) {
    auto eager = MakePlanner(config.planner, eager_stack.space, torch::kCPU, 11);
    eager->SetCaptureReady(true);
    graphed = Wrap(config, graph_stack, counts, fail);
    want = Episode(*eager, eager_stack, 4);
    got = Episode(*graphed, graph_stack, 4, &replayed);
  }
  config::Config config;
  algorithms::Stack eager_stack, graph_stack;
  Counts counts;
  std::unique_ptr<GraphedPlanner> graphed;
  std::vector<torch::Tensor> want, got;  // the eager and the graphed plans
  std::vector<bool> replayed;            // which graphed steps replayed
};

TEST(GraphedPlanner, ReplaysGiveTheEagerPlansOfEveryPlanner) {
  for (const auto& name : config::PlannerNames()) {
    const EagerAgainstGraphed run(name, /*fail=*/false);
    for (size_t t = 0; t < run.want.size(); ++t) {
      EXPECT_TRUE(torch::equal(run.got[t], run.want[t])) << name << " step " << t;
    }
    // The first step (no warm start) is eager; the second captures; all later ones replay.
    EXPECT_EQ(run.replayed, (std::vector<bool>{false, true, true, true})) << name;
    EXPECT_EQ(run.counts.graphs, 1) << name;
    EXPECT_TRUE(run.counts.warnings.empty()) << name;
  }
}

// Plans a 5-step episode on `config`'s stack, its planner's steps replaying WatchingGraphs;
// returns the problems.
std::vector<std::string> WatchedEpisode(const config::Config& config) {
  std::vector<std::string> problems;
  WatchingGraph* graph = nullptr;
  auto stack = algorithms::BuildStack(config, torch::kCPU, [&problems, &graph]() {
    auto g = std::make_unique<WatchingGraph>(&problems);
    graph = g.get();
    return g;
  });
  std::vector<bool> replayed;
  Episode(stack.planner(), stack, 5, &replayed);
  EXPECT_EQ(replayed, (std::vector<bool>{false, true, true, true, true}));
  EXPECT_FALSE(static_cast<GraphedPlanner&>(stack.planner()).failed());  // it would have warned
  if (graph == nullptr) return {"no graph was made"};
  // A generator the graph does not advance draws the same numbers on every replay. A CUDA graph
  // advances the ones the stack gives MakeCudaStepGraph.
  std::set<const void*> advanced;
  for (const auto& g : stack.graph_generators) advanced.insert(g.unsafeGetGeneratorImpl());
  for (const void* g : graph->generators) {
    if (!advanced.count(g)) problems.push_back("the step draws from a generator not registered");
  }
  return problems;
}

std::string Lines(const std::vector<std::string>& lines) {
  std::string all;
  for (const auto& line : lines) all += "\n  " + line;
  return all;
}

// A state carried to the next step in a new tensor (not written into the old one), or a host
// number that changes between steps, passes the recording stand-in, which runs the step anew, but
// a CUDA graph would go on using its capture's: a stale tensor (or memory freed and given to
// something else), a stale number.
TEST(GraphedPlanner, EveryPlannersReplaysRunWhatItsCaptureRanOnTheSameMemory) {
  for (const auto& name : config::PlannerNames()) {
    const auto problems = WatchedEpisode(SmallConfig(name));
    EXPECT_TRUE(problems.empty()) << name << ": replays that a CUDA graph would not give"
                                  << Lines(problems);
  }
}

// The same over the rollout's other paths: each propagation, a population in several blocks,
// and tasks whose objectives differ from cartpole's.
TEST(GraphedPlanner, ReplaysRunWhatTheCaptureRanForEveryPropagationBlockingAndTask) {
  std::vector<std::pair<std::string, std::vector<std::string>>> cases;
  for (const std::string p : {"ts1", "expectation", "mean"}) {
    for (const std::string name : {"cem", "cem-gd"}) {
      cases.push_back({name, {"rollout.propagation=" + p}});
    }
  }
  cases.push_back({"cem", {"rollout.block_rows=64"}});
  cases.push_back({"cem-gd", {"rollout.block_rows=64"}});
  for (const auto& [name, sets] : cases) {
    auto all = std::vector<std::string>{"planner.capture_ready=on", "model.hidden_size=8",
                                        "agent.horizon=5", "rollout.particles=5"};
    all.insert(all.end(), sets.begin(), sets.end());
    const auto problems =
        WatchedEpisode(config::LoadConfig({SourcePath("configs/cartpole_swingup.yaml"), name, all}));
    EXPECT_TRUE(problems.empty()) << name << " " << sets[0] << Lines(problems);
  }
  for (const std::string task : {"pusher", "half_cheetah", "toy_barrier", "cartpole_down"}) {
    const auto problems = WatchedEpisode(config::LoadConfig(
        {SourcePath("configs/" + task + ".yaml"),
         "cem-gd",
         {"planner.capture_ready=on", "model.hidden_size=8", "agent.horizon=5",
          "rollout.particles=5", "planner.n_init=50"}}));
    EXPECT_TRUE(problems.empty()) << task << Lines(problems);
  }
}

// grad draws nothing, so its replays after the warm-up runs still give the eager plans.
TEST(GraphedPlanner, WarmedUpReplaysOfADeterministicPlannerGiveTheEagerPlans) {
  const auto config = SmallConfig("grad");
  auto eager_stack = algorithms::BuildStack(config, torch::kCPU);
  std::vector<std::string> problems;
  auto graph_stack = algorithms::BuildStack(
      config, torch::kCPU, [&problems]() { return std::make_unique<WatchingGraph>(&problems); });
  const auto want = Episode(eager_stack.planner(), eager_stack, 4);
  const auto got = Episode(graph_stack.planner(), graph_stack, 4);
  for (size_t t = 0; t < want.size(); ++t) {
    EXPECT_TRUE(torch::allclose(got[t], want[t])) << "step " << t;
  }
  EXPECT_TRUE(static_cast<GraphedPlanner&>(graph_stack.planner()).replayed());
}

// A PETS run, whose model is trained between episodes, with its planning steps replaying watched
// stand-in graphs: each episode's graph replays what its capture ran, on the memory it used.
TEST(GraphedPlanner, APetsRunsReplaysRunWhatTheirCapturesRanAcrossEpisodesAndTraining) {
  for (const std::string name : {"icem", "cem-gd", "grad-mpc"}) {
    std::vector<std::string> sets = {"planner.capture_ready=on", "model.hidden_size=8",
                                     "agent.horizon=5",          "rollout.particles=5",
                                     "pets.episodes=3",          "pets.seed_episodes=1",
                                     "env.episode_length=6",     "trainer.max_epochs=2"};
    if (name == "cem-gd") sets.push_back("planner.n_init=50");
    if (name == "grad-mpc") sets.insert(sets.end(), {"planner.candidates=20", "planner.iterations=3"});
    const auto config =
        config::LoadConfig({SourcePath("configs/cartpole_swingup.yaml"), name, sets});
    std::vector<std::string> problems;
    int graphs = 0, replays = 0;
    algorithms::PetsHooks hooks;
    hooks.step_graphs = [&]() {
      ++graphs;
      auto g = std::make_unique<WatchingGraph>(&problems);
      g->total_replays = &replays;
      return g;
    };
    const std::string dir = ::testing::TempDir() + "/watched_pets_" + name;
    std::filesystem::remove_all(dir);
    const auto metrics = algorithms::RunPets(config, torch::kCPU, dir, hooks);
    ASSERT_EQ(metrics.size(), 3u) << name;
    EXPECT_EQ(graphs, 2) << name;        // one per planned episode
    EXPECT_EQ(replays, 2 * 5) << name;   // steps 2 to 6 of each (1: eager; 2 captures, then replays)
    EXPECT_TRUE(problems.empty()) << name << Lines(problems);
  }
}

TEST(GraphedPlanner, ResetDropsTheGraphAndTheNextEpisodeCapturesAgain) {
  const auto config = SmallConfig("cem");
  auto stack = algorithms::BuildStack(config, torch::kCPU);
  Counts counts;
  auto graphed = Wrap(config, stack, counts, false);
  Episode(*graphed, stack, 3);
  EXPECT_EQ(counts.graphs, 1);
  std::vector<bool> replayed;
  Episode(*graphed, stack, 3, &replayed);  // Episode() calls Reset first
  EXPECT_EQ(counts.graphs, 2);
  EXPECT_EQ(replayed, (std::vector<bool>{false, true, true}));
}

TEST(GraphedPlanner, AFailedCaptureWarnsOnceNamingThePlannerAndPlansEagerly) {
  const EagerAgainstGraphed run("cem-gd", /*fail=*/true);
  for (size_t t = 0; t < run.want.size(); ++t) {
    EXPECT_TRUE(torch::equal(run.got[t], run.want[t])) << t;
  }
  EXPECT_EQ(run.replayed, (std::vector<bool>{false, false, false, false}));
  EXPECT_TRUE(run.graphed->failed());
  EXPECT_EQ(run.counts.graphs, 1);  // not tried again
  ASSERT_EQ(run.counts.warnings.size(), 1u);
  const auto& warning = run.counts.warnings[0];
  EXPECT_NE(warning.find("planner cem-gd"), std::string::npos) << warning;
  EXPECT_NE(warning.find("stream is capturing"), std::string::npos);
}

TEST(GraphedPlanner, CudaGraphSettingIsCheckedAgainstTheDevice) {
  auto config = SmallConfig("cem");
  EXPECT_FALSE(algorithms::UseCudaGraph(config.planner, torch::kCPU));  // auto, on the CPU
  config.planner.cuda_graph = "off";
  EXPECT_FALSE(algorithms::UseCudaGraph(config.planner, torch::kCPU));
  config.planner.cuda_graph = "on";
  try {
    algorithms::UseCudaGraph(config.planner, torch::kCPU);
    FAIL() << "planner.cuda_graph=on on the CPU was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("planner.cuda_graph"), std::string::npos) << e.what();
  }
  try {
    config::LoadConfig(
        {SourcePath("configs/cartpole_swingup.yaml"), "cem", {"planner.cuda_graph=maybe"}});
    FAIL() << "planner.cuda_graph=maybe was accepted";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("cuda_graph"), std::string::npos) << e.what();
  }
  // Without CUDA in the build there is no graph to make, and the error says why.
  if (!CudaGraphsAvailable()) {
    EXPECT_THROW(MakeCudaStepGraph(torch::Device(torch::kCUDA), {}), std::runtime_error);
  }
}

TEST(GraphedPlanner, TrainRefusesCudaGraphsOnTheCpuBeforeMakingARunDirectory) {
  const std::string dir = ::testing::TempDir() + "/cuda_graph_refused";
  std::filesystem::remove_all(dir);
  auto [code, text] =
      testing::RunMbrl("train --quiet --out " + dir + " --set planner.cuda_graph=on");
  EXPECT_EQ(code, 2) << text;
  EXPECT_NE(text.find("planner.cuda_graph: 'on' needs --device cuda"), std::string::npos) << text;
  EXPECT_FALSE(std::filesystem::exists(dir)) << text;
}

}  // namespace
}  // namespace mbrl::planning
