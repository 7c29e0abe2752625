// `mbrl eval`: MPC episodes with a saved run's model and any planner, no training.
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "mbrl/algorithms/evaluate.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/error.h"
#include "mbrl/core/process.h"
#include "mbrl/core/progress.h"
#include "mbrl/env/registry.h"
#include "python_module.h"

namespace mbrl::app {
namespace {

struct EvalOptions : algorithms::EvalRunOptions {
  bool quiet = false;
  // A run of an environment written in Python: FILE.py:NAME or MODULE:NAME of each.
  std::string env, reward, terminated;
};

// True when RUN_DIR/config.yaml names the task "python" (an environment written in Python).
// A config that does not load is EvaluateRun's to report.
bool IsPythonRun(const std::string& run_dir) {
  try {
    return config::LoadConfig(config::LoadOptions(run_dir + "/config.yaml")).task ==
           env::kPythonTaskName;
  } catch (const Error&) {
    return false;
  }
}


// This binary cannot step a Python object: `python3 -m mbrl eval` (src/python/mbrl/__main__.py)
// takes the environment again and runs the same evaluation with the same options. Replaces this
// process; returns only by throwing.
[[noreturn]] void EvalInPython(const EvalOptions& opt) {
  if (opt.env.empty()) {
    throw ConfigError("eval " + opt.run_dir + ": its environment is written in Python: pass it "
                      "again with --env FILE.py:NAME (NAME() makes it) and --reward FILE.py:NAME, "
                      "and mbrl eval runs it through the Python module");
  }
  if (!MBRL_PYTHON_MODULE_BUILT) {
    throw ConfigError("--env: this mbrl was built without its Python module (CMake's 'Python "
                      "module:' line says why), which steps an environment written in Python");
  }
  // The Python whose `mbrl` command started this binary (a pip install's), else the build's.
  const char* python = std::getenv("MBRL_PYTHON");
  std::vector<std::string> args = {python && *python ? python : MBRL_PYTHON_EXECUTABLE, "-m",
                                   "mbrl", "eval", opt.run_dir,
                                   "--env", opt.env, "--planner-dir", opt.planner_dir,
                                   "--episodes", std::to_string(opt.episodes),
                                   "--video-size", opt.video_size, "--fps",
                                   std::to_string(opt.fps)};
  const auto add = [&](const char* flag, const std::string& value) {
    if (!value.empty()) args.insert(args.end(), {flag, value});
  };
  add("--reward", opt.reward);
  add("--terminated", opt.terminated);
  add("--planner", opt.planner);
  for (const auto& o : opt.overrides) add("--set", o);
  if (opt.seed >= 0) add("--seed", std::to_string(opt.seed));
  add("--device", opt.device);
  add("--out", opt.out);
  add("--video", opt.video);
  if (opt.quiet) args.push_back("--quiet");
  const std::string dir = PythonModuleDir();
  if (!dir.empty()) {
    const char* old = std::getenv("PYTHONPATH");
    setenv("PYTHONPATH", (old && *old ? dir + ":" + old : dir).c_str(), 1);
  }
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(nullptr);
  execv(argv[0], argv.data());
  throw Error(std::string("eval: cannot start ") + argv[0] + " (" + std::strerror(errno) + ")");
}

int RunEval(const EvalOptions& opt) {
  if (IsPythonRun(opt.run_dir)) EvalInPython(opt);
  std::error_code ec;
  if ((!opt.env.empty() || !opt.reward.empty() || !opt.terminated.empty()) &&
      std::filesystem::exists(opt.run_dir + "/config.yaml", ec)) {
    throw ConfigError("--env: " + opt.run_dir + " is not a run of an environment written in "
                      "Python (its config.yaml's task is not 'python'): leave --env, --reward and "
                      "--terminated out");
  }
  Progress progress(stderr, !opt.quiet);
  const auto result = algorithms::EvaluateRun(
      opt, algorithms::EvalProgressHook(progress, opt.episodes),
      [](const std::string& warning) { std::fprintf(stderr, "warning: %s\n", warning.c_str()); });
  progress.Clear();
  const auto& episodes = result.episodes;
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
              result.config.planner.type().c_str(), env::TaskLabel(result.config).c_str(), mean,
              std_dev, episodes.size(), static_cast<long long>(result.config.seed),
              result.out_dir.c_str());
  if (!opt.video.empty()) std::printf("video: %d frames -> %s\n", result.frames, opt.video.c_str());
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
                  "planner NAME at its defaults, or <planner-dir>/NAME.yaml where it exists "
                  "(default: the run's own planner)");
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
  cmd->add_option("--env", opt->env,
                  "a run of an environment written in Python: FILE.py:NAME or MODULE:NAME, "
                  "NAME() makes the environment (mbrl eval then runs through the Python module)");
  cmd->add_option("--reward", opt->reward, "with --env: FILE.py:NAME of its batched reward");
  cmd->add_option("--terminated", opt->terminated,
                  "with --env: FILE.py:NAME of its terminated(next_obs), if it has one");
  return [opt]() { return RunEval(*opt); };
}

std::string PythonModuleDir() {
  namespace fs = std::filesystem;
  const fs::path bin = fs::path(SelfPath()).parent_path();
  for (const fs::path& dir :
       {bin / "python", bin / ".." / MBRL_PYTHON_INSTALL_DIR, bin / ".." / ".."}) {
    std::error_code ec;
    if (fs::exists(dir / "mbrl" / "__init__.py", ec)) return fs::weakly_canonical(dir, ec).string();
  }
  return "";
}

}  // namespace mbrl::app
