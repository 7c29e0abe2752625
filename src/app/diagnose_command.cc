// `mbrl diagnose RUN`: what the model that planned each episode gets wrong, and how far the
// planner's predicted returns are from the real ones (algorithms/diagnose.h).
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "commands.h"
#include "mbrl/algorithms/diagnose.h"
#include "mbrl/core/error.h"
#include "mbrl/core/find_program.h"
#include "mbrl/core/process.h"

namespace mbrl::app {
namespace {

struct DiagnoseCli {
  algorithms::DiagnoseOptions options;
  std::string episodes;  // "a-b" or "a"
  bool plots = true;
};

void ParseEpisodes(const std::string& text, algorithms::DiagnoseOptions& options) {
  if (text.empty()) return;
  int a = 0, b = 0;
  char dash = 0, extra = 0;
  const int n = std::sscanf(text.c_str(), "%d%c%d%c", &a, &dash, &b, &extra);
  if (n == 1) b = a;
  if (!((n == 1) || (n == 3 && dash == '-')) || a < 1 || b < a) {
    throw ConfigError("--episodes '" + text + "': expected an episode (5) or a range (3-8), "
                      "from 1 up");
  }
  options.first_episode = a;
  options.last_episode = b;
}

// The plots' script: mbrl/plot_diagnosis.py of this build's or install's package, else of the
// source tree beside build/.
std::string PlotScript() {
  namespace fs = std::filesystem;
  const std::string dir = PythonModuleDir();
  const fs::path bin = fs::path(SelfPath()).parent_path();
  for (const fs::path& p : {fs::path(dir.empty() ? "/nonexistent" : dir) / "mbrl",
                            bin / ".." / "src" / "python" / "mbrl"}) {
    std::error_code ec;
    if (fs::exists(p / "plot_diagnosis.py", ec)) {
      return fs::weakly_canonical(p / "plot_diagnosis.py", ec).string();
    }
  }
  return "";
}

int RunDiagnose(DiagnoseCli cli) {
  ParseEpisodes(cli.episodes, cli.options);
  auto& opt = cli.options;
  if (opt.horizon < 0) throw ConfigError("--horizon: expected a number of steps >= 1");
  std::fprintf(stderr, "diagnose %s: scoring the models that planned its MPC episodes...\n",
               opt.run_dir.c_str());
  const auto result = algorithms::DiagnoseRun(opt);
  std::printf("episode  1-step error  %d-step error  in 1σ (68%%)  in 2σ (95%%)  "
              "spread~error  predicted - real return\n",
              result.models.empty() ? 0 : static_cast<int>(result.models[0].mean_error.size()));
  for (size_t i = 0; i < result.episodes.size(); ++i) {
    const auto& d = result.models[i];
    double gap = 0;
    for (const auto& r : result.optimism[i]) gap += r.predicted - r.real;
    const size_t n = result.optimism[i].size();
    char optimism[64] = "(no plan with a full horizon)";
    if (n) std::snprintf(optimism, sizeof(optimism), "%.3f", gap / n);
    std::printf("%7d  %12.3f  %12.3f  %11.2f  %11.2f  %12.2f  %s\n", result.episodes[i],
                d.mean_error.front(), d.mean_error.back(), d.within_1sigma.front(),
                d.within_2sigma.front(), d.rank_correlation.front(), optimism);
  }
  std::printf("wrote %s/{error,calibration,disagreement,optimism,summary}.csv\n",
              result.out.c_str());
  if (!cli.plots) return 0;
  const std::string script = PlotScript();
  // The Python with matplotlib: MBRL_PLOT_PYTHON, else Debian's /usr/bin/python3, else PATH's.
  std::string python = std::getenv("MBRL_PLOT_PYTHON") ? std::getenv("MBRL_PLOT_PYTHON") : "";
  std::error_code ec;
  if (python.empty() && std::filesystem::exists("/usr/bin/python3", ec)) python = "/usr/bin/python3";
  if (python.empty()) python = FindOnPath("python3");
  std::fflush(stdout);
  if (script.empty() || python.empty()) {
    std::printf("plots: python3 src/python/mbrl/plot_diagnosis.py %s (needs matplotlib)\n",
                result.out.c_str());
    return 0;
  }
  const int rc = WaitChild(StartChild({python, script, result.out}));
  if (rc != 0) {
    std::fprintf(stderr, "warning: %s %s failed (exit %d; it needs matplotlib, and "
                 "MBRL_PLOT_PYTHON names a Python that has it); the CSV files are written\n",
                 python.c_str(), script.c_str(), rc);
  }
  return 0;
}

}  // namespace

std::function<int()> AddDiagnoseCommand(CLI::App& app) {
  auto cli = std::make_shared<DiagnoseCli>();
  auto* cmd = app.add_subcommand(
      "diagnose", "What the model that planned each MPC episode gets wrong on that episode's real "
                  "transitions, and the planner's predicted against real returns");
  cmd->add_option("run", cli->options.run_dir, "run directory")->required();
  cmd->add_option("--episodes", cli->episodes,
                  "MPC episodes to score: N or A-B (default: every one whose model was kept)");
  cmd->add_option("--horizon", cli->options.horizon,
                  "steps ahead of each real state (default: the run's agent.horizon)");
  cmd->add_option("-o,--out", cli->options.out, "output folder (default: RUN/diagnosis)");
  cmd->add_flag("!--no-plots", cli->plots, "write the CSV files only");
  return [cli] { return RunDiagnose(*cli); };
}

}  // namespace mbrl::app
