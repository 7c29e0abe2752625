// `mbrl sweep`: a grid of training runs (planner x seed, with shared overrides), run as child
// processes of this binary, N at a time; the same command again skips finished runs and resumes
// interrupted ones.
#include <signal.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "mbrl/algorithms/checkpoint.h"
#include "mbrl/config/loader.h"
#include "mbrl/config/planners.h"
#include "mbrl/core/atomic_file.h"
#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"

namespace mbrl::app {
namespace {
namespace fs = std::filesystem;

std::atomic<bool> g_sweep_stop{false};
extern "C" void OnSweepSignal(int) { g_sweep_stop.store(true); }

struct SweepOptions {
  std::string config_path;
  std::string planners;
  std::string seeds = "0-2";
  std::vector<std::string> overrides;
  int jobs = 1;
  std::string out;
};

struct Cell {
  std::string planner;
  int seed = 0;
  std::string name() const { return planner + "/seed_" + std::to_string(seed); }
  std::string status = "pending";  // pending | running | done | failed | interrupted
  int episodes_done = 0;
  int exit_code = -1;
  pid_t pid = 0;
};

// "0-4" or "0,2,5" (or a mix) -> seeds.
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

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

std::string SweepYaml(const SweepOptions& opt, const std::vector<std::string>& planners,
                      const std::vector<int>& seeds) {
  std::string y = "config: " + fs::absolute(opt.config_path).string() + "\nplanners: [" +
                  Join(planners) + "]\nseeds: [";
  for (size_t i = 0; i < seeds.size(); ++i) y += (i ? ", " : "") + std::to_string(seeds[i]);
  y += "]\nset:\n";
  for (const auto& o : opt.overrides) y += "  - \"" + o + "\"\n";
  return y;
}

void WriteStatus(const std::string& out, const std::vector<Cell>& cells, int episodes) {
  std::string csv = "run,planner,seed,status,episodes_done,episodes,exit_code\n";
  for (const auto& c : cells) {
    csv += c.name() + "," + c.planner + "," + std::to_string(c.seed) + "," + c.status + "," +
           std::to_string(c.episodes_done) + "," + std::to_string(episodes) + "," +
           (c.exit_code < 0 ? std::string() : std::to_string(c.exit_code)) + "\n";
  }
  WriteTextAtomically(out + "/status.csv", csv);
}

int RunSweep(const SweepOptions& opt) {
  if (opt.config_path.empty()) throw ConfigError("--config: a sweep needs a config file");
  if (opt.out.empty()) throw ConfigError("--out: a sweep needs an output directory");
  if (opt.jobs < 1) throw ConfigError("--jobs: expected an integer >= 1");
  const auto seeds = ParseSeeds(opt.seeds);
  // Every cell's config must load before anything starts: an unknown planner or task, or a bad
  // --set, stops the sweep with the config loader's error.
  const config::Config base = config::LoadConfig({opt.config_path, "", opt.overrides});
  RequireKnownTask(base, opt.config_path, opt.overrides);
  std::vector<std::string> planners =
      opt.planners.empty() ? std::vector<std::string>{base.planner.type()} : SplitList(opt.planners);
  std::vector<Cell> cells;
  for (const auto& p : planners) {
    try {
      config::LoadConfig({opt.config_path, p, opt.overrides});
    } catch (const ConfigError& e) {
      std::string what = e.what();
      if (what.rfind("--planner:", 0) == 0) what = "--planners:" + what.substr(10);
      throw ConfigError(what);
    }
    for (int s : seeds) cells.push_back(Cell{p, s});
  }
  const int episodes = base.pets.episodes;

  std::error_code ec;
  fs::create_directories(opt.out, ec);
  if (ec) throw ConfigError("--out " + opt.out + ": cannot create (" + ec.message() + ")");
  const std::string yaml = SweepYaml(opt, planners, seeds);
  const std::string sweep_file = opt.out + "/sweep.yaml";
  if (fs::exists(sweep_file)) {
    std::ifstream in(sweep_file);
    std::stringstream old;
    old << in.rdbuf();
    if (old.str() != yaml) {
      throw ConfigError("--out " + opt.out + ": holds another sweep (its sweep.yaml differs from "
                        "this command's grid); choose another --out, or rerun its own command");
    }
  } else {
    WriteTextAtomically(sweep_file, yaml);
  }
  fs::create_directories(opt.out + "/logs", ec);
  // One sweep at a time per directory: a lock held while this process lives.
  const int lock_fd = open((opt.out + "/.lock").c_str(), O_CREAT | O_RDWR, 0644);
  if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    throw ConfigError("--out " + opt.out + ": another mbrl sweep is running in this directory");
  }

  // What each run directory says: finished, resumable, or (started but without a complete
  // episode) to start over.
  for (auto& c : cells) {
    const std::string dir = opt.out + "/" + c.name();
    c.episodes_done = std::max(0, algorithms::CheckpointEpisode(dir));
    if (c.episodes_done >= episodes) {
      c.status = "done";
      c.exit_code = 0;
    } else if (!algorithms::HasCheckpoint(dir)) {
      fs::remove_all(dir, ec);
    }
  }
  WriteStatus(opt.out, cells, episodes);

  const std::string self = fs::read_symlink("/proc/self/exe", ec).string();
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::string threads = std::to_string(std::max(1u, cores / opt.jobs));
  std::signal(SIGINT, OnSweepSignal);
  std::signal(SIGTERM, OnSweepSignal);

  const auto start = [&](Cell& c) {
    const std::string dir = opt.out + "/" + c.name();
    std::vector<std::string> args = {self, "train", "--quiet"};
    if (algorithms::HasCheckpoint(dir)) {
      args.insert(args.end(), {"--resume", dir, "--set",
                               "pets.episodes=" + std::to_string(episodes)});
    } else {
      args.insert(args.end(), {"--config", opt.config_path, "--planner", c.planner, "--out", dir,
                               "--set", "seed=" + std::to_string(c.seed)});
      for (const auto& o : opt.overrides) args.insert(args.end(), {"--set", o});
    }
    const std::string log = opt.out + "/logs/" + c.planner + "_seed_" + std::to_string(c.seed) +
                            ".log";
    const pid_t pid = fork();
    if (pid == 0) {
      signal(SIGINT, SIG_IGN);  // the sweep forwards a stop as SIGTERM
      if (!std::getenv("OMP_NUM_THREADS")) setenv("OMP_NUM_THREADS", threads.c_str(), 1);
      if (!freopen(log.c_str(), "a", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(126);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(self.c_str(), argv.data());
      _exit(127);
    }
    c.pid = pid;
    c.status = "running";
    std::printf("start %s (%s)\n", c.name().c_str(),
                args[3] == "--resume" ? "resumed" : "new");
    std::fflush(stdout);
  };

  size_t next = 0;
  int running = 0;
  bool stopping = false;
  while (true) {
    if (g_sweep_stop.load() && !stopping) {
      stopping = true;
      for (auto& c : cells) {
        if (c.status == "running") kill(c.pid, SIGTERM);  // it saves its partial episode
      }
    }
    while (!stopping && running < opt.jobs && next < cells.size()) {
      Cell& c = cells[next++];
      if (c.status == "done") continue;
      start(c);
      ++running;
      WriteStatus(opt.out, cells, episodes);
    }
    if (running == 0) break;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);  // polled, so that a stop is seen at once
    if (pid == 0 || (pid < 0 && errno == EINTR)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    if (pid < 0) break;
    for (auto& c : cells) {
      if (c.pid != pid || c.status != "running") continue;
      --running;
      c.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      c.episodes_done = std::max(0, algorithms::CheckpointEpisode(opt.out + "/" + c.name()));
      c.status = c.exit_code == 0 ? "done" : (stopping || c.exit_code == 130) ? "interrupted"
                                                                                  : "failed";
      std::printf("%s %s (exit %d, %d/%d episodes)\n", c.status.c_str(), c.name().c_str(),
                  c.exit_code, c.episodes_done, episodes);
      std::fflush(stdout);
    }
    WriteStatus(opt.out, cells, episodes);
  }
  int done = 0, failed = 0;
  for (const auto& c : cells) {
    done += c.status == "done";
    failed += c.status == "failed";
  }
  std::printf("%d/%zu runs done, %d failed: %s/status.csv (plot: /usr/bin/python3 "
              "scripts/plot_runs.py %s --out %s/returns.png)\n",
              done, cells.size(), failed, opt.out.c_str(), opt.out.c_str(), opt.out.c_str());
  if (stopping) return 130;
  return failed > 0 ? 1 : 0;
}

}  // namespace

std::function<int()> AddSweepCommand(CLI::App& app) {
  auto opt = std::make_shared<SweepOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run a grid of training runs (planners x seeds), N at a time; rerun to continue");
  cmd->add_option("-c,--config", opt->config_path, "YAML config of every run")->required();
  cmd->add_option("--planners", opt->planners,
                  "comma-separated planners (configs/planner/NAME.yaml; default: the config's)");
  cmd->add_option("--seeds", opt->seeds, "seeds: 0-4, or 0,3,7")->capture_default_str();
  cmd->add_option("-s,--set", opt->overrides, "override for every run, repeatable")->take_all();
  cmd->add_option("-j,--jobs", opt->jobs, "runs at a time")->capture_default_str();
  cmd->add_option("-o,--out", opt->out, "sweep directory: one run directory per cell")
      ->required();
  return [opt]() { return RunSweep(*opt); };
}

}  // namespace mbrl::app
