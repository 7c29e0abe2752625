#pragma once
// How a sweep's cells run: here, as child processes of this binary (`LocalLauncher`), or on a
// Slurm cluster as one array job whose tasks each run one cell (`SlurmLauncher`, and `RunOneCell`
// for the task itself). Every launcher starts a cell the same way (runs::TrainArgs), so a new
// run, a resumed one and one already done are decided in one place.
#include <memory>
#include <string>
#include <vector>

#include "mbrl/runs/grid.h"

namespace mbrl::runs {

/// Runs a sweep's grid; the return value is the sweep command's exit code.
class Launcher {
 public:
  virtual ~Launcher() = default;
  virtual int Run(const SweepSpec& spec, Grid& grid) = 0;
};

/// The cells as `mbrl train` children of this binary, `jobs` at a time, each with
/// OMP_NUM_THREADS = cores / jobs unless set; SIGINT or SIGTERM stops them (each saves its partial
/// episode) and exits 130. One local sweep at a time per directory.
class LocalLauncher : public Launcher {
 public:
  explicit LocalLauncher(int jobs);
  int Run(const SweepSpec& spec, Grid& grid) override;

 private:
  int jobs_;
};

/// Writes `out`/slurm/sweep.sbatch, one array job with one task per unfinished cell (its index in
/// the grid), and submits it with sbatch (not with `dry_run`); `sbatch_lines` are added as
/// #SBATCH lines. Refuses while the sweep's previous job is still queued or running.
class SlurmLauncher : public Launcher {
 public:
  SlurmLauncher(std::vector<std::string> sbatch_lines, bool dry_run);
  int Run(const SweepSpec& spec, Grid& grid) override;

 private:
  std::vector<std::string> sbatch_lines_;
  bool dry_run_;
};

/// One cell, as a Slurm array task runs it: new, resumed (after a requeue or a rerun) or, when
/// already finished, nothing. SIGTERM (scancel, preemption, time limit) stops the run after its
/// current step with its partial episode saved, for the next attempt to resume.
int RunOneCell(const SweepSpec& spec, Grid& grid, int index);

}  // namespace mbrl::runs
