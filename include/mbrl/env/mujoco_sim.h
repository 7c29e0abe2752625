#pragma once
// RAII ownership of one mjModel and its mjData (MuJoCo appears only in env/).
#include <mujoco/mujoco.h>

#include <memory>
#include <string>

namespace mbrl::env {

/// A MuJoCo model compiled from an MJCF embedded in the binary, with one mjData.
class MujocoSim {
 public:
  /// Compiles the embedded asset `asset_name` (e.g. "cartpole_swingup.xml"). Throws mbrl::Error
  /// with MuJoCo's message if it does not compile.
  explicit MujocoSim(const std::string& asset_name);
  mjModel* model() const { return model_.get(); }
  mjData* data() const { return data_.get(); }
  /// Writes qpos/qvel, zeroes controls and calls mj_forward.
  void SetState(const double* qpos, const double* qvel);
  /// Writes `ctrl` [nu] and calls mj_step `frame_skip` times.
  void Step(const double* ctrl, int frame_skip);

 private:
  std::unique_ptr<mjModel, void (*)(mjModel*)> model_;
  std::unique_ptr<mjData, void (*)(mjData*)> data_;
};

/// The text of an MJCF file compiled into the binary, or nullptr if there is none of that name.
const char* EmbeddedAsset(const std::string& name);

}  // namespace mbrl::env
