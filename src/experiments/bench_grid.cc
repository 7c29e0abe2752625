#include "mbrl/experiments/bench_grid.h"

#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "mbrl/core/atomic_file.h"
#include "mbrl/core/error.h"
#include "mbrl/core/process.h"

namespace mbrl::experiments {

BenchGridResult RunBenchGrid(const std::vector<std::string>& tasks,
                             const std::vector<std::string>& planners, const std::string& stem,
                             const PaperTables* paper, const BenchGridHooks& hooks) {
  BenchGridResult grid;
  const size_t total = tasks.size() * planners.size();
  size_t index = 0;
  for (const auto& task : tasks) {
    for (const auto& planner : planners) {
      ++index;
      if (hooks.on_start) hooks.on_start(index, total, task, planner);
      const BenchCellOutcome outcome = hooks.run_cell(task, planner);
      if (hooks.on_done) hooks.on_done(outcome);
      if (!outcome.result) {
        const int code = outcome.exit_code;
        grid.failed.push_back(task + " " + planner + " (exit " + std::to_string(code) + ")");
        if (code == 130 || code == 128 + SIGINT || code == 128 + SIGTERM) {
          grid.stopped = true;
          return grid;
        }
        continue;
      }
      grid.results.push_back(*outcome.result);
      WriteTextAtomically(stem + ".csv", BenchCsv(grid.results, paper));
      WriteTextAtomically(stem + ".md", BenchMarkdown(grid.results, paper));
    }
  }
  return grid;
}

BenchCellOutcome RunBenchCellProcess(const std::vector<std::string>& command,
                                     const std::string& cell_json) {
  std::error_code ec;
  std::filesystem::remove(cell_json, ec);
  BenchCellOutcome outcome;
  outcome.exit_code = WaitChild(StartChild(command));
  if (outcome.exit_code != 0) return outcome;
  std::ifstream in(cell_json);
  if (!in) throw Error("bench cell: " + cell_json + " was not written by its process");
  std::stringstream text;
  text << in.rdbuf();
  outcome.result = algorithms::BenchResultFromJson(text.str());
  std::filesystem::remove(cell_json, ec);
  return outcome;
}

}  // namespace mbrl::experiments
