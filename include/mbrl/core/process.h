#pragma once
// Child processes and stop signals: starting a program (this binary again, ffmpeg), waiting for
// it, and the one stop flag that SIGINT and SIGTERM set, which long loops poll to stop cleanly.
#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

namespace mbrl {

/// How to start a child.
struct ChildOptions {
  std::string output_file;  ///< append the child's stdout and stderr here ("": inherit them)
  int stdin_fd = -1;        ///< the child's stdin (e.g. a pipe's read end; -1: inherit)
  /// The child ignores SIGINT: a Ctrl-C at the terminal reaches only the parent, which forwards
  /// a stop as SIGTERM (a run then saves its partial episode).
  bool ignore_interrupt = false;
  /// Environment variables set in the child where the parent has no value for them.
  std::vector<std::pair<std::string, std::string>> env_defaults;
};

/// Starts `args[0]` (a path) with arguments `args`; throws Error naming the program when it
/// cannot be started.
pid_t StartChild(const std::vector<std::string>& args, const ChildOptions& options = {});

/// Waits for `pid` and returns its exit code, 128 + the signal when a signal ended it.
int WaitChild(pid_t pid);

/// A child that has ended, without waiting: its pid and exit code; pid 0 when none has ended
/// yet, -1 when there are no children left.
std::pair<pid_t, int> PollChildren();

/// The exit code of a wait status: its exit code, or 128 + the signal that ended it.
int ExitCodeOf(int wait_status);

/// This binary's path, for starting it again. After a rebuild the kernel shows the old file as
/// "PATH (deleted)": the path of the new binary is returned then.
std::string SelfPath();

/// Replaces this process with this binary and `argv`, with the environment as it is now (e.g.
/// after setenv); returns only when that fails.
void ReExecSelf(char** argv);

/// SIGINT and SIGTERM set one process-wide stop flag instead of ending the process (installed
/// once; later calls do nothing).
void InstallStopSignals();
/// Whether a stop was requested since InstallStopSignals.
bool StopRequested();

}  // namespace mbrl
