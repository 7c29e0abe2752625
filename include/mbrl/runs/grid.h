#pragma once
// A sweep's grid: planners x seeds of one config with shared overrides, its directory
// (sweep.yaml, one run directory per cell, logs/) and its report status.csv. What a cell needs
// next (start, resume, nothing) is read from its run directory, never from status.csv, so losing
// status.csv loses nothing. Nothing here starts a process: the launchers do (runs/launcher.h).
#include <sys/types.h>

#include <string>
#include <vector>

namespace mbrl::runs {

/// What a sweep runs, as the command line gave it.
struct SweepSpec {
  std::string config_path;
  std::string planners;     ///< comma-separated; empty: the config's own planner
  std::string planner_dir;  ///< where the planners' NAME.yaml are; empty: configs/planner
  std::string seeds = "0-2";
  std::vector<std::string> overrides;  ///< --set key=value for every run
  std::string out;                     ///< the sweep directory
};

/// One run of the grid.
struct Cell {
  std::string planner;
  int seed = 0;
  std::string status = "pending";  ///< pending | queued | running | done | failed | interrupted
  int episodes_done = 0;
  int exit_code = -1;
  pid_t pid = 0;
  /// "<planner>/seed_<seed>": its run directory under the sweep's, and its row in status.csv.
  std::string name() const { return planner + "/seed_" + std::to_string(seed); }
};

/// The grid of one sweep command.
struct Grid {
  std::vector<std::string> planners;
  std::vector<int> seeds;
  std::vector<Cell> cells;  ///< planner-major: every seed of the first planner, then the next
  int episodes = 0;         ///< pets.episodes of every run
  std::string yaml;         ///< what sweep.yaml holds
};

/// "0-4" or "0,2,5" (or a mix) -> seeds; ConfigError naming --seeds otherwise.
std::vector<int> ParseSeeds(const std::string& text);

/// sweep.yaml of a grid: config, planners, planner_dir, seeds and overrides.
std::string SweepYaml(const SweepSpec& spec, const std::vector<std::string>& planners,
                      const std::vector<int>& seeds);
/// A sweep.yaml without its pets.episodes override: a rerun may change only that (to extend or
/// shorten every run).
std::string WithoutEpisodes(const std::string& yaml);

/// status.csv's text for `cells` (run,planner,seed,status,episodes_done,episodes,exit_code).
std::string StatusCsv(const std::vector<Cell>& cells, int episodes);
/// Sets each cell's status, episodes_done and exit code from status.csv's text where it has a row.
void ApplyStatusCsv(const std::string& text, std::vector<Cell>& cells);

/// Reads `out`/status.csv into `cells` where it has their rows (for launchers whose cells finish
/// elsewhere).
void ReadStatus(const std::string& out, std::vector<Cell>& cells);
/// Writes `out`/status.csv (atomically).
void WriteStatus(const std::string& out, const std::vector<Cell>& cells, int episodes);
/// Changes `cell`'s row of `out`/status.csv, under a lock shared by every process of the sweep
/// (Slurm array tasks may finish at the same moment).
void UpdateStatus(const std::string& out, const std::vector<Cell>& cells, const Cell& cell,
                  int episodes);

/// Checks the whole grid (every cell's config must load: an unknown planner or task, or a bad
/// --set, is a ConfigError before anything starts) and sets up its directory: sweep.yaml (a
/// directory that holds another grid is refused) and logs/.
Grid LoadGrid(const SweepSpec& spec);

/// The episodes `cell`'s checkpoint has completed (0 without one, or when it is damaged: its
/// resumed run then says what is wrong).
int EpisodesDone(const std::string& out, const Cell& cell);
/// What `cell`'s run directory says: done (every episode), resumable (a checkpoint), or to start
/// over (started, but without a complete episode: that directory is removed).
void Refresh(const std::string& out, const Grid& grid, Cell& cell);

/// The `mbrl train` command line of `cell` for the binary `self`: a new run, or --resume of its
/// checkpoint with the grid's episode count.
std::vector<std::string> TrainArgs(const SweepSpec& spec, const Grid& grid, const Cell& cell,
                                   const std::string& self);
/// `out`/logs/<planner>_seed_<seed>.log: the output of `cell`'s run.
std::string LogPath(const std::string& out, const Cell& cell);

}  // namespace mbrl::runs
