// `mbrl tasks`: the available tasks with their sizes, and optionally the env's own speed.
#include <cstdio>
#include <random>

#include "commands.h"
#include "mbrl/core/timer.h"
#include "mbrl/env/registry.h"

namespace mbrl::app {
namespace {
// Env steps per second with uniform random actions, timing Step() alone (resets excluded).
double StepsPerSecond(env::Env& env, int steps) {
  std::mt19937_64 rng(0);
  const auto lo = env.ActionLow(), hi = env.ActionHigh();
  std::vector<double> action(lo.size());
  env.Reset(rng);
  double seconds = 0;
  for (int i = 0, in_episode = 0; i < steps; ++i, ++in_episode) {
    for (size_t j = 0; j < action.size(); ++j) {
      action[j] = std::uniform_real_distribution<double>(lo[j], hi[j])(rng);
    }
    Stopwatch timer;
    const bool done = env.Step(action).Ended();
    seconds += timer.Seconds();
    if (done || in_episode + 1 >= env.EpisodeLength()) {
      env.Reset(rng);
      in_episode = -1;
    }
  }
  return steps / seconds;
}
}  // namespace

std::function<int()> AddTasksCommand(CLI::App& app) {
  auto speed_steps = std::make_shared<int>(0);
  CLI::App* cmd = app.add_subcommand(
      "tasks", "List the tasks with observation/action sizes and episode lengths");
  cmd->add_option("--speed", *speed_steps,
                  "also time this many random-action env steps per task (steps/s of the env alone)")
      ->check(CLI::NonNegativeNumber);
  return [speed_steps] {
    std::printf("%-18s %5s %7s %8s  %-14s%s\n", "task", "obs", "action", "episode", "action bounds",
                *speed_steps > 0 ? "  env steps/s" : "");
    for (const auto& name : env::TaskNames()) {
      const auto env = env::MakeEnv(name);
      const auto lo = env->ActionLow(), hi = env->ActionHigh();
      char bounds[64];
      std::snprintf(bounds, sizeof(bounds), "[%g, %g]", lo[0], hi[0]);
      std::printf("%-18s %5d %7d %8d  %-14s", name.c_str(), env->ObsDim(), env->ActionDim(),
                  env->EpisodeLength(), bounds);
      if (*speed_steps > 0) std::printf("  %11.0f", StepsPerSecond(*env, *speed_steps));
      std::printf("\n");
    }
    return 0;
  };
}

}  // namespace mbrl::app
