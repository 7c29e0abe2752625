#pragma once
// Offscreen pictures of a MuJoCo task, on a machine without a display: MuJoCo's own renderer in an
// OSMesa (software OpenGL) context. libOSMesa is loaded at run time, so building mbrl needs no GL
// and a machine without it only loses rendering (Debian: libosmesa6).
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mbrl/env/env.h"

namespace mbrl::env {

/// Draws the current state of one MuJoCo env (the env it was made with; it must outlive this).
/// One renderer per thread; not copyable.
class OffscreenRenderer {
 public:
  /// Throws mbrl::Error when `env` has no MuJoCo scene (the toy barrier task), when OSMesa cannot
  /// be loaded (naming the package to install), or when the size is not positive.
  OffscreenRenderer(const Env& env, int width, int height);
  ~OffscreenRenderer();
  OffscreenRenderer(const OffscreenRenderer&) = delete;
  OffscreenRenderer& operator=(const OffscreenRenderer&) = delete;

  int width() const { return width_; }
  int height() const { return height_; }
  /// The env's control step in seconds: one frame per step plays in real time at 1 / this.
  double seconds_per_frame() const { return seconds_per_frame_; }
  /// The env's current state as RGB bytes, rows from top to bottom: [height, width, 3].
  std::vector<uint8_t> Render();

 private:
  struct State;
  std::unique_ptr<State> state_;
  int width_;
  int height_;
  double seconds_per_frame_;
};

}  // namespace mbrl::env
