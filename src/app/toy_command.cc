// `mbrl toy`: the CEM-GD paper's toy-barrier study (Figure 2c).
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "commands.h"
#include "mbrl/core/error.h"
#include "mbrl/core/progress.h"
#include "mbrl/core/strings.h"
#include "mbrl/core/timer.h"
#include "mbrl/experiments/toy_study.h"

namespace mbrl::app {
namespace {

struct ToyOptions {
  std::string n_init = "10,50,100,500,1000,5000";
  std::string examples = "50,500";  // N_init values whose example episodes paths.csv keeps
  experiments::ToyStudyOptions study;
  std::string out = "results/toy_barrier";
  bool quiet = false;
};

std::vector<int> ParseIntList(const std::string& text, const std::string& flag) {
  std::vector<int> values;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    try {
      size_t used = 0;
      const int v = std::stoi(item, &used);
      if (used != item.size() || v < 1) throw std::invalid_argument("");
      values.push_back(v);
    } catch (const std::exception&) {
      throw ConfigError(flag + ": expected a comma-separated list of positive integers, got '" +
                        text + "'");
    }
  }
  if (values.empty()) throw ConfigError(flag + ": expected at least one value");
  return values;
}

int RunToy(ToyOptions opt) {
  opt.study.n_init = ParseIntList(opt.n_init, "--n-init");
  std::error_code ec;
  std::filesystem::create_directories(opt.out, ec);
  if (ec) throw Error("cannot create " + opt.out + ": " + ec.message());

  const std::vector<int> examples = ParseIntList(opt.examples, "--examples");
  Progress progress(stderr, !opt.quiet);
  const int total = static_cast<int>(opt.study.n_init.size()) * opt.study.trials;
  int done = 0;
  experiments::ToyStudyFiles files(examples);
  Stopwatch timer;
  const auto rows = experiments::RunToyStudy(
      opt.study, [&](int n_init, int trial, const experiments::ToyTrial& t) {
        files.AddTrial(n_init, trial, t);
        ++done;
        const double eta = timer.Seconds() / done * (total - done);
        progress.Update(Format("toy: N_init %d  trial %d/%d  (%d/%d, ETA %s)", n_init, trial + 1,
                               opt.study.trials, done, total, FormatDuration(eta).c_str()));
      });
  progress.Clear();
  files.Write(opt.out, rows, opt.study.n_r);
  std::printf("%8s %6s %8s %8s %12s\n", "N_init", "N_r", "trials", "below", "fraction");
  for (const auto& r : rows) {
    std::printf("%8d %6d %8d %8d %12.3f\n", r.n_init, opt.study.n_r, r.trials, r.below,
                r.fraction);
  }
  std::printf("wrote success.csv, trials.csv, paths.csv and task.csv in %s (%.0f s); plot: "
              "/usr/bin/python3 scripts/plot_toy.py %s\n",
              opt.out.c_str(), timer.Seconds(), opt.out.c_str());
  return 0;
}

}  // namespace

std::function<int()> AddToyCommand(CLI::App& app) {
  auto opt = std::make_shared<ToyOptions>();
  CLI::App* cmd = app.add_subcommand(
      "toy", "Toy barrier study (CEM-GD Fig. 2c): fraction of CEM-GD episodes passing below the "
             "barrier for each N_init");
  cmd->add_option("--n-init", opt->n_init, "comma-separated N_init values")->capture_default_str();
  cmd->add_option("--examples", opt->examples,
                  "N_init values whose first failed and first successful episodes paths.csv keeps")
      ->capture_default_str();
  cmd->add_option("--trials", opt->study.trials, "episodes per N_init")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--n-r", opt->study.n_r, "samples at every later step")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--steps", opt->study.steps, "MPC steps per episode")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--horizon", opt->study.horizon, "planning horizon")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--seed", opt->study.seed, "base seed")->capture_default_str();
  cmd->add_option("--cem-iterations", opt->study.cem_iterations,
                  "CEM iterations sharing each step's samples")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--eta-init", opt->study.line_search.eta_init, "line search: first step size")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--grad-steps", opt->study.line_search.grad_steps, "gradient updates (G)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("-o,--out", opt->out,
                  "output directory (success.csv, trials.csv, paths.csv, task.csv)")
      ->capture_default_str();
  cmd->add_flag("-q,--quiet", opt->quiet, "no live progress line");
  return [opt]() { return RunToy(*opt); };
}

}  // namespace mbrl::app
