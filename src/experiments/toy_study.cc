#include "mbrl/experiments/toy_study.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "mbrl/agent/mpc_agent.h"
#include "mbrl/algorithms/stack.h"
#include "mbrl/core/atomic_file.h"
#include "mbrl/core/seeding.h"
#include "mbrl/core/strings.h"
#include "mbrl/env/toy_barrier.h"

namespace mbrl::experiments {
namespace {
std::vector<std::array<double, 2>> ToPoints(const torch::Tensor& positions) {  // [T, 2]
  const auto p = positions.to(torch::kCPU, torch::kDouble).contiguous();
  std::vector<std::array<double, 2>> out(p.size(0));
  for (int64_t i = 0; i < p.size(0); ++i) out[i] = {p[i][0].item<double>(), p[i][1].item<double>()};
  return out;
}

void AppendPath(std::string& csv, const char* kind, int n_init, int trial, const char* stage,
                const std::vector<std::array<double, 2>>& points) {
  for (size_t i = 0; i < points.size(); ++i) {
    csv += Format("%s,%d,%d,%s,%zu,%.6f,%.6f\n", kind, n_init, trial, stage, i, points[i][0],
                  points[i][1]);
  }
}
}  // namespace

int SideOfBarrier(const std::vector<std::array<double, 2>>& path) {
  using env::ToyBarrier;
  for (size_t i = 1; i < path.size(); ++i) {
    const auto& a = path[i - 1];
    const auto& b = path[i];
    if (a[0] < ToyBarrier::kCentreX && b[0] >= ToyBarrier::kCentreX) {
      const double w = (ToyBarrier::kCentreX - a[0]) / (b[0] - a[0]);
      return a[1] + w * (b[1] - a[1]) < ToyBarrier::kCentreY ? 1 : 0;
    }
  }
  return -1;
}

ToyTrial RunToyTrial(int n_init, const ToyStudyOptions& options, uint64_t trial_seed) {
  using env::ToyBarrier;
  config::CemGdConfig cem_gd;
  cem_gd.n_init = n_init;
  cem_gd.n_r = options.n_r;
  cem_gd.cem_iterations = options.cem_iterations;
  cem_gd.line_search = options.line_search;
  config::Config config;
  config.task = "toy_barrier";
  config.seed = static_cast<int64_t>(trial_seed);
  config.planner.settings = cem_gd;
  config.agent.horizon = options.horizon;
  config.agent.replan_freq = 1;
  env::ToyBarrierObjective objective;  // the true dynamics
  algorithms::Stack stack = algorithms::BuildStack(config, torch::kCPU, objective);
  env::Env& env = *stack.env;
  agent::MpcAgent& agent = *stack.agent;
  std::mt19937_64 rng(algorithms::StreamSeed(config.seed, algorithms::SeedStream::kEnv));
  auto obs = env.Reset(rng);
  agent.Reset();
  ToyTrial trial;
  trial.path.push_back({obs[0], obs[1]});
  bool crossed = false;
  for (int t = 0; t < options.steps; ++t) {
    const auto action = agent.Act(obs);
    if (t == 0) {
      torch::NoGradGuard no_grad;
      const auto start = torch::tensor({obs[0], obs[1]}, torch::kFloat);
      const auto& plan = agent.last_plan();
      trial.first_init = ToPoints(objective.Positions(start, plan.initial_actions.unsqueeze(0))[0]);
      trial.first_refined = ToPoints(objective.Positions(start, plan.actions.unsqueeze(0))[0]);
      trial.first_init_side = SideOfBarrier(trial.first_init);
      trial.first_refined_side = SideOfBarrier(trial.first_refined);
    }
    const auto step = env.Step(action);
    trial.episode_return += step.reward;
    // The first time the path crosses the barrier's x, note which side it is on.
    if (!crossed && obs[0] < ToyBarrier::kCentreX && step.obs[0] >= ToyBarrier::kCentreX) {
      crossed = true;
      const double w = (ToyBarrier::kCentreX - obs[0]) / (step.obs[0] - obs[0]);
      trial.below = obs[1] + w * (step.obs[1] - obs[1]) < ToyBarrier::kCentreY;
    }
    obs = step.obs;
    trial.path.push_back({obs[0], obs[1]});
  }
  return trial;
}

std::vector<ToyStudyRow> RunToyStudy(const ToyStudyOptions& options,
                                     const std::function<void(int, int, const ToyTrial&)>& on_trial) {
  std::vector<ToyStudyRow> rows;
  for (int n : options.n_init) {
    ToyStudyRow row;
    row.n_init = n;
    for (int i = 0; i < options.trials; ++i) {
      const ToyTrial trial = RunToyTrial(n, options, DeriveSeed(options.seed, i));
      ++row.trials;
      row.below += trial.below ? 1 : 0;
      row.mean_return += trial.episode_return;
      if (on_trial) on_trial(n, i, trial);
    }
    row.fraction = row.trials > 0 ? static_cast<double>(row.below) / row.trials : 0;
    row.mean_return /= std::max(row.trials, 1);
    rows.push_back(row);
  }
  return rows;
}

ToyStudyFiles::ToyStudyFiles(std::vector<int> examples) : examples_(std::move(examples)) {}

void ToyStudyFiles::AddTrial(int n_init, int trial, const ToyTrial& t) {
  const bool example = std::find(examples_.begin(), examples_.end(), n_init) != examples_.end();
  if (example && kept_.insert({n_init, t.below}).second) {
    const char* kind = t.below ? "success" : "failed";
    AppendPath(paths_, kind, n_init, trial, "executed", t.path);
    AppendPath(paths_, kind, n_init, trial, "first_plan_initial", t.first_init);
    AppendPath(paths_, kind, n_init, trial, "first_plan_refined", t.first_refined);
  }
  trials_ += Format("%d,%d,%d,%d,%d,%.6f\n", n_init, trial, t.below ? 1 : 0, t.first_init_side,
                    t.first_refined_side, t.episode_return);
}

void ToyStudyFiles::Write(const std::string& dir, const std::vector<ToyStudyRow>& rows,
                          int n_r) const {
  std::string success = "n_init,n_r,trials,below,fraction_below,mean_return\n";
  for (const auto& r : rows) {
    success += Format("%d,%d,%d,%d,%.4f,%.4f\n", r.n_init, n_r, r.trials, r.below, r.fraction,
                      r.mean_return);
  }
  using env::ToyBarrier;
  WriteTextAtomically(dir + "/success.csv", success);
  WriteTextAtomically(dir + "/paths.csv", paths_);
  WriteTextAtomically(dir + "/trials.csv", trials_);
  WriteTextAtomically(dir + "/task.csv",
                      Format("start_x,start_y,goal_x,goal_y,centre_x,centre_y,radius,strength,"
                             "bound\n%g,%g,%g,%g,%g,%g,%g,%g,%g\n",
                             ToyBarrier::kStartX, ToyBarrier::kStartY, ToyBarrier::kGoalX,
                             ToyBarrier::kGoalY, ToyBarrier::kCentreX, ToyBarrier::kCentreY,
                             ToyBarrier::kRadius, ToyBarrier::kStrength, ToyBarrier::kBound));
}

}  // namespace mbrl::experiments
