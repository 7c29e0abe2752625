#include "mbrl/env/mujoco_sim.h"

#include <cstdio>
#include <cstring>

#include "mbrl/core/error.h"

namespace mbrl::env {
namespace {

// MuJoCo's own warning handler also appends to MUJOCO_LOG.TXT in the working directory; mbrl
// reports what matters (an unstable simulation stops the run naming the joint), so its warnings go
// to stderr only. A program that set its own handler keeps it.
void WarnOnStderr(const char* message) { std::fprintf(stderr, "warning: MuJoCo: %s\n", message); }
void UseStderrForWarnings() {
  static const bool once = [] {
    if (mju_user_warning == nullptr) mju_user_warning = WarnOnStderr;
    return true;
  }();
  (void)once;
}

}  // namespace

MujocoSim::MujocoSim(const std::string& asset_name)
    : model_(nullptr, mj_deleteModel), data_(nullptr, mj_deleteData) {
  UseStderrForWarnings();
  const char* xml = EmbeddedAsset(asset_name);
  if (xml == nullptr) throw Error("no embedded MJCF asset named " + asset_name);
  // The VFS struct is large (~2 MB): keep it on the heap.
  auto vfs = std::make_unique<mjVFS>();
  mj_defaultVFS(vfs.get());
  const int size = static_cast<int>(std::strlen(xml));
  if (mj_makeEmptyFileVFS(vfs.get(), asset_name.c_str(), size) != 0) {
    throw Error("cannot create MuJoCo VFS file for " + asset_name);
  }
  const int index = mj_findFileVFS(vfs.get(), asset_name.c_str());
  std::memcpy(vfs->filedata[index], xml, size);
  char error[1000] = "";
  model_.reset(mj_loadXML(asset_name.c_str(), vfs.get(), error, sizeof(error)));
  mj_deleteVFS(vfs.get());
  if (!model_) throw Error("MuJoCo cannot compile " + asset_name + ": " + error);
  data_.reset(mj_makeData(model_.get()));
  if (!data_) throw Error("MuJoCo cannot allocate mjData for " + asset_name);
}

MujocoSim::MujocoSim(mjModel* model, const std::string& name)
    : model_(model, mj_deleteModel), data_(nullptr, mj_deleteData) {
  UseStderrForWarnings();
  data_.reset(mj_makeData(model_.get()));
  if (!data_) throw Error("MuJoCo cannot allocate mjData for " + name);
}

MujocoSim MujocoSim::FromFile(const std::string& path) {
  UseStderrForWarnings();
  char error[1000] = "";
  mjModel* model = mj_loadXML(path.c_str(), nullptr, error, sizeof(error));
  if (model == nullptr) throw Error(path + ": MuJoCo cannot compile it: " + error);
  return MujocoSim(model, path);
}

void MujocoSim::SetState(const double* qpos, const double* qvel) {
  mj_resetData(model_.get(), data_.get());
  std::memcpy(data_->qpos, qpos, sizeof(double) * model_->nq);
  std::memcpy(data_->qvel, qvel, sizeof(double) * model_->nv);
  mj_forward(model_.get(), data_.get());
}

void MujocoSim::Step(const double* ctrl, int frame_skip) {
  std::memcpy(data_->ctrl, ctrl, sizeof(double) * model_->nu);
  for (int i = 0; i < frame_skip; ++i) mj_step(model_.get(), data_.get());
}

}  // namespace mbrl::env
