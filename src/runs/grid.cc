#include "mbrl/runs/grid.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "mbrl/algorithms/checkpoint.h"
#include "mbrl/config/loader.h"
#include "mbrl/core/atomic_file.h"
#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"
#include "mbrl/env/registry.h"

namespace mbrl::runs {
namespace fs = std::filesystem;

std::vector<int> ParseSeeds(const std::string& text) {
  std::vector<int> seeds;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    try {
      const auto dash = part.find('-', 1);
      if (dash == std::string::npos) {
        seeds.push_back(std::stoi(part));
      } else {
        const int a = std::stoi(part.substr(0, dash)), b = std::stoi(part.substr(dash + 1));
        if (b < a) throw std::invalid_argument("range");
        for (int s = a; s <= b; ++s) seeds.push_back(s);
      }
    } catch (const std::exception&) {
      throw ConfigError("--seeds: expected seeds like 0-4 or 0,3,7, got '" + text + "'");
    }
  }
  if (seeds.empty()) throw ConfigError("--seeds: no seeds in '" + text + "'");
  return seeds;
}

std::string SweepYaml(const SweepSpec& spec, const std::vector<std::string>& planners,
                      const std::vector<int>& seeds) {
  std::string y = "config: " + fs::absolute(spec.config_path).string() + "\nplanners: [" +
                  Join(planners) + "]\n";
  if (!spec.planner_dir.empty()) {
    y += "planner_dir: " + fs::absolute(spec.planner_dir).string() + "\n";
  }
  y += "seeds: [";
  for (size_t i = 0; i < seeds.size(); ++i) y += (i ? ", " : "") + std::to_string(seeds[i]);
  y += "]\nset:\n";
  for (const auto& o : spec.overrides) y += "  - \"" + o + "\"\n";
  return y;
}

std::string WithoutEpisodes(const std::string& yaml) {
  std::stringstream in(yaml);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.rfind("  - \"pets.episodes=", 0) != 0) out += line + "\n";
  }
  return out;
}

std::string StatusCsv(const std::vector<Cell>& cells, int episodes) {
  std::string csv = "run,planner,seed,status,episodes_done,episodes,exit_code\n";
  for (const auto& c : cells) {
    csv += c.name() + "," + c.planner + "," + std::to_string(c.seed) + "," + c.status + "," +
           std::to_string(c.episodes_done) + "," + std::to_string(episodes) + "," +
           (c.exit_code < 0 ? std::string() : std::to_string(c.exit_code)) + "\n";
  }
  return csv;
}

void ApplyStatusCsv(const std::string& text, std::vector<Cell>& cells) {
  std::stringstream in(text);
  std::string line;
  std::map<std::string, std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::stringstream fields(line);
    std::string x;
    while (std::getline(fields, x, ',')) f.push_back(x);
    if (f.size() >= 6) rows[f[0]] = f;
  }
  for (auto& c : cells) {
    const auto it = rows.find(c.name());
    if (it == rows.end()) continue;
    c.status = it->second[3];
    c.episodes_done = std::atoi(it->second[4].c_str());
    c.exit_code = it->second.size() > 6 && !it->second[6].empty()
                      ? std::atoi(it->second[6].c_str())
                      : -1;
  }
}

void ReadStatus(const std::string& out, std::vector<Cell>& cells) {
  std::ifstream in(out + "/status.csv");
  std::stringstream text;
  text << in.rdbuf();
  ApplyStatusCsv(text.str(), cells);
}

void WriteStatus(const std::string& out, const std::vector<Cell>& cells, int episodes) {
  WriteTextAtomically(out + "/status.csv", StatusCsv(cells, episodes));
}

void UpdateStatus(const std::string& out, const std::vector<Cell>& cells, const Cell& cell,
                  int episodes) {
  const int fd = open((out + "/.status.lock").c_str(), O_CREAT | O_RDWR, 0644);
  if (fd >= 0) flock(fd, LOCK_EX);
  std::vector<Cell> all = cells;
  ReadStatus(out, all);
  for (auto& c : all) {
    if (c.name() == cell.name()) c = cell;
  }
  WriteStatus(out, all, episodes);
  if (fd >= 0) close(fd);
}

Grid LoadGrid(const SweepSpec& spec) {
  if (spec.config_path.empty()) throw ConfigError("--config: a sweep needs a config file");
  if (spec.out.empty()) throw ConfigError("--out: a sweep needs an output directory");
  Grid grid;
  grid.seeds = ParseSeeds(spec.seeds);
  config::LoadOptions base_load{spec.config_path, "", spec.overrides};
  const config::Config base = config::LoadConfig(base_load);
  env::RequireKnownTask(base.task, spec.config_path, spec.overrides);
  env::CheckTaskFiles(base);
  grid.planners = spec.planners.empty() ? std::vector<std::string>{base.planner.type()}
                                        : SplitList(spec.planners);
  for (const auto& p : grid.planners) {
    try {
      config::LoadOptions load{spec.config_path, p, spec.overrides};
      load.planner_dir = spec.planner_dir;
      config::LoadConfig(load);
    } catch (const ConfigError& e) {
      std::string what = e.what();
      if (what.rfind("--planner:", 0) == 0) what = "--planners:" + what.substr(10);
      throw ConfigError(what);
    }
    for (int s : grid.seeds) grid.cells.push_back(Cell{p, s});
  }
  grid.episodes = base.pets.episodes;

  std::error_code ec;
  fs::create_directories(spec.out, ec);
  if (ec) throw ConfigError("--out " + spec.out + ": cannot create (" + ec.message() + ")");
  grid.yaml = SweepYaml(spec, grid.planners, grid.seeds);
  const std::string sweep_file = spec.out + "/sweep.yaml";
  if (fs::exists(sweep_file)) {
    std::ifstream in(sweep_file);
    std::stringstream old;
    old << in.rdbuf();
    if (WithoutEpisodes(old.str()) != WithoutEpisodes(grid.yaml)) {
      throw ConfigError("--out " + spec.out + ": holds another sweep (its sweep.yaml differs from "
                        "this command's grid); choose another --out, or rerun its own command "
                        "(only --set pets.episodes=N may change, to extend every run)");
    }
    if (old.str() != grid.yaml) {
      std::printf("episodes per run: %d now (the sweep's other settings unchanged)\n",
                  grid.episodes);
      WriteTextAtomically(sweep_file, grid.yaml);
    }
  } else {
    WriteTextAtomically(sweep_file, grid.yaml);
  }
  fs::create_directories(spec.out + "/logs", ec);
  return grid;
}

int EpisodesDone(const std::string& out, const Cell& cell) {
  try {
    return std::max(0, algorithms::CheckpointEpisode(out + "/" + cell.name()));
  } catch (const ConfigError&) {
    return 0;
  }
}

void Refresh(const std::string& out, const Grid& grid, Cell& cell) {
  const std::string dir = out + "/" + cell.name();
  std::error_code ec;
  cell.episodes_done = EpisodesDone(out, cell);
  if (cell.episodes_done >= grid.episodes) {
    cell.status = "done";
    cell.exit_code = 0;
  } else if (!algorithms::HasCheckpoint(dir)) {
    fs::remove_all(dir, ec);
  }
}

std::vector<std::string> TrainArgs(const SweepSpec& spec, const Grid& grid, const Cell& cell,
                                   const std::string& self) {
  const std::string dir = spec.out + "/" + cell.name();
  std::vector<std::string> args = {self, "train", "--quiet"};
  if (algorithms::HasCheckpoint(dir)) {
    args.insert(args.end(), {"--resume", dir, "--set",
                             "pets.episodes=" + std::to_string(grid.episodes)});
  } else {
    args.insert(args.end(), {"--config", spec.config_path, "--planner", cell.planner, "--label",
                             cell.planner, "--out", dir, "--set",
                             "seed=" + std::to_string(cell.seed)});
    if (!spec.planner_dir.empty()) args.insert(args.end(), {"--planner-dir", spec.planner_dir});
    for (const auto& o : spec.overrides) args.insert(args.end(), {"--set", o});
  }
  return args;
}

std::string LogPath(const std::string& out, const Cell& cell) {
  return out + "/logs/" + cell.planner + "_seed_" + std::to_string(cell.seed) + ".log";
}

}  // namespace mbrl::runs
