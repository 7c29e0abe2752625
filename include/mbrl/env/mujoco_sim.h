#pragma once
// RAII ownership of one mjModel and its mjData (MuJoCo appears only in env/).
#include <mujoco/mujoco.h>

#include <memory>
#include <string>

#include "mbrl/env/env.h"

namespace mbrl::env {

/// A MuJoCo model compiled from an MJCF embedded in the binary, with one mjData.
class MujocoSim {
 public:
  /// Compiles the embedded asset `asset_name` (e.g. "cartpole_swingup.xml"). Throws mbrl::Error
  /// with MuJoCo's message if it does not compile.
  explicit MujocoSim(const std::string& asset_name);
  /// Compiles the MJCF file at `path` (its includes and meshes relative to it). Throws mbrl::Error
  /// naming the file, with MuJoCo's message (which gives the line) if it does not compile.
  static MujocoSim FromFile(const std::string& path);
  mjModel* model() const { return model_.get(); }
  mjData* data() const { return data_.get(); }
  /// Writes qpos/qvel, zeroes controls and calls mj_forward.
  void SetState(const double* qpos, const double* qvel);
  /// Writes `ctrl` [nu] and calls mj_step `frame_skip` times.
  void Step(const double* ctrl, int frame_skip);

 private:
  MujocoSim(mjModel* model, const std::string& name);
  std::unique_ptr<mjModel, void (*)(mjModel*)> model_;
  std::unique_ptr<mjData, void (*)(mjData*)> data_;
};

/// Base of the MuJoCo tasks: owns the simulator and the frame skip (control step = frame_skip
/// MuJoCo steps).
class MujocoEnv : public Env {
 public:
  /// The simulator (for tests and inspection).
  const MujocoSim& sim() const { return sim_; }
  /// Control step length: timestep x frame skip.
  double dt() const { return sim_.model()->opt.timestep * frame_skip_; }

 protected:
  MujocoEnv(const std::string& asset_name, int frame_skip)
      : sim_(asset_name), frame_skip_(frame_skip) {}
  MujocoEnv(MujocoSim sim, int frame_skip) : sim_(std::move(sim)), frame_skip_(frame_skip) {}
  /// Writes the action to ctrl and advances frame_skip MuJoCo steps.
  void Advance(const std::vector<double>& action) { sim_.Step(action.data(), frame_skip_); }

  MujocoSim sim_;
  int frame_skip_;
};

/// The text of an MJCF file compiled into the binary, or nullptr if there is none of that name.
const char* EmbeddedAsset(const std::string& name);

}  // namespace mbrl::env
