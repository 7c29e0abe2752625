#include "mbrl/core/video.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "mbrl/core/error.h"

extern char** environ;

namespace mbrl {

std::string RequireFfmpeg() {
  std::string ffmpeg = FindOnPath("ffmpeg");
  if (ffmpeg.empty()) {
    throw ConfigError("--video needs ffmpeg, which is not on PATH: install it with "
                      "`apt install ffmpeg` (scripts/setup.sh does)");
  }
  return ffmpeg;
}

VideoWriter::VideoWriter(const std::string& path, int width, int height, double fps)
    : path_(path), part_path_(path + ".part"), width_(width), height_(height) {
  if (width % 2 != 0 || height % 2 != 0 || width <= 0 || height <= 0) {
    throw ConfigError("video size " + std::to_string(width) + "x" + std::to_string(height) +
                      ": expected even, positive numbers (H.264 needs them)");
  }
  if (!(fps > 0)) throw ConfigError("video frame rate must be > 0");
  const std::string ffmpeg = RequireFfmpeg();
  // A write to a pipe whose reader died must come back as an error, not kill this process.
  signal(SIGPIPE, SIG_IGN);

  char size[32], rate[32];
  std::snprintf(size, sizeof(size), "%dx%d", width, height);
  std::snprintf(rate, sizeof(rate), "%.6g", fps);
  std::vector<std::string> args = {ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
                                   "-f", "rawvideo", "-pix_fmt", "rgb24", "-s", size,
                                   "-framerate", rate, "-i", "pipe:0", "-an",
                                   "-c:v", "libx264", "-pix_fmt", "yuv420p",
                                   "-movflags", "+faststart", "-f", "mp4", part_path_};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (pipe(fds) != 0) throw Error(std::string("cannot create a pipe to ffmpeg: ") + strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addclose(&actions, fds[1]);
  const int rc = posix_spawn(&pid_, ffmpeg.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[0]);
  if (rc != 0) {
    close(fds[1]);
    throw Error("cannot start " + ffmpeg + ": " + strerror(rc));
  }
  pipe_fd_ = fds[1];
  fcntl(pipe_fd_, F_SETFD, FD_CLOEXEC);
}

VideoWriter::~VideoWriter() {
  if (pid_ < 0) return;
  if (pipe_fd_ >= 0) close(pipe_fd_);
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  std::error_code ec;
  std::filesystem::remove(part_path_, ec);
}

void VideoWriter::Write(const std::vector<uint8_t>& rgb) {
  const size_t expected = static_cast<size_t>(width_) * height_ * 3;
  if (rgb.size() != expected) {
    throw Error("video frame of " + std::to_string(rgb.size()) + " bytes, expected " +
                std::to_string(expected));
  }
  if (pipe_fd_ < 0) throw Error("video " + path_ + " is already closed");
  size_t done = 0;
  while (done < rgb.size()) {
    const ssize_t n = write(pipe_fd_, rgb.data() + done, rgb.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw Error("ffmpeg stopped reading frames for " + path_ + " (see its message above)");
    done += static_cast<size_t>(n);
  }
  ++frames_;
}

void VideoWriter::Close() {
  if (pid_ < 0) return;
  close(pipe_fd_);
  pipe_fd_ = -1;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::error_code ec;
    std::filesystem::remove(part_path_, ec);
    throw Error("ffmpeg failed to encode " + path_ + " (exit status " +
                std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + ")");
  }
  std::error_code ec;
  std::filesystem::rename(part_path_, path_, ec);
  if (ec) throw Error("cannot rename " + part_path_ + " to " + path_ + ": " + ec.message());
}

}  // namespace mbrl
