// `mbrl sweep`: a grid of training runs (planner x seed, with shared overrides), run as child
// processes of this binary N at a time, or as one Slurm array job; the same command again skips
// finished runs and resumes interrupted ones. The grid and the launchers are runs/.
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "mbrl/core/error.h"
#include "mbrl/runs/grid.h"
#include "mbrl/runs/launcher.h"

namespace mbrl::app {
namespace {

struct SweepOptions {
  runs::SweepSpec spec;
  int jobs = 1;
  std::string launcher = "local";
  std::vector<std::string> sbatch_args;
  bool dry_run = false;
  int cell = -1;  // run only this cell of the grid (what each Slurm array task does)
};

int RunSweep(const SweepOptions& opt) {
  // The launcher's own options are checked before the grid, which sets up the directory.
  if (opt.launcher != "local" && opt.launcher != "slurm") {
    throw ConfigError("--launcher: expected local or slurm, got '" + opt.launcher + "'");
  }
  if (opt.launcher != "slurm" && (opt.dry_run || !opt.sbatch_args.empty())) {
    throw ConfigError("--dry-run and --sbatch go with --launcher slurm");
  }
  std::unique_ptr<runs::Launcher> launcher;
  if (opt.launcher == "slurm") {
    launcher = std::make_unique<runs::SlurmLauncher>(opt.sbatch_args, opt.dry_run);
  } else {
    launcher = std::make_unique<runs::LocalLauncher>(opt.jobs);
  }
  runs::Grid grid = runs::LoadGrid(opt.spec);
  if (opt.cell >= 0) return runs::RunOneCell(opt.spec, grid, opt.cell);
  return launcher->Run(opt.spec, grid);
}

}  // namespace

std::function<int()> AddSweepCommand(CLI::App& app) {
  auto opt = std::make_shared<SweepOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run a grid of training runs (planners x seeds), N at a time; rerun to continue");
  cmd->add_option("-c,--config", opt->spec.config_path, "YAML config of every run")->required();
  cmd->add_option("--planners", opt->spec.planners,
                  "comma-separated planners, each at its defaults or --planner-dir's NAME.yaml "
                  "(default: the config's)");
  cmd->add_option("--planner-dir", opt->spec.planner_dir,
                  "where the planners' preset NAME.yaml files are (default: configs/planner "
                  "beside the config, where there is one), e.g. configs/paper/planners for "
                  "cem50,cem500,cem5000");
  cmd->add_option("--seeds", opt->spec.seeds, "seeds: 0-4, or 0,3,7")->capture_default_str();
  cmd->add_option("-s,--set", opt->spec.overrides, "override for every run, repeatable")->take_all();
  cmd->add_option("-j,--jobs", opt->jobs, "runs at a time")->capture_default_str();
  cmd->add_option("-o,--out", opt->spec.out, "sweep directory: one run directory per cell")
      ->required();
  cmd->add_option("--launcher", opt->launcher,
                  "local: child processes here; slurm: one Slurm array job (sbatch)")
      ->capture_default_str();
  cmd->add_option("--sbatch", opt->sbatch_args,
                  "an #SBATCH line for the job script, repeatable, e.g. --sbatch=--time=04:00:00 "
                  "--sbatch=--partition=gpu --sbatch=--gres=gpu:1");
  cmd->add_flag("--dry-run", opt->dry_run,
                "with --launcher slurm: write DIR/slurm/sweep.sbatch, do not submit it");
  cmd->add_option("--cell", opt->cell,
                  "run only the grid's cell INDEX (what each Slurm array task runs)");
  return [opt]() { return RunSweep(*opt); };
}

}  // namespace mbrl::app
