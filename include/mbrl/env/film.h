#pragma once
// Filming a task's episodes: its offscreen renderer and an ffmpeg pipe, made at the first frame,
// then one frame per call (one after each reset and one per step plays at the control rate).
#include <memory>
#include <string>
#include <utility>

#include "mbrl/env/env.h"
#include "mbrl/env/render.h"

namespace mbrl {
class VideoWriter;
}

namespace mbrl::env {

/// One MP4 file of one env's frames. A task without a MuJoCo scene, or a machine without
/// OSMesa, is a ConfigError naming --video at the first frame.
class EpisodeFilm {
 public:
  /// `size` in pixels (even); `fps` 0: the env's control rate.
  EpisodeFilm(std::string path, std::pair<int, int> size, double fps);
  ~EpisodeFilm();
  /// Draws `env`'s current state into the video.
  void Frame(const Env& env);
  /// Finishes the file (renamed from FILE.part once ffmpeg succeeded); the number of frames.
  int Close();

 private:
  std::string path_;
  std::pair<int, int> size_;
  double fps_;
  std::unique_ptr<OffscreenRenderer> renderer_;
  std::unique_ptr<VideoWriter> writer_;
};

}  // namespace mbrl::env
