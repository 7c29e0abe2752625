// `mbrl sweep`: a grid of training runs (planner x seed, with shared overrides), run as child
// processes of this binary N at a time, or as one Slurm array job; the same command again skips
// finished runs and resumes interrupted ones.
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
#include "mbrl/core/find_program.h"

namespace mbrl::app {
namespace {
namespace fs = std::filesystem;

std::atomic<bool> g_sweep_stop{false};
extern "C" void OnSweepSignal(int) { g_sweep_stop.store(true); }

struct SweepOptions {
  std::string config_path;
  std::string planners;
  std::string planner_dir;
  std::string seeds = "0-2";
  std::vector<std::string> overrides;
  int jobs = 1;
  std::string out;
  std::string launcher = "local";
  std::vector<std::string> sbatch_args;
  bool dry_run = false;
  int cell = -1;  // run only this cell of the grid (what each Slurm array task does)
};

struct Cell {
  std::string planner;
  int seed = 0;
  std::string name() const { return planner + "/seed_" + std::to_string(seed); }
  std::string status = "pending";  // pending | queued | running | done | failed | interrupted
  int episodes_done = 0;
  int exit_code = -1;
  pid_t pid = 0;
};

// The grid of one sweep command, checked and with its directory set up.
struct Grid {
  std::vector<std::string> planners;
  std::vector<int> seeds;
  std::vector<Cell> cells;
  int episodes = 0;
  std::string yaml;  // sweep.yaml
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
                  Join(planners) + "]\n";
  if (!opt.planner_dir.empty()) y += "planner_dir: " + fs::absolute(opt.planner_dir).string() + "\n";
  y += "seeds: [";
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

// Reads back what status.csv says of each cell (for launchers whose cells finish elsewhere).
void ReadStatus(const std::string& out, std::vector<Cell>& cells) {
  std::ifstream in(out + "/status.csv");
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
    c.exit_code = it->second.size() > 6 && !it->second[6].empty() ? std::atoi(it->second[6].c_str())
                                                                   : -1;
  }
}

// Changes one cell's row of status.csv, under a lock shared by every process of the sweep (Slurm
// array tasks finish at the same time).
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

// The grid without its pets.episodes override: a rerun may change only that (to extend every run,
// each resumed with the new count).
std::string WithoutEpisodes(const std::string& yaml) {
  std::stringstream in(yaml);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.rfind("  - \"pets.episodes=", 0) != 0) out += line + "\n";
  }
  return out;
}

// Checks the whole grid (every cell's config must load: an unknown planner or task, or a bad
// --set, stops the sweep before anything starts) and sets up its directory.
Grid LoadGrid(const SweepOptions& opt) {
  if (opt.config_path.empty()) throw ConfigError("--config: a sweep needs a config file");
  if (opt.out.empty()) throw ConfigError("--out: a sweep needs an output directory");
  if (opt.jobs < 1) throw ConfigError("--jobs: expected an integer >= 1");
  if (opt.launcher != "local" && opt.launcher != "slurm") {
    throw ConfigError("--launcher: expected local or slurm, got '" + opt.launcher + "'");
  }
  if (opt.launcher != "slurm" && (opt.dry_run || !opt.sbatch_args.empty())) {
    throw ConfigError("--dry-run and --sbatch go with --launcher slurm");
  }
  Grid grid;
  grid.seeds = ParseSeeds(opt.seeds);
  config::LoadOptions base_load{opt.config_path, "", opt.overrides};
  const config::Config base = config::LoadConfig(base_load);
  RequireKnownTask(base, opt.config_path, opt.overrides);
  grid.planners = opt.planners.empty() ? std::vector<std::string>{base.planner.type()}
                                       : SplitList(opt.planners);
  for (const auto& p : grid.planners) {
    try {
      config::LoadOptions load{opt.config_path, p, opt.overrides};
      load.planner_dir = opt.planner_dir;
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
  fs::create_directories(opt.out, ec);
  if (ec) throw ConfigError("--out " + opt.out + ": cannot create (" + ec.message() + ")");
  grid.yaml = SweepYaml(opt, grid.planners, grid.seeds);
  const std::string sweep_file = opt.out + "/sweep.yaml";
  if (fs::exists(sweep_file)) {
    std::ifstream in(sweep_file);
    std::stringstream old;
    old << in.rdbuf();
    if (WithoutEpisodes(old.str()) != WithoutEpisodes(grid.yaml)) {
      throw ConfigError("--out " + opt.out + ": holds another sweep (its sweep.yaml differs from "
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
  fs::create_directories(opt.out + "/logs", ec);
  return grid;
}

// What a cell's run directory says: finished, resumable, or (started but without a complete
// episode) to start over.
void Refresh(const SweepOptions& opt, const Grid& grid, Cell& c) {
  const std::string dir = opt.out + "/" + c.name();
  std::error_code ec;
  c.episodes_done = std::max(0, algorithms::CheckpointEpisode(dir));
  if (c.episodes_done >= grid.episodes) {
    c.status = "done";
    c.exit_code = 0;
  } else if (!algorithms::HasCheckpoint(dir)) {
    fs::remove_all(dir, ec);
  }
}

// The `mbrl train` command line of one cell: a new run, or --resume of its checkpoint.
std::vector<std::string> TrainArgs(const SweepOptions& opt, const Grid& grid, const Cell& c,
                                   const std::string& self) {
  const std::string dir = opt.out + "/" + c.name();
  std::vector<std::string> args = {self, "train", "--quiet"};
  if (algorithms::HasCheckpoint(dir)) {
    args.insert(args.end(), {"--resume", dir, "--set",
                             "pets.episodes=" + std::to_string(grid.episodes)});
  } else {
    args.insert(args.end(), {"--config", opt.config_path, "--planner", c.planner, "--label",
                             c.planner, "--out", dir, "--set", "seed=" + std::to_string(c.seed)});
    if (!opt.planner_dir.empty()) args.insert(args.end(), {"--planner-dir", opt.planner_dir});
    for (const auto& o : opt.overrides) args.insert(args.end(), {"--set", o});
  }
  return args;
}

// This binary's path, for the runs' processes. After a rebuild during a sweep the kernel shows
// the old file as "PATH (deleted)": the runs then start the new binary at PATH.
std::string SelfPath() {
  std::error_code ec;
  std::string path = fs::read_symlink("/proc/self/exe", ec).string();
  const std::string deleted = " (deleted)";
  if (path.size() > deleted.size() &&
      path.compare(path.size() - deleted.size(), deleted.size(), deleted) == 0) {
    path.erase(path.size() - deleted.size());
  }
  return path;
}

// Starts `args` as a child with its output appended to `log`, OMP_NUM_THREADS = `threads` unless
// set; SIGINT ignored (a stop is forwarded as SIGTERM, and the child saves its partial episode).
pid_t StartChild(std::vector<std::string> args, const std::string& log, const std::string& threads) {
  const pid_t pid = fork();
  if (pid == 0) {
    signal(SIGINT, SIG_IGN);
    if (!std::getenv("OMP_NUM_THREADS")) setenv("OMP_NUM_THREADS", threads.c_str(), 1);
    if (!freopen(log.c_str(), "a", stdout) || !freopen(log.c_str(), "a", stderr)) _exit(126);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(args[0].c_str(), argv.data());
    _exit(127);
  }
  return pid;
}

std::string LogPath(const SweepOptions& opt, const Cell& c) {
  return opt.out + "/logs/" + c.planner + "_seed_" + std::to_string(c.seed) + ".log";
}

// After a child ended: its status from the exit code and the checkpoint.
void Finish(const SweepOptions& opt, Cell& c, int wait_status, bool stopping) {
  c.exit_code = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
  c.episodes_done = std::max(0, algorithms::CheckpointEpisode(opt.out + "/" + c.name()));
  c.status = c.exit_code == 0 ? "done"
             : (stopping || c.exit_code == 130) ? "interrupted"
                                                : "failed";
}

// Whether it is time to read the running cells' progress again (every few seconds).
bool RefreshDue(std::chrono::steady_clock::time_point& last) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last < std::chrono::seconds(5)) return false;
  last = now;
  return true;
}

// A running cell's finished episodes, from its checkpoint: true when the count changed
// (status.csv is then written again, so it shows how far each run is).
bool RefreshCell(const SweepOptions& opt, Cell& c) {
  const int done = std::max(0, algorithms::CheckpointEpisode(opt.out + "/" + c.name()));
  const bool changed = done != c.episodes_done;
  c.episodes_done = done;
  return changed;
}

// The local launcher: the cells as child processes, --jobs at a time.
int RunLocal(const SweepOptions& opt, Grid& grid) {
  // One sweep at a time per directory: a lock held while this process lives (Slurm array tasks
  // of this directory hold it shared).
  const int lock_fd = open((opt.out + "/.lock").c_str(), O_CREAT | O_RDWR, 0644);
  if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    throw ConfigError("--out " + opt.out + ": another mbrl sweep is running in this directory");
  }
  auto& cells = grid.cells;
  for (auto& c : cells) Refresh(opt, grid, c);
  WriteStatus(opt.out, cells, grid.episodes);

  const std::string self = SelfPath();
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::string threads = std::to_string(std::max(1u, cores / opt.jobs));
  std::signal(SIGINT, OnSweepSignal);
  std::signal(SIGTERM, OnSweepSignal);

  size_t next = 0;
  int running = 0;
  bool stopping = false;
  auto last_refresh = std::chrono::steady_clock::now();
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
      const auto args = TrainArgs(opt, grid, c, self);
      c.pid = StartChild(args, LogPath(opt, c), threads);
      c.status = "running";
      std::printf("start %s (%s)\n", c.name().c_str(), args[3] == "--resume" ? "resumed" : "new");
      std::fflush(stdout);
      ++running;
      WriteStatus(opt.out, cells, grid.episodes);
    }
    if (running == 0) break;
    int status = 0;
    const pid_t pid = waitpid(-1, &status, WNOHANG);  // polled, so that a stop is seen at once
    if (pid == 0 || (pid < 0 && errno == EINTR)) {
      if (RefreshDue(last_refresh)) {
        bool changed = false;
        for (auto& c : cells) {
          if (c.status == "running") changed |= RefreshCell(opt, c);
        }
        if (changed) WriteStatus(opt.out, cells, grid.episodes);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    if (pid < 0) break;
    for (auto& c : cells) {
      if (c.pid != pid || c.status != "running") continue;
      --running;
      Finish(opt, c, status, stopping);
      std::printf("%s %s (exit %d, %d/%d episodes)\n", c.status.c_str(), c.name().c_str(),
                  c.exit_code, c.episodes_done, grid.episodes);
      std::fflush(stdout);
    }
    WriteStatus(opt.out, cells, grid.episodes);
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

// One cell, as a Slurm array task runs it: new, resumed (after a requeue or a rerun) or, when
// already finished, nothing. SIGTERM (scancel, preemption, time limit) stops the run after its
// current step with its partial episode saved, for the next attempt to resume.
int RunCell(const SweepOptions& opt, Grid& grid) {
  if (opt.cell < 0 || opt.cell >= static_cast<int>(grid.cells.size())) {
    throw ConfigError("--cell " + std::to_string(opt.cell) + ": the grid has cells 0-" +
                      std::to_string(grid.cells.size() - 1));
  }
  const int lock_fd = open((opt.out + "/.lock").c_str(), O_CREAT | O_RDWR, 0644);
  if (lock_fd < 0 || flock(lock_fd, LOCK_SH | LOCK_NB) != 0) {
    throw ConfigError("--out " + opt.out + ": a local mbrl sweep is running in this directory");
  }
  Cell& c = grid.cells[opt.cell];
  Refresh(opt, grid, c);
  if (c.status == "done") {
    std::printf("%s: already done (%d/%d episodes)\n", c.name().c_str(), c.episodes_done,
                grid.episodes);
    UpdateStatus(opt.out, grid.cells, c, grid.episodes);
    return 0;
  }
  const auto args = TrainArgs(opt, grid, c, SelfPath());
  const char* cpus = std::getenv("SLURM_CPUS_PER_TASK");
  const std::string threads =
      cpus ? cpus : std::to_string(std::max(1u, std::thread::hardware_concurrency()));
  std::signal(SIGINT, OnSweepSignal);
  std::signal(SIGTERM, OnSweepSignal);
  c.pid = StartChild(args, LogPath(opt, c), threads);
  c.status = "running";
  std::printf("start %s (%s)\n", c.name().c_str(), args[3] == "--resume" ? "resumed" : "new");
  std::fflush(stdout);
  UpdateStatus(opt.out, grid.cells, c, grid.episodes);
  int status = 0;
  bool stopping = false;
  auto last_refresh = std::chrono::steady_clock::now();
  while (true) {
    const pid_t pid = waitpid(c.pid, &status, WNOHANG);
    if (pid == c.pid) break;
    if (pid < 0 && errno != EINTR) break;
    if (g_sweep_stop.load() && !stopping) {
      stopping = true;
      kill(c.pid, SIGTERM);
    }
    if (RefreshDue(last_refresh) && RefreshCell(opt, c)) {
      UpdateStatus(opt.out, grid.cells, c, grid.episodes);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Finish(opt, c, status, stopping);
  std::printf("%s %s (exit %d, %d/%d episodes)\n", c.status.c_str(), c.name().c_str(),
              c.exit_code, c.episodes_done, grid.episodes);
  UpdateStatus(opt.out, grid.cells, c, grid.episodes);
  return c.status == "done" ? 0 : c.status == "interrupted" ? 130 : 1;
}

// A word for a bash script, in single quotes.
std::string ShellQuote(const std::string& word) {
  std::string q = "'";
  for (char ch : word) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

// The Slurm launcher: one array job, one array task per unfinished cell (its index in the grid),
// each running this binary's `sweep ... --cell $SLURM_ARRAY_TASK_ID`.
int RunSlurm(const SweepOptions& opt, Grid& grid) {
  const int lock_fd = open((opt.out + "/.lock").c_str(), O_CREAT | O_RDWR, 0644);
  if (lock_fd < 0 || flock(lock_fd, LOCK_EX | LOCK_NB) != 0) {
    throw ConfigError("--out " + opt.out + ": an mbrl sweep (local, or a Slurm task) is running "
                      "in this directory");
  }
  const std::string job_file = opt.out + "/slurm/job_id";
  const std::string sbatch = FindOnPath("sbatch");
  if (!opt.dry_run && sbatch.empty()) {
    throw ConfigError("--launcher slurm: sbatch is not on PATH (Slurm's client; Debian: "
                      "slurm-client); --dry-run writes the job script without submitting it");
  }
  // A job of this sweep still queued or running would run its cells twice.
  std::ifstream previous(job_file);
  std::string previous_id;
  if (!opt.dry_run && previous >> previous_id && !FindOnPath("squeue").empty()) {
    const std::string cmd = "squeue -h -j " + previous_id + " -o %i 2>/dev/null";
    FILE* p = popen(cmd.c_str(), "r");
    char buf[64];
    const bool alive = p && std::fgets(buf, sizeof(buf), p) != nullptr;
    if (p) pclose(p);
    if (alive) {
      throw ConfigError("--out " + opt.out + ": its Slurm job " + previous_id + " is still "
                        "queued or running (squeue -j " + previous_id + "); wait for it, or "
                        "scancel " + previous_id + " first");
    }
  }
  auto& cells = grid.cells;
  ReadStatus(opt.out, cells);
  std::vector<int> todo;
  for (size_t i = 0; i < cells.size(); ++i) {
    Refresh(opt, grid, cells[i]);
    if (cells[i].status != "done") todo.push_back(static_cast<int>(i));
  }
  if (todo.empty()) {
    WriteStatus(opt.out, cells, grid.episodes);
    std::printf("%zu/%zu runs done: nothing to submit (%s/status.csv)\n", cells.size(),
                cells.size(), opt.out.c_str());
    return 0;
  }
  // Slurm's array syntax, runs of consecutive cells as ranges: 0-3,5,7-9.
  std::string array;
  for (size_t i = 0; i < todo.size();) {
    size_t j = i;
    while (j + 1 < todo.size() && todo[j + 1] == todo[j] + 1) ++j;
    array += (array.empty() ? "" : ",") + std::to_string(todo[i]) +
             (j > i ? "-" + std::to_string(todo[j]) : "");
    i = j + 1;
  }

  std::error_code ec;
  fs::create_directories(opt.out + "/slurm", ec);
  const std::string out_abs = fs::absolute(opt.out).lexically_normal().string();
  std::vector<std::string> cmd = {SelfPath(), "sweep", "--config",
                                  fs::absolute(opt.config_path).string(), "--planners",
                                  Join(grid.planners, ","), "--seeds", opt.seeds, "--out", out_abs};
  if (!opt.planner_dir.empty()) {
    cmd.insert(cmd.end(), {"--planner-dir", fs::absolute(opt.planner_dir).string()});
  }
  for (const auto& o : opt.overrides) cmd.insert(cmd.end(), {"--set", o});
  std::string line;
  for (const auto& w : cmd) line += ShellQuote(w) + " ";
  std::string script =
      "#!/bin/bash\n"
      "# mbrl sweep as a Slurm array job: one array task per unfinished cell of " +
      out_abs + "/sweep.yaml\n# (the task id is the cell's index in the grid: planners x seeds).\n"
      "# Submitted by `mbrl sweep --launcher slurm`; rerunning that command submits what is left.\n"
      "#SBATCH --job-name=mbrl-sweep\n"
      "#SBATCH --array=" + array + "\n"
      "#SBATCH --output=" + out_abs + "/logs/slurm_%A_%a.out\n"
      "#SBATCH --open-mode=append\n"
      "#SBATCH --requeue\n";
  for (const auto& a : opt.sbatch_args) script += "#SBATCH " + a + "\n";
  script += "set -euo pipefail\n"
            "# A requeued task finds its run's checkpoint and resumes it.\n"
            "exec " + line + "--cell \"$SLURM_ARRAY_TASK_ID\"\n";
  const std::string script_path = opt.out + "/slurm/sweep.sbatch";
  WriteTextAtomically(script_path, script);
  fs::permissions(script_path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add,
                  ec);
  if (opt.dry_run) {
    WriteStatus(opt.out, cells, grid.episodes);
    std::printf("wrote %s (%zu array tasks: %s); not submitted (--dry-run). Submit it with: "
                "sbatch %s\n",
                script_path.c_str(), todo.size(), array.c_str(), script_path.c_str());
    return 0;
  }
  const std::string submit = ShellQuote(sbatch) + " --parsable " + ShellQuote(script_path) + " 2>&1";
  FILE* p = popen(submit.c_str(), "r");
  std::string reply;
  char buf[512];
  while (p && std::fgets(buf, sizeof(buf), p)) reply += buf;
  const int rc = p ? pclose(p) : -1;
  while (!reply.empty() && (reply.back() == '\n' || reply.back() == ' ')) reply.pop_back();
  if (rc != 0 || reply.empty()) {
    throw Error("sbatch refused " + script_path + ": " + reply);
  }
  const std::string job_id = reply.substr(0, reply.find(';'));
  WriteTextAtomically(job_file, job_id + "\n");
  for (int i : todo) {
    if (cells[i].status != "done") cells[i].status = "queued";
  }
  WriteStatus(opt.out, cells, grid.episodes);
  std::printf("submitted Slurm array job %s (%zu tasks: %s) from %s\n"
              "watch it: squeue -j %s; progress: %s/status.csv; logs: %s/logs/\n",
              job_id.c_str(), todo.size(), array.c_str(), script_path.c_str(), job_id.c_str(),
              opt.out.c_str(), opt.out.c_str());
  return 0;
}

int RunSweep(const SweepOptions& opt) {
  Grid grid = LoadGrid(opt);
  if (opt.cell >= 0) return RunCell(opt, grid);
  if (opt.launcher == "slurm") return RunSlurm(opt, grid);
  return RunLocal(opt, grid);
}

}  // namespace

std::function<int()> AddSweepCommand(CLI::App& app) {
  auto opt = std::make_shared<SweepOptions>();
  CLI::App* cmd = app.add_subcommand(
      "sweep", "Run a grid of training runs (planners x seeds), N at a time; rerun to continue");
  cmd->add_option("-c,--config", opt->config_path, "YAML config of every run")->required();
  cmd->add_option("--planners", opt->planners,
                  "comma-separated planners (configs/planner/NAME.yaml; default: the config's)");
  cmd->add_option("--planner-dir", opt->planner_dir,
                  "where the planners' NAME.yaml files are (default: configs/planner beside the "
                  "config), e.g. configs/bench/labels for cem50,cem500,cem5000");
  cmd->add_option("--seeds", opt->seeds, "seeds: 0-4, or 0,3,7")->capture_default_str();
  cmd->add_option("-s,--set", opt->overrides, "override for every run, repeatable")->take_all();
  cmd->add_option("-j,--jobs", opt->jobs, "runs at a time")->capture_default_str();
  cmd->add_option("-o,--out", opt->out, "sweep directory: one run directory per cell")
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
