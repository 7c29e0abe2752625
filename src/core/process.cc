#include "mbrl/core/process.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "mbrl/core/error.h"

extern char** environ;

namespace mbrl {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }

// RAII for posix_spawn's attribute and file-action objects.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
};

}  // namespace

pid_t StartChild(const std::vector<std::string>& args, const ChildOptions& options) {
  if (args.empty()) throw Error("StartChild: no program");
  std::vector<std::string> words = args;
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);

  // The environment: this process's, plus the defaults it has no value for.
  std::vector<std::string> env_words;
  for (char** e = environ; *e; ++e) env_words.emplace_back(*e);
  for (const auto& [name, value] : options.env_defaults) {
    if (!std::getenv(name.c_str())) env_words.push_back(name + "=" + value);
  }
  std::vector<char*> envp;
  for (auto& w : env_words) envp.push_back(w.data());
  envp.push_back(nullptr);

  SpawnSetup setup;
  if (!options.output_file.empty()) {
    posix_spawn_file_actions_addopen(&setup.actions, STDOUT_FILENO, options.output_file.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&setup.actions, STDOUT_FILENO, STDERR_FILENO);
  }
  if (options.stdin_fd >= 0) {
    posix_spawn_file_actions_adddup2(&setup.actions, options.stdin_fd, STDIN_FILENO);
    posix_spawn_file_actions_addclose(&setup.actions, options.stdin_fd);
  }
  // A signal the parent ignores stays ignored in the child; one it handles is reset to its
  // default. So SIGINT is ignored here while the child starts, blocked meanwhile so that a
  // Ctrl-C in that moment reaches the parent's own disposition once it is back.
  sigset_t interrupt, old_mask;
  sigemptyset(&interrupt);
  sigaddset(&interrupt, SIGINT);
  struct sigaction ignore = {}, previous = {};
  ignore.sa_handler = SIG_IGN;
  if (options.ignore_interrupt) {
    pthread_sigmask(SIG_BLOCK, &interrupt, &old_mask);
    sigaction(SIGINT, &ignore, &previous);
    posix_spawnattr_setsigmask(&setup.attr, &old_mask);
    posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK);
  }
  pid_t pid = 0;
  const int rc =
      posix_spawn(&pid, words[0].c_str(), &setup.actions, &setup.attr, argv.data(), envp.data());
  if (options.ignore_interrupt) {
    sigaction(SIGINT, &previous, nullptr);
    pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  }
  if (rc != 0) throw Error("cannot start " + words[0] + ": " + std::strerror(rc));
  return pid;
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  return 128 + (WIFSIGNALED(wait_status) ? WTERMSIG(wait_status) : 0);
}

int WaitChild(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw Error("lost child process " + std::to_string(pid));
  }
  return ExitCodeOf(status);
}

std::pair<pid_t, int> PollChildren() {
  int status = 0;
  const pid_t pid = waitpid(-1, &status, WNOHANG);
  if (pid < 0) return {errno == EINTR ? 0 : -1, 0};
  if (pid == 0) return {0, 0};
  return {pid, ExitCodeOf(status)};
}

std::string SelfPath() {
  std::error_code ec;
  std::string path = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  const std::string deleted = " (deleted)";
  if (path.size() > deleted.size() &&
      path.compare(path.size() - deleted.size(), deleted.size(), deleted) == 0) {
    path.erase(path.size() - deleted.size());
  }
  return path;
}

void ReExecSelf(char** argv) { execv("/proc/self/exe", argv); }

void InstallStopSignals() {
  static std::atomic<bool> installed{false};
  if (installed.exchange(true)) return;
  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
}

bool StopRequested() { return g_stop.load(); }

}  // namespace mbrl
