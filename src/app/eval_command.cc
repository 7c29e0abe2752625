// `mbrl eval`: MPC episodes with a saved run's model and any planner, no training.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "commands.h"
#include "mbrl/algorithms/evaluate.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/atomic_file.h"
#include "mbrl/core/device.h"
#include "mbrl/core/error.h"
#include "mbrl/core/progress.h"
#include "mbrl/core/video.h"
#include "mbrl/env/film.h"
#include "mbrl/env/registry.h"

namespace mbrl::app {
namespace {

struct EvalOptions {
  std::string run_dir;
  std::string planner;
  std::string planner_dir = "configs/planner";
  std::vector<std::string> overrides;
  int episodes = 5;
  int64_t seed = -1;
  std::string device;
  bool quiet = false;
  std::string out;  // empty: RUN_DIR/eval/<planner name>
  std::string video;
  std::string video_size = "640x480";
  double fps = 0;  // 0: the env's control rate
};

// "WIDTHxHEIGHT" with even sizes (H.264), or a ConfigError naming the flag.
std::pair<int, int> ParseVideoSize(const std::string& text) {
  int width = 0, height = 0;
  char extra = 0;
  if (std::sscanf(text.c_str(), "%dx%d%c", &width, &height, &extra) != 2 || width < 16 ||
      height < 16 || width > 4096 || height > 4096 || width % 2 || height % 2) {
    throw ConfigError("--video-size '" + text + "': expected WIDTHxHEIGHT, even numbers from 16 "
                      "to 4096 (e.g. 640x480)");
  }
  return {width, height};
}

int RunEval(const EvalOptions& opt) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(opt.run_dir, ec)) {
    throw ConfigError("eval " + opt.run_dir + ": no such run directory");
  }
  const std::string config_path = opt.run_dir + "/config.yaml";
  if (!fs::exists(config_path, ec)) {
    throw ConfigError("eval " + opt.run_dir + ": no config.yaml here (not a run directory)");
  }
  const std::string model_path = opt.run_dir + "/model.pt";
  if (!fs::exists(model_path, ec)) {
    throw ConfigError("eval " + opt.run_dir + ": no trained model (model.pt) here: a run saves "
                      "it after each episode unless pets.save_model is false");
  }
  std::unique_ptr<env::EpisodeFilm> filming;
  if (!opt.video.empty()) {
    const auto size = ParseVideoSize(opt.video_size);
    if (!(opt.fps >= 0)) throw ConfigError("--fps: expected a positive frame rate");
    const fs::path parent = fs::absolute(opt.video).parent_path();
    if (!fs::is_directory(parent, ec)) {
      throw ConfigError("--video " + opt.video + ": no such directory " + parent.string());
    }
    RequireFfmpeg();
    filming = std::make_unique<env::EpisodeFilm>(opt.video, size, opt.fps);
  }
  config::LoadOptions load{config_path, opt.planner, opt.overrides};
  load.planner_dir = opt.planner_dir;
  config::Config config = config::LoadConfig(load);
  if (opt.seed >= 0) config.seed = opt.seed;
  if (!opt.device.empty()) config.device = opt.device;
  const DeviceChoice device =
      ResolveDevice(config.device, opt.device.empty() ? config_path + ": device" : "--device");
  if (!device.warning.empty()) std::fprintf(stderr, "warning: %s\n", device.warning.c_str());

  // Named after --planner when given, so that labels of one type (cem50, cem500) do not
  // overwrite each other. Made before the episodes run, so that a bad --out costs nothing.
  const std::string out_dir =
      !opt.out.empty() ? opt.out
                       : opt.run_dir + "/eval/" +
                             (opt.planner.empty() ? config.planner.type() : opt.planner);
  // The outermost directory this creates (empty when out_dir exists already).
  fs::path first_new;
  for (fs::path p = fs::absolute(out_dir, ec); !p.empty() && !fs::exists(p, ec);
       p = p.parent_path()) {
    first_new = p;
    if (p == p.parent_path()) break;
  }
  fs::create_directories(out_dir, ec);
  if (ec || !fs::is_directory(out_dir)) {
    throw ConfigError((opt.out.empty() ? std::string("eval: ") : std::string("--out ")) + out_dir +
                      ": cannot create this directory" + (ec ? " (" + ec.message() + ")" : ""));
  }

  // A refusal during the episodes (e.g. --video on a task without a MuJoCo scene) leaves no
  // empty directory behind.
  struct RemoveIfUnused {
    fs::path dir, first_new;
    ~RemoveIfUnused() {
      std::error_code ignored;
      if (first_new.empty()) return;
      for (fs::path p = dir; fs::is_directory(p, ignored) && fs::is_empty(p, ignored);
           p = p.parent_path()) {
        fs::remove(p, ignored);
        if (p == first_new) break;
      }
    }
  } cleanup{fs::absolute(out_dir, ec), first_new};

  Progress progress(stderr, !opt.quiet);
  std::optional<data::ReplayBuffer> transitions;
  const auto episodes = algorithms::EvaluateModel(
      config, device.device, model_path, opt.episodes,
      [&](int ep, int step, int length, double ret) {
        char buf[160];
        std::snprintf(buf, sizeof(buf), "eval episode %d/%d  step %d/%d  return %.2f", ep,
                      opt.episodes, step, length, ret);
        progress.Update(buf);
      },
      filming ? algorithms::EvalFrameHook([&](const env::Env& env) { filming->Frame(env); })
              : algorithms::EvalFrameHook(),
      &transitions);
  progress.Clear();
  const int frames = filming ? filming->Close() : 0;
  transitions->Save(out_dir + "/transitions.bin");  // replay_buffer.bin's format
  WriteTextAtomically(out_dir + "/eval.csv", algorithms::EvalCsv(episodes));
  WriteTextAtomically(out_dir + "/config.yaml", config::ConfigToYaml(config));

  double sum = 0, sum_sq = 0;
  for (const auto& e : episodes) {
    std::printf("episode %d: return %.2f, %d steps, plan %.1f ms/step\n", e.episode,
                e.episode_return, e.steps, e.plan_ms);
    sum += e.episode_return;
  }
  const double mean = sum / episodes.size();
  for (const auto& e : episodes) sum_sq += (e.episode_return - mean) * (e.episode_return - mean);
  const double std_dev = std::sqrt(sum_sq / episodes.size());
  std::printf("%s on %s: return %.2f ± %.2f over %zu episodes (seed %lld) -> %s/eval.csv\n",
              config.planner.type().c_str(), env::TaskLabel(config).c_str(), mean, std_dev,
              episodes.size(), static_cast<long long>(config.seed), out_dir.c_str());
  if (filming) std::printf("video: %d frames -> %s\n", frames, opt.video.c_str());
  return 0;
}

}  // namespace

std::function<int()> AddEvalCommand(CLI::App& app) {
  auto opt = std::make_shared<EvalOptions>();
  CLI::App* cmd = app.add_subcommand(
      "eval", "Run MPC episodes with a saved run's model and any planner (no training)");
  cmd->add_option("run_dir", opt->run_dir, "the run directory (config.yaml, model.pt)")
      ->required();
  cmd->add_option("-p,--planner", opt->planner,
                  "planner: loads <planner-dir>/NAME.yaml into the planner section (default: the "
                  "run's own planner)");
  cmd->add_option("--planner-dir", opt->planner_dir, "where NAME.yaml files are")
      ->capture_default_str();
  cmd->add_option("-s,--set", opt->overrides, "override a config field, repeatable")->take_all();
  cmd->add_option("-n,--episodes", opt->episodes, "episodes to run")->capture_default_str();
  cmd->add_option("--seed", opt->seed, "seed for the env resets and the planner (default: the run's)");
  cmd->add_option("-d,--device", opt->device, "cpu or cuda")
      ->check(CLI::IsMember({"cpu", "cuda"}));
  cmd->add_flag("-q,--quiet", opt->quiet, "no live step counter");
  cmd->add_option("-o,--out", opt->out,
                  "where eval.csv and config.yaml go (default: RUN_DIR/eval/<planner name>)");
  cmd->add_option("--video", opt->video,
                  "film the episodes into this MP4 file (offscreen MuJoCo rendering with OSMesa, "
                  "encoded by ffmpeg; one frame per reset and per step)");
  cmd->add_option("--video-size", opt->video_size, "video frame size, WIDTHxHEIGHT")
      ->capture_default_str();
  cmd->add_option("--fps", opt->fps, "video frame rate (default: the task's control rate)");
  return [opt]() { return RunEval(*opt); };
}

}  // namespace mbrl::app
