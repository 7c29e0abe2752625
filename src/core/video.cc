#include "mbrl/core/video.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "mbrl/core/error.h"
#include "mbrl/core/process.h"

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
  // Both ends close on exec: the child gets the read end as its stdin only, so that closing the
  // write end here is the end of its input.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    throw Error(std::string("cannot create a pipe to ffmpeg: ") + strerror(errno));
  }
  ChildOptions child;
  child.stdin_fd = fds[0];
  try {
    pid_ = StartChild(args, child);
  } catch (const Error&) {
    close(fds[0]);
    close(fds[1]);
    throw;
  }
  close(fds[0]);
  pipe_fd_ = fds[1];
}

VideoWriter::~VideoWriter() {
  if (pid_ < 0) return;
  if (pipe_fd_ >= 0) close(pipe_fd_);
  kill(pid_, SIGTERM);
  try {
    WaitChild(pid_);
  } catch (const Error&) {
  }
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
  const int code = WaitChild(pid_);
  pid_ = -1;
  if (code != 0) {
    std::error_code ec;
    std::filesystem::remove(part_path_, ec);
    throw Error("ffmpeg failed to encode " + path_ + " (exit status " + std::to_string(code) + ")");
  }
  std::error_code ec;
  std::filesystem::rename(part_path_, path_, ec);
  if (ec) throw Error("cannot rename " + part_path_ + " to " + path_ + ": " + ec.message());
}

}  // namespace mbrl
