// `mbrl train`: run PETS from a config.
#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "mbrl/algorithms/checkpoint.h"
#include "mbrl/algorithms/train_run.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/error.h"
#include "mbrl/core/process.h"
#include "mbrl/core/progress.h"
#include "mbrl/core/strings.h"

namespace mbrl::app {
namespace {

struct TrainOptions {
  std::string config_path;
  std::string planner;
  std::string planner_dir;
  std::string label;
  std::vector<std::string> overrides;
  std::string device;
  std::string out;
  std::string resume;
  bool quiet = false;
};

int RunTrain(const TrainOptions& opt) {
  const bool resume = !opt.resume.empty();
  if (resume && (!opt.config_path.empty() || !opt.planner.empty() || !opt.out.empty() ||
                 !opt.planner_dir.empty() || !opt.label.empty())) {
    throw ConfigError("--resume: takes the run directory's own config.yaml; --config, --planner, "
                      "--planner-dir, --label and --out do not apply");
  }
  algorithms::TrainRunOptions run;
  config::LoadOptions load{opt.config_path, opt.planner, opt.overrides};
  load.planner_dir = opt.planner_dir;
  run.config =
      resume ? algorithms::LoadResumeConfig(opt.resume, opt.overrides) : config::LoadConfig(load);
  if (!opt.config_path.empty()) run.config_source = opt.config_path;
  run.overrides = opt.overrides;
  run.out = resume ? opt.resume : opt.out;
  run.resume = resume;
  run.device = opt.device;
  run.label = opt.label;

  Progress progress(stderr, !opt.quiet);
  Progress lines(stdout, true);
  const int episodes = run.config.pets.episodes;
  std::string phase;
  double mpc_wall = 0;
  int mpc_episodes = 0;
  double last_wall = 0;
  algorithms::PetsHooks hooks;
  hooks.on_phase = [&](const std::string& p) {
    phase = p;
    progress.Update(p + "...");
  };
  hooks.on_step = [&](int ep, int step, int length, double ret) {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "episode %d/%d  step %d/%d  return %.2f  [%s]", ep, episodes,
                  step, length, ret, phase.c_str());
    progress.Update(buf);
  };
  hooks.on_episode = [&](const algorithms::EpisodeMetrics& m) {
    const double took = m.wall_s - last_wall;
    last_wall = m.wall_s;
    if (!m.random) {
      mpc_wall += took;
      ++mpc_episodes;
    }
    const double per = mpc_episodes > 0 ? mpc_wall / mpc_episodes : took;
    const double eta = per * (episodes - m.episode);
    progress.Clear();
    lines.Line(algorithms::EpisodeLine(m, episodes) + "  took " + FormatDuration(took) +
               "  ETA " + FormatDuration(eta));
  };
  hooks.on_resume = [&](int, double wall_s) { last_wall = wall_s; };
  // Ctrl-C / SIGTERM: finish the current step, save the partial episode, exit 130.
  hooks.should_stop = [] { return StopRequested(); };
  InstallStopSignals();
  const auto on_start = [](const algorithms::TrainRunStart& start) {
    std::printf("run directory: %s\n", start.out.c_str());
    if (start.resumed_after >= 0) {
      std::printf("resuming after episode %d of %d (anything saved of a later, unfinished "
                  "episode is dropped; that episode runs again)\n",
                  start.resumed_after, start.episodes);
    }
    std::fflush(stdout);
  };
  const auto result = algorithms::TrainRun(run, hooks, on_start, [](const std::string& warning) {
    std::fprintf(stderr, "warning: %s\n", warning.c_str());
  });
  if (result.already_complete) {
    std::printf("run directory: %s\nalready complete: %d of %d episodes (extend it with --set "
                "pets.episodes=N)\n",
                result.out.c_str(), result.complete_episodes, episodes);
    return 0;
  }
  if (result.interrupted) {
    std::fprintf(stderr, "interrupted: data up to the last step is saved in %s\n",
                 result.out.c_str());
    return 130;
  }
  std::printf("done: %s/metrics.csv\n", result.out.c_str());
  return 0;
}

}  // namespace

std::function<int()> AddTrainCommand(CLI::App& app) {
  auto opt = std::make_shared<TrainOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Run PETS (model learning + MPC) on a task");
  cmd->add_option("-c,--config", opt->config_path,
                  "YAML config file (default: built-in cartpole_swingup with cem)");
  cmd->add_option("-p,--planner", opt->planner,
                  "planner NAME at its defaults (e.g. cem-gd), or --planner-dir's NAME.yaml");
  cmd->add_option("--planner-dir", opt->planner_dir,
                  "where --planner's preset NAME.yaml files are (default: configs/planner beside "
                  "the config, where there is one), e.g. configs/paper/planners for the paper's "
                  "cem50, cem500, cem5000");
  cmd->add_option("--label", opt->label,
                  "the run's name in plots: written to label.txt in the run directory");
  cmd->add_option("-s,--set", opt->overrides,
                  "override a config field, repeatable: --set planner.population=200 --set seed=3")
      ->take_all();
  cmd->add_option("-d,--device", opt->device, "cpu or cuda (cuda falls back to cpu with a warning)")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_option("-o,--out", opt->out,
                  "run directory (default: runs/<task>/<planner>/<timestamp>); must not hold a run");
  cmd->add_option("--resume", opt->resume,
                  "continue the run in this directory from its last complete episode (its "
                  "config.yaml; --set may change only pets.episodes)");
  cmd->add_flag("-q,--quiet", opt->quiet, "no live step counter (episode lines still print)");
  return [opt]() { return RunTrain(*opt); };
}

}  // namespace mbrl::app
