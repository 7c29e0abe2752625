#include "mbrl/algorithms/bench_report.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "mbrl/core/error.h"

namespace mbrl::algorithms {
namespace {

std::string Fixed(double v, int digits) {
  if (std::isnan(v)) return "";
  std::ostringstream out;
  out.setf(std::ios::fixed);
  out.precision(digits);
  out << v;
  return out.str();
}

// "name=value;name=value" (values with one decimal), for a CSV cell.
std::string Joined(const std::map<std::string, double>& values) {
  std::string out;
  for (const auto& [name, value] : values) {
    out += (out.empty() ? "" : ";") + name + "=" + Fixed(value, 1);
  }
  return out;
}

}  // namespace

std::optional<PaperNumbers> PaperPlannerNumbers(const std::string& task, const std::string& label) {
  // Columns: cartpole, half-cheetah, humanoid, pusher (paper.md, Tables 1 and 2).
  static const std::vector<std::string> kTasks = {"cartpole_swingup", "half_cheetah",
                                                  "humanoid_standup", "pusher"};
  static const std::map<std::string, std::vector<PaperNumbers>> kNumbers = {
      {"cem50", {{0.36, 7.2}, {0.36, 8.1}, {0.39, 9.9}, {0.36, 8.3}}},
      {"cem500", {{0.39, 12.9}, {0.39, 14.3}, {0.41, 17.3}, {0.38, 14.4}}},
      {"cem5000", {{3.35, 12.9}, {3.38, 14.3}, {3.44, 17.3}, {3.33, 14.4}}},
      {"cem-gd", {{2.18, 11.4}, {2.63, 12.2}, {2.59, 14.3}, {2.58, 12.4}}},
  };
  const auto row = kNumbers.find(label);
  const auto col = std::find(kTasks.begin(), kTasks.end(), task);
  if (row == kNumbers.end() || col == kTasks.end()) return std::nullopt;
  return row->second[static_cast<size_t>(col - kTasks.begin())];
}

namespace {
// The paper's numbers apply to its horizon only.
std::optional<PaperNumbers> PaperFor(const PlannerBenchResult& r) {
  if (r.horizon != 45) return std::nullopt;
  return PaperPlannerNumbers(r.task, r.label);
}
}  // namespace

std::string BenchCsv(const std::vector<PlannerBenchResult>& results) {
  std::string out =
      "task,planner,type,device,horizon,steps,first_ms,mean_ms,median_ms,later_mean_ms,"
      "episode_length,episode_mean_s,peak_mb,peak_rss_mb,ops_per_step,syncs_per_step,sync_ops,"
      "memory_probe,"
      "paper_time_s,paper_memory_mb,later_stats\n";
  for (const auto& r : results) {
    const auto paper = PaperFor(r);
    out += r.task + "," + r.label + "," + r.planner + "," + r.device + "," +
           std::to_string(r.horizon) + "," + std::to_string(r.steps) + "," + Fixed(r.first_ms, 1) +
           "," + Fixed(r.mean_ms, 1) + "," + Fixed(r.median_ms, 1) + "," +
           Fixed(r.later_mean_ms, 1) + "," + std::to_string(r.episode_length) + "," +
           Fixed(r.episode_mean_ms / 1000.0, 3) + "," + Fixed(r.peak_mb, 1) + "," +
           Fixed(r.peak_rss_mb, 1) + "," + Fixed(r.ops_per_step, 0) + "," +
           Fixed(r.syncs_per_step, 0) + "," + Joined(r.sync_ops) + "," + r.memory_probe + "," +
           (paper ? Fixed(paper->time_s, 2) : "") + "," +
           (paper ? Fixed(paper->memory_mb, 1) : "") + ",";
    out += Joined(r.later_stats) + "\n";
  }
  return out;
}

std::string BenchMarkdown(const std::vector<PlannerBenchResult>& results) {
  std::string out =
      "| task | planner | t=0 step (s) | later steps, mean (s) | median (s) | per step over an "
      "episode (s) | paper time (s) | peak memory (MB) | paper memory (MB) | peak RSS (MB) | ops "
      "per step | host syncs per step |\n"
      "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : results) {
    const auto paper = PaperFor(r);
    out += "| " + r.task + " | " + r.label + " | " + Fixed(r.first_ms / 1000, 3) + " | " +
           Fixed(r.later_mean_ms / 1000, 3) + " | " + Fixed(r.median_ms / 1000, 3) + " | " +
           Fixed(r.episode_mean_ms / 1000, 3) + " | " + (paper ? Fixed(paper->time_s, 2) : "") +
           " | " + Fixed(r.peak_mb, 1) + " | " + (paper ? Fixed(paper->memory_mb, 1) : "") + " | " +
           (r.memory_probe == "cuda" ? "" : Fixed(r.peak_rss_mb, 1)) + " | " +
           Fixed(r.ops_per_step, 0) + " | " + Fixed(r.syncs_per_step, 0) + " |\n";
  }
  return out;
}

std::string BenchResultToJson(const PlannerBenchResult& r) {
  nlohmann::json j = {{"task", r.task},
                      {"label", r.label},
                      {"planner", r.planner},
                      {"device", r.device},
                      {"horizon", r.horizon},
                      {"steps", r.steps},
                      {"first_ms", r.first_ms},
                      {"mean_ms", r.mean_ms},
                      {"median_ms", r.median_ms},
                      {"later_mean_ms", r.later_mean_ms},
                      {"episode_length", r.episode_length},
                      {"episode_mean_ms", r.episode_mean_ms},
                      {"peak_mb", r.peak_mb},
                      {"memory_probe", r.memory_probe},
                      {"peak_rss_mb", r.peak_rss_mb},
                      {"ops_per_step", r.ops_per_step},
                      {"syncs_per_step", r.syncs_per_step},
                      {"sync_ops", r.sync_ops},
                      {"later_stats", r.later_stats}};
  return j.dump();
}

PlannerBenchResult BenchResultFromJson(const std::string& text) {
  try {
    const auto j = nlohmann::json::parse(text);
    PlannerBenchResult r;
    r.task = j.at("task");
    r.label = j.at("label");
    r.planner = j.at("planner");
    r.device = j.at("device");
    r.horizon = j.at("horizon");
    r.steps = j.at("steps");
    r.first_ms = j.at("first_ms");
    r.mean_ms = j.at("mean_ms");
    r.median_ms = j.at("median_ms");
    r.later_mean_ms = j.at("later_mean_ms");
    r.episode_length = j.at("episode_length");
    r.episode_mean_ms = j.at("episode_mean_ms");
    r.peak_mb = j.at("peak_mb");
    r.memory_probe = j.at("memory_probe");
    if (j.contains("peak_rss_mb")) r.peak_rss_mb = j.at("peak_rss_mb");
    if (j.contains("ops_per_step")) r.ops_per_step = j.at("ops_per_step");
    if (j.contains("syncs_per_step")) r.syncs_per_step = j.at("syncs_per_step");
    if (j.contains("sync_ops")) r.sync_ops = j.at("sync_ops").get<std::map<std::string, double>>();
    if (j.contains("later_stats")) {
      r.later_stats = j.at("later_stats").get<std::map<std::string, double>>();
    }
    return r;
  } catch (const nlohmann::json::exception& e) {
    throw Error(std::string("bench cell result is not valid JSON: ") + e.what());
  }
}

}  // namespace mbrl::algorithms
