#include "mbrl/runs/launcher.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include "mbrl/core/atomic_file.h"
#include "mbrl/core/error.h"
#include "mbrl/core/find_program.h"
#include "mbrl/core/process.h"
#include "mbrl/core/strings.h"

namespace mbrl::runs {
namespace {
namespace fs = std::filesystem;

// Holds `out`/.lock as long as the process lives: exclusive for a local sweep or a Slurm
// submission, shared for the Slurm array tasks of one directory.
bool LockSweepDirectory(const std::string& out, bool exclusive) {
  const int fd = open((out + "/.lock").c_str(), O_CREAT | O_RDWR, 0644);
  return fd >= 0 && flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) == 0;
}

// Starts `cell`'s run, its output appended to its log; a stop at the terminal reaches only this
// process, which forwards it.
void Start(const SweepSpec& spec, const Grid& grid, Cell& cell, const std::string& threads) {
  const auto args = TrainArgs(spec, grid, cell, SelfPath());
  ChildOptions child;
  child.output_file = LogPath(spec.out, cell);
  child.ignore_interrupt = true;
  child.env_defaults = {{"OMP_NUM_THREADS", threads}};
  cell.pid = StartChild(args, child);
  cell.status = "running";
  std::printf("start %s (%s)\n", cell.name().c_str(), args[3] == "--resume" ? "resumed" : "new");
  std::fflush(stdout);
}

// After a child ended: its status from the exit code and the checkpoint.
void Finish(const std::string& out, Cell& cell, int exit_code, bool stopping) {
  cell.exit_code = exit_code;
  cell.episodes_done = EpisodesDone(out, cell);
  cell.status = exit_code == 0                        ? "done"
                : (stopping || exit_code == 130) ? "interrupted"
                                                      : "failed";
}

// Whether it is time to read the running cells' progress again (every few seconds).
bool RefreshDue(std::chrono::steady_clock::time_point& last) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last < std::chrono::seconds(5)) return false;
  last = now;
  return true;
}

// A running cell's finished episodes, from its checkpoint: true when the count changed (status.csv
// is then written again, so it shows how far each run is).
bool RefreshCell(const std::string& out, Cell& cell) {
  const int done = EpisodesDone(out, cell);
  const bool changed = done != cell.episodes_done;
  cell.episodes_done = done;
  return changed;
}

// A word for a bash script, in single quotes.
std::string ShellQuote(const std::string& word) {
  std::string q = "'";
  for (char ch : word) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

// The output of `command` run by the shell, and its exit status.
std::pair<std::string, int> Capture(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  if (!p) return {"", -1};
  std::string reply;
  char buf[512];
  while (std::fgets(buf, sizeof(buf), p)) reply += buf;
  const int rc = pclose(p);
  while (!reply.empty() && (reply.back() == '\n' || reply.back() == ' ')) reply.pop_back();
  return {reply, rc};
}

// Slurm's array syntax, runs of consecutive cells as ranges: 0-3,5,7-9.
std::string ArraySpec(const std::vector<int>& todo) {
  std::string array;
  for (size_t i = 0; i < todo.size();) {
    size_t j = i;
    while (j + 1 < todo.size() && todo[j + 1] == todo[j] + 1) ++j;
    array += (array.empty() ? "" : ",") + std::to_string(todo[i]) +
             (j > i ? "-" + std::to_string(todo[j]) : "");
    i = j + 1;
  }
  return array;
}

}  // namespace

LocalLauncher::LocalLauncher(int jobs) : jobs_(jobs) {
  if (jobs < 1) throw ConfigError("--jobs: expected an integer >= 1");
}

int LocalLauncher::Run(const SweepSpec& spec, Grid& grid) {
  if (!LockSweepDirectory(spec.out, true)) {
    throw ConfigError("--out " + spec.out + ": another mbrl sweep is running in this directory");
  }
  auto& cells = grid.cells;
  for (auto& c : cells) Refresh(spec.out, grid, c);
  WriteStatus(spec.out, cells, grid.episodes);

  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::string threads = std::to_string(std::max(1u, cores / jobs_));
  InstallStopSignals();

  size_t next = 0;
  int running = 0;
  bool stopping = false;
  auto last_refresh = std::chrono::steady_clock::now();
  while (true) {
    if (StopRequested() && !stopping) {
      stopping = true;
      for (auto& c : cells) {
        if (c.status == "running") kill(c.pid, SIGTERM);  // it saves its partial episode
      }
    }
    while (!stopping && running < jobs_ && next < cells.size()) {
      Cell& c = cells[next++];
      if (c.status == "done") continue;
      Start(spec, grid, c, threads);
      ++running;
      WriteStatus(spec.out, cells, grid.episodes);
    }
    if (running == 0) break;
    const auto [pid, code] = PollChildren();  // polled, so that a stop is seen at once
    if (pid == 0) {
      if (RefreshDue(last_refresh)) {
        bool changed = false;
        for (auto& c : cells) {
          if (c.status == "running") changed |= RefreshCell(spec.out, c);
        }
        if (changed) WriteStatus(spec.out, cells, grid.episodes);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    if (pid < 0) break;
    for (auto& c : cells) {
      if (c.pid != pid || c.status != "running") continue;
      --running;
      Finish(spec.out, c, code, stopping);
      std::printf("%s %s (exit %d, %d/%d episodes)\n", c.status.c_str(), c.name().c_str(),
                  c.exit_code, c.episodes_done, grid.episodes);
      std::fflush(stdout);
    }
    WriteStatus(spec.out, cells, grid.episodes);
  }
  int done = 0, failed = 0;
  for (const auto& c : cells) {
    done += c.status == "done";
    failed += c.status == "failed";
  }
  std::printf("%d/%zu runs done, %d failed: %s/status.csv (plot: /usr/bin/python3 "
              "scripts/plot_runs.py %s --out %s/returns.png)\n",
              done, cells.size(), failed, spec.out.c_str(), spec.out.c_str(), spec.out.c_str());
  if (stopping) return 130;
  return failed > 0 ? 1 : 0;
}

int RunOneCell(const SweepSpec& spec, Grid& grid, int index) {
  if (index < 0 || index >= static_cast<int>(grid.cells.size())) {
    throw ConfigError("--cell " + std::to_string(index) + ": the grid has cells 0-" +
                      std::to_string(grid.cells.size() - 1));
  }
  if (!LockSweepDirectory(spec.out, false)) {
    throw ConfigError("--out " + spec.out + ": a local mbrl sweep is running in this directory");
  }
  Cell& c = grid.cells[index];
  Refresh(spec.out, grid, c);
  if (c.status == "done") {
    std::printf("%s: already done (%d/%d episodes)\n", c.name().c_str(), c.episodes_done,
                grid.episodes);
    UpdateStatus(spec.out, grid.cells, c, grid.episodes);
    return 0;
  }
  const char* cpus = std::getenv("SLURM_CPUS_PER_TASK");
  const std::string threads =
      cpus ? cpus : std::to_string(std::max(1u, std::thread::hardware_concurrency()));
  InstallStopSignals();
  Start(spec, grid, c, threads);
  UpdateStatus(spec.out, grid.cells, c, grid.episodes);
  bool stopping = false;
  int code = -1;
  auto last_refresh = std::chrono::steady_clock::now();
  while (true) {
    const auto [pid, exit_code] = PollChildren();
    if (pid == c.pid) {
      code = exit_code;
      break;
    }
    if (pid < 0) break;
    if (StopRequested() && !stopping) {
      stopping = true;
      kill(c.pid, SIGTERM);
    }
    if (RefreshDue(last_refresh) && RefreshCell(spec.out, c)) {
      UpdateStatus(spec.out, grid.cells, c, grid.episodes);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Finish(spec.out, c, code, stopping);
  std::printf("%s %s (exit %d, %d/%d episodes)\n", c.status.c_str(), c.name().c_str(), c.exit_code,
              c.episodes_done, grid.episodes);
  UpdateStatus(spec.out, grid.cells, c, grid.episodes);
  return c.status == "done" ? 0 : c.status == "interrupted" ? 130 : 1;
}

SlurmLauncher::SlurmLauncher(std::vector<std::string> sbatch_lines, bool dry_run)
    : sbatch_lines_(std::move(sbatch_lines)), dry_run_(dry_run) {}

int SlurmLauncher::Run(const SweepSpec& spec, Grid& grid) {
  if (!LockSweepDirectory(spec.out, true)) {
    throw ConfigError("--out " + spec.out + ": an mbrl sweep (local, or a Slurm task) is running "
                      "in this directory");
  }
  const std::string job_file = spec.out + "/slurm/job_id";
  const std::string sbatch = FindOnPath("sbatch");
  if (!dry_run_ && sbatch.empty()) {
    throw ConfigError("--launcher slurm: sbatch is not on PATH (Slurm's client; Debian: "
                      "slurm-client); --dry-run writes the job script without submitting it");
  }
  // A job of this sweep still queued or running would run its cells twice.
  std::ifstream previous(job_file);
  std::string previous_id;
  if (!dry_run_ && previous >> previous_id && !FindOnPath("squeue").empty()) {
    const auto [alive, rc] = Capture("squeue -h -j " + previous_id + " -o %i 2>/dev/null");
    if (!alive.empty()) {
      throw ConfigError("--out " + spec.out + ": its Slurm job " + previous_id + " is still "
                        "queued or running (squeue -j " + previous_id + "); wait for it, or "
                        "scancel " + previous_id + " first");
    }
  }
  auto& cells = grid.cells;
  ReadStatus(spec.out, cells);
  std::vector<int> todo;
  for (size_t i = 0; i < cells.size(); ++i) {
    Refresh(spec.out, grid, cells[i]);
    if (cells[i].status != "done") todo.push_back(static_cast<int>(i));
  }
  if (todo.empty()) {
    WriteStatus(spec.out, cells, grid.episodes);
    std::printf("%zu/%zu runs done: nothing to submit (%s/status.csv)\n", cells.size(),
                cells.size(), spec.out.c_str());
    return 0;
  }
  const std::string array = ArraySpec(todo);

  std::error_code ec;
  fs::create_directories(spec.out + "/slurm", ec);
  const std::string out_abs = fs::absolute(spec.out).lexically_normal().string();
  std::vector<std::string> cmd = {SelfPath(), "sweep", "--config",
                                  fs::absolute(spec.config_path).string(), "--planners",
                                  Join(grid.planners, ","), "--seeds", spec.seeds, "--out", out_abs};
  if (!spec.planner_dir.empty()) {
    cmd.insert(cmd.end(), {"--planner-dir", fs::absolute(spec.planner_dir).string()});
  }
  for (const auto& o : spec.overrides) cmd.insert(cmd.end(), {"--set", o});
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
  for (const auto& a : sbatch_lines_) script += "#SBATCH " + a + "\n";
  script += "set -euo pipefail\n"
            "# A requeued task finds its run's checkpoint and resumes it.\n"
            "exec " + line + "--cell \"$SLURM_ARRAY_TASK_ID\"\n";
  const std::string script_path = spec.out + "/slurm/sweep.sbatch";
  WriteTextAtomically(script_path, script);
  fs::permissions(script_path, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add,
                  ec);
  if (dry_run_) {
    WriteStatus(spec.out, cells, grid.episodes);
    std::printf("wrote %s (%zu array tasks: %s); not submitted (--dry-run). Submit it with: "
                "sbatch %s\n",
                script_path.c_str(), todo.size(), array.c_str(), script_path.c_str());
    return 0;
  }
  const auto [reply, rc] =
      Capture(ShellQuote(sbatch) + " --parsable " + ShellQuote(script_path) + " 2>&1");
  if (rc != 0 || reply.empty()) throw Error("sbatch refused " + script_path + ": " + reply);
  const std::string job_id = reply.substr(0, reply.find(';'));
  WriteTextAtomically(job_file, job_id + "\n");
  for (int i : todo) {
    if (cells[i].status != "done") cells[i].status = "queued";
  }
  WriteStatus(spec.out, cells, grid.episodes);
  std::printf("submitted Slurm array job %s (%zu tasks: %s) from %s\n"
              "watch it: squeue -j %s; progress: %s/status.csv; logs: %s/logs/\n",
              job_id.c_str(), todo.size(), array.c_str(), script_path.c_str(), job_id.c_str(),
              spec.out.c_str(), spec.out.c_str());
  return 0;
}

}  // namespace mbrl::runs
