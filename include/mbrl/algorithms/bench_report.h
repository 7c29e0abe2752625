#pragma once
// The planner bench's reports: the CEM-GD paper's numbers beside ours, as CSV and Markdown, and
// one cell's result as JSON (cells run in child processes).
#include <optional>
#include <string>
#include <vector>

#include "mbrl/algorithms/planner_bench.h"

namespace mbrl::algorithms {

/// The paper's numbers for one task and planner label.
struct PaperNumbers {
  double time_s;     ///< Table 1: average planning time per step (s)
  double memory_mb;  ///< Table 2: peak memory (MB)
};

/// Table 1 and 2 of the CEM-GD paper for labels cem50, cem500, cem5000, cem-gd on
/// cartpole_swingup, half_cheetah, humanoid_standup, pusher; nullopt for anything else.
std::optional<PaperNumbers> PaperPlannerNumbers(const std::string& task, const std::string& label);

/// CSV (header + one row per result, with the paper's columns) and a Markdown table.
std::string BenchCsv(const std::vector<PlannerBenchResult>& results);
std::string BenchMarkdown(const std::vector<PlannerBenchResult>& results);
/// One result as a JSON object and back (cells run in child processes).
std::string BenchResultToJson(const PlannerBenchResult& result);
PlannerBenchResult BenchResultFromJson(const std::string& text);

}  // namespace mbrl::algorithms
