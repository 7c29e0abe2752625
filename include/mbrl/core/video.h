#pragma once
// Writing an MP4 video by piping raw RGB frames to ffmpeg (H.264, yuv420p: plays everywhere).
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "mbrl/core/find_program.h"

namespace mbrl {

/// ffmpeg's full path; throws mbrl::ConfigError naming the package to install when it is not on
/// PATH.
std::string RequireFfmpeg();

/// One video being encoded. Frames go to `path`.part; Close() renames it to `path` once ffmpeg
/// has finished, so a file under the final name is always a complete video. Destroying an
/// unclosed writer stops ffmpeg and removes the partial file.
class VideoWriter {
 public:
  /// Starts ffmpeg. Throws mbrl::ConfigError when ffmpeg is not on PATH (naming the package to
  /// install), mbrl::Error when it cannot start; width and height must be even (H.264).
  VideoWriter(const std::string& path, int width, int height, double fps);
  ~VideoWriter();
  VideoWriter(const VideoWriter&) = delete;
  VideoWriter& operator=(const VideoWriter&) = delete;

  /// Appends one frame: [height, width, 3] RGB bytes, rows top to bottom.
  void Write(const std::vector<uint8_t>& rgb);
  /// Finishes the file; throws mbrl::Error with ffmpeg's exit status if encoding failed.
  void Close();
  int frames() const { return frames_; }

 private:
  std::string path_;
  std::string part_path_;
  int width_;
  int height_;
  int frames_ = 0;
  int pipe_fd_ = -1;
  pid_t pid_ = -1;
};

}  // namespace mbrl
