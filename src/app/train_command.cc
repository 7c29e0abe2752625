// `mbrl train`: run PETS from a config.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "commands.h"
#include "mbrl/algorithms/checkpoint.h"
#include "mbrl/algorithms/pets.h"
#include "mbrl/algorithms/stack.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/atomic_file.h"
#include "mbrl/core/device.h"
#include "mbrl/core/error.h"
#include "mbrl/core/process.h"
#include "mbrl/core/strings.h"
#include "mbrl/core/progress.h"
#include "mbrl/env/registry.h"

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

std::string Timestamp() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%d-%H%M%S", &tm);
  return buf;
}

int RunTrain(const TrainOptions& opt) {
  const bool resume = !opt.resume.empty();
  if (resume && (!opt.config_path.empty() || !opt.planner.empty() || !opt.out.empty() ||
                 !opt.planner_dir.empty() || !opt.label.empty())) {
    throw ConfigError("--resume: takes the run directory's own config.yaml; --config, --planner, "
                      "--planner-dir, --label and --out do not apply");
  }
  config::LoadOptions load{opt.config_path, opt.planner, opt.overrides};
  load.planner_dir = opt.planner_dir;
  config::Config config =
      resume ? algorithms::LoadResumeConfig(opt.resume, opt.overrides) : config::LoadConfig(load);
  const std::string source = opt.config_path.empty() ? "<built-in defaults>" : opt.config_path;
  env::RequireKnownTask(config.task, source, opt.overrides);
  env::CheckTaskFiles(config);
  if (resume && !opt.device.empty() && opt.device != config.device) {
    throw ConfigError("--device " + opt.device + ": a resumed run keeps its device (" +
                      config.device + "): its random streams are that device's");
  }
  if (!opt.device.empty()) config.device = opt.device;
  const DeviceChoice device = ResolveDevice(config.device, opt.device.empty() ? source + ": device" : "--device");
  if (!device.warning.empty()) std::fprintf(stderr, "warning: %s\n", device.warning.c_str());
  config.device = device.device.is_cuda() ? "cuda" : "cpu";
  algorithms::UseCudaGraph(config.planner, device.device);  // refused before the run directory

  const std::string out = resume ? opt.resume
                           : opt.out.empty()
                               ? "runs/" + env::TaskLabel(config) + "/" + config.planner.type() + "/" + Timestamp()
                               : opt.out;
  std::error_code ec;
  if (!resume && std::filesystem::exists(out + "/metrics.csv", ec)) {
    throw ConfigError("--out " + out + ": this directory already holds a run (metrics.csv); "
                      "choose a new directory so nothing is overwritten, or continue it with "
                      "--resume " + out);
  }
  if (!opt.label.empty()) {
    // The run's name in plots (scripts/plot_runs.py), e.g. a sweep's "cem50" beside "cem500".
    std::filesystem::create_directories(out, ec);
    if (ec) throw ConfigError("--out " + out + ": cannot create (" + ec.message() + ")");
    WriteTextAtomically(out + "/label.txt", opt.label + "\n");
  }

  Progress progress(stderr, !opt.quiet);
  Progress lines(stdout, true);
  const int episodes = config.pets.episodes;
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
    char buf[256];
    std::snprintf(buf, sizeof(buf),
                  "episode %d/%d  steps %lld  return %8.2f  %s  plan %.1f ms/step  "
                  "model mse %.5f  took %s  ETA %s",
                  m.episode, episodes, static_cast<long long>(m.env_steps), m.episode_return,
                  m.interrupted ? "(stopped)" : m.random ? "(random)" : "(mpc)   ", m.plan_ms, m.holdout_loss,
                  FormatDuration(took).c_str(), FormatDuration(eta).c_str());
    progress.Clear();
    lines.Line(buf);
  };
  hooks.on_resume = [&](int, double wall_s) { last_wall = wall_s; };
  // Ctrl-C / SIGTERM: finish the current step, save the partial episode, exit 130.
  hooks.should_stop = [] { return StopRequested(); };
  InstallStopSignals();
  std::printf("run directory: %s\n", out.c_str());
  if (resume) {
    const int done = algorithms::CheckpointEpisode(out);
    if (done >= config.pets.episodes) {
      std::printf("already complete: %d of %d episodes (extend it with --set pets.episodes=N)\n",
                  done, config.pets.episodes);
      return 0;
    }
    std::printf("resuming after episode %d of %d (anything saved of a later, unfinished episode "
                "is dropped; that episode runs again)\n",
                done, config.pets.episodes);
  }
  std::fflush(stdout);
  const auto metrics = algorithms::RunPets(config, device.device, out, hooks, resume);
  if (!metrics.empty() && metrics.back().interrupted) {
    std::fprintf(stderr, "interrupted: data up to the last step is saved in %s\n", out.c_str());
    return 130;
  }
  std::printf("done: %s/metrics.csv\n", out.c_str());
  return 0;
}

}  // namespace

std::function<int()> AddTrainCommand(CLI::App& app) {
  auto opt = std::make_shared<TrainOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Run PETS (model learning + MPC) on a task");
  cmd->add_option("-c,--config", opt->config_path,
                  "YAML config file (default: built-in cartpole_swingup with cem)");
  cmd->add_option("-p,--planner", opt->planner,
                  "planner: loads configs/planner/NAME.yaml into the planner section (e.g. cem)");
  cmd->add_option("--planner-dir", opt->planner_dir,
                  "where --planner's NAME.yaml files are (default: configs/planner beside the "
                  "config), e.g. configs/paper/planners for the paper's cem50, cem500, cem5000");
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
