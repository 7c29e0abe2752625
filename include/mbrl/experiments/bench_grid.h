#pragma once
// The planner bench's loop over its cells (task x planner): each cell runs through the caller's
// function (`mbrl bench planners` starts a fresh process per cell, so that no cell's peak memory
// or allocator state carries into the next), and the CSV and Markdown reports are rewritten after
// every cell, so that an interrupted bench keeps what it has measured.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "mbrl/algorithms/planner_bench.h"
#include "mbrl/experiments/bench_report.h"

namespace mbrl::experiments {

/// What one cell gave: its result, or the exit code of the run that failed (0 with a result).
struct BenchCellOutcome {
  int exit_code = 0;
  std::optional<algorithms::PlannerBenchResult> result;
};

/// The bench's cells, the measured ones in order, and the ones that failed ("task planner (exit
/// N)"); `stopped` when a cell was ended by SIGINT or SIGTERM (the loop stops there).
struct BenchGridResult {
  std::vector<algorithms::PlannerBenchResult> results;
  std::vector<std::string> failed;
  bool stopped = false;
};

struct BenchGridHooks {
  /// Runs one cell (task, planner).
  std::function<BenchCellOutcome(const std::string& task, const std::string& planner)> run_cell;
  /// Called before each cell: its 1-based index, the number of cells, task, planner.
  std::function<void(size_t, size_t, const std::string&, const std::string&)> on_start;
  /// Called after each cell with its outcome.
  std::function<void(const BenchCellOutcome&)> on_done;
};

/// Runs every (task, planner) cell, tasks outermost; after each measured cell writes
/// `stem`.csv and `stem`.md (atomically) with every result so far and `paper`'s numbers beside them.
BenchGridResult RunBenchGrid(const std::vector<std::string>& tasks,
                             const std::vector<std::string>& planners, const std::string& stem,
                             const PaperTables* paper, const BenchGridHooks& hooks);

/// Runs `command` as a child process that writes its cell's result as JSON to `cell_json`
/// (`mbrl bench planners --cell-json FILE`), waits, and reads the result back.
BenchCellOutcome RunBenchCellProcess(const std::vector<std::string>& command,
                                     const std::string& cell_json);

}  // namespace mbrl::experiments
