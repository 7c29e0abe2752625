#include "mbrl/env/file_task.h"

#include <torch/script.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <random>
#include <sstream>

#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"

namespace mbrl::env {
namespace {

namespace fs = std::filesystem;

std::string ShapeOf(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

// "[0.5, nan, 1]": the values of a small 1-D tensor.
std::string Values(const torch::Tensor& t) {
  const auto v = t.detach().to(torch::kDouble).contiguous();
  std::string s = "[";
  for (int64_t i = 0; i < v.numel(); ++i) {
    s += (i ? ", " : "") + Format("%g", v.data_ptr<double>()[i]);
  }
  return s + "]";
}

std::string FirstLine(const std::string& text) {
  const auto end = text.find('\n');
  return end == std::string::npos ? text : text.substr(0, end);
}

// A file the config names must exist and be a file: else a ConfigError naming the key.
void RequireFile(const std::string& path, const std::string& key, const std::string& what) {
  if (path.empty()) {
    throw ConfigError(std::string("env.") + key + ": a task from files (task: " + kFileTaskName +
                      ") needs " + what);
  }
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw ConfigError("env." + key + ": " + path + ": no such file (expected " + what + ")");
  }
}

}  // namespace

/// The TorchScript module of a task and its methods, each called with a stack of tensors.
class ScriptedFunctions {
 public:
  explicit ScriptedFunctions(const std::string& path) : path_(path) {
    RequireFile(path, "functions", "a TorchScript file (torch.jit.script(...).save(...))");
    try {
      module_ = torch::jit::load(path, torch::kCPU);
    } catch (const std::exception& e) {
      throw ConfigError("env.functions: " + path + ": not a TorchScript module that LibTorch " +
                        "can load (" + FirstLine(e.what()) + ")");
    }
    module_.eval();
    reward_ = FindMethod("reward");
    terminated_ = FindMethod("terminated");
    preprocess_ = FindMethod("preprocess");
    target_ = FindMethod("target");
    next_obs_ = FindMethod("next_obs");
    if (!reward_) {
      Fail("reward", "no such method: expected `def reward(self, obs, action, next_obs) -> "
                     "Tensor` marked @torch.jit.export");
    }
    if (target_.has_value() != next_obs_.has_value()) {
      Fail(target_ ? "next_obs" : "target",
           "missing: target(obs, next_obs) and next_obs(obs, target) come as a pair (one inverts "
           "the other)");
    }
  }

  // The module's method `name`, if it has one (find_method's optional type differs between
  // LibTorch 1.13 and 2.x).
  std::optional<torch::jit::Method> FindMethod(const char* name) {
    auto found = module_.find_method(name);
    if (!found) return std::nullopt;
    return *found;
  }

  [[noreturn]] void Fail(const std::string& function, const std::string& what) const {
    throw ConfigError("env.functions: " + path_ + ": " + function + ": " + what);
  }

  // Calls `method` (`signature` names it in messages) and returns its tensor.
  torch::Tensor Call(const torch::jit::Method& method, const char* signature,
                     std::vector<c10::IValue> args) const {
    c10::IValue out;
    try {
      out = method(std::move(args));
    } catch (const std::exception& e) {
      Fail(signature, "failed: " + FirstLine(e.what()));
    }
    if (!out.isTensor()) Fail(signature, "expected a Tensor result, got " + out.tagKind());
    return out.toTensor();
  }

  const std::string& path() const { return path_; }
  const torch::jit::Module& module() const { return module_; }
  std::optional<torch::jit::Method> reward_, terminated_, preprocess_, target_, next_obs_;

 private:
  std::string path_;
  torch::jit::Module module_;
};

FileTask::FileTask(const config::EnvConfig& env, std::string name, int obs_dim,
                   const std::vector<double>& low, const std::vector<double>& high)
    : name_(std::move(name)),
      obs_dim_(obs_dim),
      action_dim_(static_cast<int>(low.size())),
      functions_(std::make_unique<ScriptedFunctions>(env.functions)) {
  const auto& f = *functions_;
  const int64_t B = 3, O = obs_dim_;
  // Probe inputs without touching any random generator: observations spread over [-1, 1],
  // actions at a quarter, half and three quarters of their range.
  const auto grid = [&](torch::ScalarType dtype) {
    return torch::linspace(-1.0, 1.0, B * O, torch::TensorOptions().dtype(dtype)).view({B, O});
  };
  const auto lo = torch::tensor(low, torch::kDouble), hi = torch::tensor(high, torch::kDouble);
  const auto frac = torch::tensor({0.25, 0.5, 0.75}, torch::kDouble).view({B, 1});
  const auto actions = (lo + (hi - lo) * frac);  // [B, A]

  for (const auto dtype : {torch::kFloat, torch::kDouble}) {
    const auto obs = grid(dtype), next = grid(dtype).flip(0);
    const auto act = actions.to(dtype);
    const char* dname = dtype == torch::kFloat ? "float32" : "float64";
    // reward: [B] of the input's floating type, finite.
    const auto r = Reward(obs, act, next);
    if (!torch::isfinite(r).all().item<bool>()) {
      f.Fail("reward(obs, action, next_obs)",
             std::string("not finite on a batch of ") + std::to_string(B) + " (" + dname +
                 "): " + Values(r));
    }
    if (f.preprocess_) {
      const auto x = PreprocessObs(obs);
      if (x.dim() != 2 || x.size(0) != B) {
        f.Fail("preprocess(obs)", std::string("expected [") + std::to_string(B) +
                                      ", F] for obs [" + std::to_string(B) + ", " +
                                      std::to_string(O) + "] (" + dname + "), got " + ShapeOf(x));
      }
      model_obs_dim_ = static_cast<int>(x.size(1));
      const auto x3 = PreprocessObs(obs.unsqueeze(0).expand({2, B, O}));
      if (x3.sizes() != torch::IntArrayRef({2, B, model_obs_dim_})) {
        f.Fail("preprocess(obs)", "expected [2, " + std::to_string(B) + ", " +
                                      std::to_string(model_obs_dim_) + "] for obs [2, " +
                                      std::to_string(B) + ", " + std::to_string(O) +
                                      "] (any leading dimensions), got " + ShapeOf(x3));
      }
    } else {
      model_obs_dim_ = obs_dim_;
    }
    if (f.terminated_) Terminated(next);
    if (f.target_) {
      const auto target = TargetFromTransition(obs, next);
      const auto back = NextObsFromPrediction(obs, target);
      if (!torch::allclose(back, next, 1e-4, 1e-4)) {
        f.Fail("next_obs(obs, target)",
               "does not invert target(obs, next_obs): next_obs(obs, target(obs, n)) differs from "
               "n by up to " +
                   Format("%g", (back - next).abs().max().item<double>()));
      }
      const auto back3 = NextObsFromPrediction(obs.unsqueeze(0).expand({2, B, O}),
                                               target.unsqueeze(0).expand({2, B, O}));
      if (back3.sizes() != torch::IntArrayRef({2, B, O})) {
        f.Fail("next_obs(obs, target)", "expected [2, " + std::to_string(B) + ", " +
                                            std::to_string(O) +
                                            "] for inputs with a leading dimension, got " +
                                            ShapeOf(back3));
      }
    }
  }
  // The gradient planners differentiate the returns with respect to the actions.
  const auto obs = grid(torch::kFloat), next = grid(torch::kFloat).flip(0).requires_grad_();
  const auto act = actions.to(torch::kFloat).requires_grad_();
  const auto r = Reward(obs, act, next);
  if (!r.requires_grad()) {
    f.Fail("reward(obs, action, next_obs)",
           "not differentiable: its result does not depend on action or next_obs through torch "
           "operations (no .item(), .numpy(), Python floats or torch.no_grad() on the way)");
  }
}

FileTask::~FileTask() = default;

torch::Tensor FileTask::Reward(const torch::Tensor& obs, const torch::Tensor& action,
                               const torch::Tensor& next_obs) const {
  const auto& f = *functions_;
  auto r = f.Call(*f.reward_, "reward(obs, action, next_obs)", {obs, action, next_obs});
  if (r.dim() != 1 || r.size(0) != obs.size(0) || !r.is_floating_point()) {
    f.Fail("reward(obs, action, next_obs)",
           "expected a floating-point tensor [" + std::to_string(obs.size(0)) + "] for " +
               std::to_string(obs.size(0)) + " transitions, got " + ShapeOf(r) + " " +
               std::string(c10::toString(r.scalar_type())));
  }
  if (r.scalar_type() != obs.scalar_type()) r = r.to(obs.scalar_type());
  return r;
}

torch::Tensor FileTask::Terminated(const torch::Tensor& next_obs) const {
  const auto& f = *functions_;
  if (!f.terminated_) return Task::Terminated(next_obs);
  const auto t = f.Call(*f.terminated_, "terminated(next_obs)", {next_obs});
  if (t.dim() != 1 || t.size(0) != next_obs.size(0) || t.scalar_type() != torch::kBool) {
    f.Fail("terminated(next_obs)", "expected a bool tensor [" + std::to_string(next_obs.size(0)) +
                                       "], got " + ShapeOf(t) + " " +
                                       std::string(c10::toString(t.scalar_type())));
  }
  return t;
}

bool FileTask::CanTerminate() const { return functions_->terminated_.has_value(); }

torch::Tensor FileTask::PreprocessObs(const torch::Tensor& obs) const {
  const auto& f = *functions_;
  if (!f.preprocess_) return obs;
  return f.Call(*f.preprocess_, "preprocess(obs)", {obs});
}

std::optional<ObsFeatures> FileTask::ModelInputFeatures() const {
  if (functions_->preprocess_) return std::nullopt;
  return Task::ModelInputFeatures();
}

std::optional<ObsTargets> FileTask::ModelTargets() const {
  if (functions_->target_) return std::nullopt;
  return Task::ModelTargets();
}

const torch::jit::Module& FileTask::Functions() const { return functions_->module(); }

torch::Tensor FileTask::TargetFromTransition(const torch::Tensor& obs,
                                             const torch::Tensor& next_obs) const {
  const auto& f = *functions_;
  if (!f.target_) return Task::TargetFromTransition(obs, next_obs);
  const auto t = f.Call(*f.target_, "target(obs, next_obs)", {obs, next_obs});
  if (t.sizes() != obs.sizes()) {
    f.Fail("target(obs, next_obs)",
           "expected the shape of obs " + ShapeOf(obs) + ", got " + ShapeOf(t));
  }
  return t;
}

torch::Tensor FileTask::NextObsFromPrediction(const torch::Tensor& obs,
                                              const torch::Tensor& pred) const {
  const auto& f = *functions_;
  if (!f.next_obs_) return Task::NextObsFromPrediction(obs, pred);
  return f.Call(*f.next_obs_, "next_obs(obs, target)", {obs, pred});
}

namespace {

MujocoSim CompileModel(const config::EnvConfig& env) {
  RequireFile(env.model, "model", "an MJCF file (a MuJoCo model)");
  try {
    return MujocoSim::FromFile(env.model);
  } catch (const Error& e) {
    throw ConfigError("env.model: " + std::string(e.what()));
  }
}

// The first non-finite or huge (beyond MuJoCo's mjMAXVAL) number among the model's bodies,
// joints, geoms and degrees of freedom, as "joint 'elbow' axis = [0, 0, nan]"; "" when none.
std::string FirstBadNumber(const mjModel* m) {
  struct Field {
    mjtObj type;
    const char* kind;
    const char* field;
    const mjtNum* values;
    int count, width;
  };
  const Field fields[] = {
      {mjOBJ_BODY, "body", "pos", m->body_pos, m->nbody, 3},
      {mjOBJ_BODY, "body", "quat", m->body_quat, m->nbody, 4},
      {mjOBJ_BODY, "body", "mass", m->body_mass, m->nbody, 1},
      {mjOBJ_BODY, "body", "inertia", m->body_inertia, m->nbody, 3},
      {mjOBJ_JOINT, "joint", "pos", m->jnt_pos, m->njnt, 3},
      {mjOBJ_JOINT, "joint", "axis", m->jnt_axis, m->njnt, 3},
      {mjOBJ_GEOM, "geom", "pos", m->geom_pos, m->ngeom, 3},
      {mjOBJ_GEOM, "geom", "size", m->geom_size, m->ngeom, 3},
      {mjOBJ_DOF, "dof", "damping", m->dof_damping, m->nv, 1},
      {mjOBJ_DOF, "dof", "armature", m->dof_armature, m->nv, 1},
  };
  for (const auto& f : fields) {
    for (int i = 0; i < f.count; ++i) {
      const mjtNum* v = f.values + static_cast<size_t>(i) * f.width;
      if (std::all_of(v, v + f.width, [](mjtNum x) { return std::abs(x) <= mjMAXVAL; })) continue;
      const char* name = f.type == mjOBJ_DOF ? nullptr : mj_id2name(m, f.type, i);
      std::string text = std::string(f.kind) + " " +
                         (name ? std::string("'") + name + "'" : "#" + std::to_string(i)) + " " +
                         f.field + " = ";
      if (f.width > 1) text += "[";
      for (int k = 0; k < f.width; ++k) text += (k ? ", " : "") + Format("%g", v[k]);
      return f.width > 1 ? text + "]" : text;
    }
  }
  return "";
}

// MuJoCo's warnings on `d` so far, as its own texts joined by "; ".
std::string WarningsOf(const mjData* d) {
  std::string text;
  for (int i = 0; i < mjNWARNING; ++i) {
    if (d->warning[i].number == 0) continue;
    std::string warning = mju_warningText(i, d->warning[i].lastinfo);
    while (!warning.empty() && (warning.back() == '.' || warning.back() == ' ')) warning.pop_back();
    text += (text.empty() ? "" : "; ") + warning;
  }
  return text;
}

// "sensor #2 (fingertip) reads [1e+30, 0, 0.01]": the sensor whose data holds `value`.
std::string SensorReading(const mjModel* m, const mjData* d, const mjtNum* value) {
  const int at = static_cast<int>(value - d->sensordata);
  int id = 0;
  while (id + 1 < m->nsensor && m->sensor_adr[id + 1] <= at) ++id;
  const char* name = mj_id2name(m, mjOBJ_SENSOR, id);
  std::string text = "sensor #" + std::to_string(id) + (name ? std::string(" (") + name + ")" : "") +
                     " reads [";
  for (int k = 0; k < m->sensor_dim[id]; ++k) {
    text += (k ? ", " : "") + Format("%g", d->sensordata[m->sensor_adr[id] + k]);
  }
  return text + "]";
}

// Runs the model a few control steps from its initial state (qpos0, at rest) with zero actions,
// then again with uniform random actions within the control ranges (a fixed seed of its own), on
// an mjData of its own. A model that MuJoCo finds unstable there (a bad number in qpos, qvel or
// qacc), or whose sensors read a non-finite or huge value, is refused with a ConfigError naming
// the file and what MuJoCo reported.
void ProbeStability(const MujocoSim& sim, int frame_skip, const std::vector<double>& low,
                    const std::vector<double>& high, const std::string& path) {
  constexpr int kSteps = 20;
  const mjModel* m = sim.model();
  std::unique_ptr<mjData, void (*)(mjData*)> d(mj_makeData(m), mj_deleteData);
  if (!d) throw Error("MuJoCo cannot allocate mjData for " + path);
  std::mt19937_64 rng(0x5eed);
  for (const bool random : {false, true}) {
    mj_resetData(m, d.get());
    for (int t = 1; t <= kSteps; ++t) {
      for (int i = 0; i < m->nu; ++i) {
        d->ctrl[i] =
            random ? std::uniform_real_distribution<double>(low[i], high[i])(rng) : 0.0;
      }
      for (int k = 0; k < frame_skip; ++k) mj_step(m, d.get());
      mj_forward(m, d.get());  // the sensors at the new state
      const bool bad_state = d->warning[mjWARN_BADQPOS].number ||
                             d->warning[mjWARN_BADQVEL].number ||
                             d->warning[mjWARN_BADQACC].number;
      const auto sensor = std::find_if(d->sensordata, d->sensordata + m->nsensordata,
                                       [](mjtNum x) { return !(std::abs(x) <= mjMAXVAL); });
      if (!bad_state && sensor == d->sensordata + m->nsensordata) continue;
      const std::string what =
          bad_state ? "MuJoCo: " + WarningsOf(d.get()) : SensorReading(m, d.get(), sensor);
      const std::string bad = FirstBadNumber(m);
      throw ConfigError(
          "env.model: " + path + ": the simulation is unstable from its initial state, at " +
          "control step " + std::to_string(t) + " with " +
          (random ? "random actions within the control ranges" : "zero actions") + " (" + what +
          ")" +
          (bad.empty() ? ": a smaller <option timestep>, or more damping or armature"
                       : ": the model holds " + bad));
    }
  }
}

}  // namespace

FileTaskEnv::FileTaskEnv(const config::EnvConfig& env)
    : MujocoEnv(CompileModel(env), env.frame_skip),
      config_(env),
      name_(fs::path(env.model).stem().string()) {
  const mjModel* m = sim_.model();
  const std::string where = "env.model: " + env.model + ": ";
  if (m->nsensordata == 0) {
    throw ConfigError(where + "the model has no sensors, and a task's observation is its "
                      "sensors' data: add a <sensor> block, e.g. <sensor><jointpos joint=\"J\"/>"
                      "<jointvel joint=\"J\"/></sensor> for each joint J");
  }
  if (m->nu == 0) {
    throw ConfigError(where + "the model has no actuators, and a task's action is its "
                      "actuators' controls: add an <actuator> block, e.g. <motor joint=\"J\" "
                      "ctrlrange=\"-1 1\"/>");
  }
  for (int i = 0; i < m->nu; ++i) {
    const char* name = mj_id2name(m, mjOBJ_ACTUATOR, i);
    const std::string label = name ? std::string("'") + name + "'" : "#" + std::to_string(i);
    const double lo = m->actuator_ctrlrange[2 * i], hi = m->actuator_ctrlrange[2 * i + 1];
    if (!m->actuator_ctrllimited[i] || !(lo < hi)) {
      throw ConfigError(where + "actuator " + label + " has no control range, and the planners "
                        "sample actions within it: give it ctrlrange=\"low high\" (with "
                        "ctrllimited=\"true\")");
    }
    low_.push_back(lo);
    high_.push_back(hi);
  }
  obs_dim_ = m->nsensordata;
  if (env.episode_length < 1) {
    throw ConfigError("env.episode_length: a task from files needs its episode length (steps per "
                      "episode, >= 1)");
  }
  episode_length_ = env.episode_length;
  ProbeStability(sim_, frame_skip_, low_, high_, env.model);
  task_ = MakeTask();
}

std::unique_ptr<FileTask> FileTaskEnv::MakeTask() const {
  return std::make_unique<FileTask>(config_, name_, obs_dim_, low_, high_);
}

std::vector<double> FileTaskEnv::Reset(std::mt19937_64& rng) {
  const mjModel* m = sim_.model();
  const double s = config_.reset_noise;
  std::vector<double> qpos(m->nq), qvel(m->nv);
  const auto fill = [&](auto& dist) {
    for (int i = 0; i < m->nq; ++i) qpos[i] = m->qpos0[i] + dist(rng);
    for (int i = 0; i < m->nv; ++i) qvel[i] = dist(rng);
  };
  if (config_.reset_noise_type == "normal") {
    std::normal_distribution<double> noise(0.0, s);
    fill(noise);
  } else {
    std::uniform_real_distribution<double> noise(-s, s);
    fill(noise);
  }
  sim_.SetState(qpos.data(), qvel.data());
  return Observe();
}

StepResult FileTaskEnv::DoStep(const std::vector<double>& action) {
  std::vector<double> before = Observe();
  mjData* d = sim_.data();
  const int unstable = d->warning[mjWARN_BADQACC].number;
  Advance(action);
  if (d->warning[mjWARN_BADQACC].number != unstable) {
    // MuJoCo has reset the state: the episode would go on from elsewhere, silently.
    const int dof = d->warning[mjWARN_BADQACC].lastinfo;
    const char* joint =
        dof >= 0 && dof < sim_.model()->nv
            ? mj_id2name(sim_.model(), mjOBJ_JOINT, sim_.model()->dof_jntid[dof])
            : nullptr;
    throw Error(config_.model + ": the simulation became unstable (MuJoCo: huge or non-finite "
                "acceleration at DOF " + std::to_string(dof) +
                (joint ? std::string(", joint '") + joint + "'" : std::string()) +
                "): a smaller <option timestep>, or more damping or armature on that joint");
  }
  // mj_step evaluates the sensors before it integrates: evaluate them at the new state.
  mj_forward(sim_.model(), d);
  StepResult result;
  result.obs = Observe();
  result.reward = StepReward(*task_, before, action, result.obs);
  result.terminated = StepTerminated(*task_, result.obs);
  return result;
}

std::vector<double> FileTaskEnv::Observe() const {
  const mjData* d = sim_.data();
  return std::vector<double>(d->sensordata, d->sensordata + sim_.model()->nsensordata);
}

}  // namespace mbrl::env
