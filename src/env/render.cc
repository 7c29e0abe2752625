#include "mbrl/env/render.h"

#include <dlfcn.h>
#include <mujoco/mujoco.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "mbrl/core/error.h"
#include "mbrl/core/strings.h"
#include "mbrl/env/mujoco_sim.h"
#include "mbrl/env/registry.h"

namespace mbrl::env {
namespace {

// The few OSMesa entry points used here, declared by hand so that building needs no GL headers
// (values from GL/osmesa.h and GL/gl.h).
using OSMesaContext = void*;
using CreateContextExtFn = OSMesaContext (*)(unsigned format, int depth_bits, int stencil_bits,
                                             int accum_bits, OSMesaContext sharelist);
using MakeCurrentFn = unsigned char (*)(OSMesaContext ctx, void* buffer, unsigned type, int width,
                                        int height);
using DestroyContextFn = void (*)(OSMesaContext ctx);
constexpr unsigned kOsmesaRgba = 0x1908;       // OSMESA_RGBA (= GL_RGBA)
constexpr unsigned kGlUnsignedByte = 0x1401;   // GL_UNSIGNED_BYTE

constexpr const char* kNoOsmesa =
    "cannot load libOSMesa.so.8 (software OpenGL for rendering without a display): install it "
    "with `apt install libosmesa6` (scripts/setup.sh does)";

// Loaded once per process, RTLD_GLOBAL so that MuJoCo's own GL loader finds
// OSMesaGetProcAddress among the process's symbols.
struct OsMesa {
  CreateContextExtFn create = nullptr;
  MakeCurrentFn make_current = nullptr;
  DestroyContextFn destroy = nullptr;
  std::string error;
};

const OsMesa& LoadOsMesa() {
  static const OsMesa api = [] {
    OsMesa a;
    // Some LibTorch builds carry a copy of LLVM and export its symbols (Debian trixie's 2.6
    // exports LLVM's C API; PyTorch's own builds export at least llvm_regcomp and llvm_orc_*,
    // pytorch/pytorch#87642); Mesa's llvmpipe would then bind to that copy instead of its own
    // libLLVM and crash while creating the context. When LLVM is already in the process, OSMesa
    // is loaded with its own dependencies ahead of the process's symbols.
    int flags = RTLD_NOW | RTLD_GLOBAL;
#ifdef RTLD_DEEPBIND
    for (const char* llvm_symbol : {"LLVMCloneModule", "LLVMContextCreate", "llvm_regcomp",
                                    "llvm_orc_registerEHFrameSectionWrapper"}) {
      if (dlsym(RTLD_DEFAULT, llvm_symbol) != nullptr) flags |= RTLD_DEEPBIND;
    }
#endif
    void* lib = dlopen("libOSMesa.so.8", flags);
    if (lib == nullptr) lib = dlopen("libOSMesa.so", flags);
    if (lib == nullptr) {
      a.error = kNoOsmesa;
      return a;
    }
    a.create = reinterpret_cast<CreateContextExtFn>(dlsym(lib, "OSMesaCreateContextExt"));
    a.make_current = reinterpret_cast<MakeCurrentFn>(dlsym(lib, "OSMesaMakeCurrent"));
    a.destroy = reinterpret_cast<DestroyContextFn>(dlsym(lib, "OSMesaDestroyContext"));
    if (!a.create || !a.make_current || !a.destroy) {
      a.error = std::string("libOSMesa lacks OSMesaCreateContextExt/OSMesaMakeCurrent: ") + kNoOsmesa;
    }
    return a;
  }();
  return api;
}

// A colour per body for geoms left at MuJoCo's default grey, so limbs can be told apart.
constexpr float kPalette[][3] = {{0.85f, 0.55f, 0.25f}, {0.30f, 0.55f, 0.85f},
                                 {0.40f, 0.75f, 0.40f}, {0.80f, 0.35f, 0.40f},
                                 {0.65f, 0.50f, 0.80f}, {0.85f, 0.80f, 0.35f}};

// Follow the first body when it slides or floats (the cart, the half-cheetah, the humanoid), so a
// close view keeps it in the picture.
bool FirstBodyMoves(const mjModel* m) {
  if (m->nbody < 2 || m->body_jntnum[1] == 0) return false;
  const int type = m->jnt_type[m->body_jntadr[1]];
  return type == mjJNT_FREE || type == mjJNT_SLIDE;
}

// Radius of the bodies other than the world around the first body's centre of mass.
double MovingPartsRadius(const mjModel* m, const mjData* d) {
  const mjtNum* com = d->subtree_com + 3;
  double radius = 0;
  for (int g = 0; g < m->ngeom; ++g) {
    if (m->geom_bodyid[g] == 0) continue;
    const mjtNum* p = d->geom_xpos + 3 * g;
    const double dx = p[0] - com[0], dy = p[1] - com[1], dz = p[2] - com[2];
    radius = std::max(radius, std::sqrt(dx * dx + dy * dy + dz * dz) + m->geom_rbound[g]);
  }
  return radius;
}

// The built-in tasks whose environment has a MuJoCo scene.
std::vector<std::string> FilmableTaskNames() {
  std::vector<std::string> names;
  for (const auto& task : Tasks()) {
    if (dynamic_cast<const MujocoEnv*>(task.make_env().get()) != nullptr) names.push_back(task.name);
  }
  return names;
}

}  // namespace

struct OffscreenRenderer::State {
  const MujocoSim* sim = nullptr;
  OSMesaContext context = nullptr;
  std::vector<unsigned char> window;    // OSMesa's own buffer; MuJoCo draws offscreen
  mjModel* model = nullptr;             // a copy whose visual settings may be changed
  mjvCamera camera;
  mjvOption option;
  mjvScene scene;
  mjrContext render_context;
  bool scene_made = false;
  bool context_made = false;
  bool follow_first_body = false;   // keep the first body in view, horizontally

  ~State() {
    if (context_made) mjr_freeContext(&render_context);
    if (scene_made) mjv_freeScene(&scene);
    if (model) mj_deleteModel(model);
    if (context) LoadOsMesa().destroy(context);
  }
};

OffscreenRenderer::OffscreenRenderer(const Env& env, int width, int height)
    : state_(std::make_unique<State>()), width_(width), height_(height) {
  const auto* mujoco_env = dynamic_cast<const MujocoEnv*>(&env);
  if (mujoco_env == nullptr) {
    throw Error(env.Name() + " is not a MuJoCo task, so it has no scene to film (rendering "
                "covers " + Join(FilmableTaskNames()) + " and tasks from files)");
  }
  if (width < 16 || height < 16 || width > 4096 || height > 4096) {
    throw Error("render size " + std::to_string(width) + "x" + std::to_string(height) +
                ": expected 16..4096 pixels each way");
  }
  seconds_per_frame_ = mujoco_env->dt();
  const OsMesa& api = LoadOsMesa();
  if (!api.error.empty()) throw Error(api.error);
  State& s = *state_;
  s.sim = &mujoco_env->sim();
  s.context = api.create(kOsmesaRgba, 24, 8, 0, nullptr);
  if (s.context == nullptr) throw Error("OSMesa could not create a rendering context");
  s.window.resize(static_cast<size_t>(width) * height * 4);
  if (!api.make_current(s.context, s.window.data(), kGlUnsignedByte, width, height)) {
    throw Error("OSMesa could not make its rendering context current");
  }

  s.model = mj_copyModel(nullptr, s.sim->model());
  mjModel* m = s.model;
  m->vis.global.offwidth = std::max(m->vis.global.offwidth, width);
  m->vis.global.offheight = std::max(m->vis.global.offheight, height);
  m->vis.headlight.ambient[0] = m->vis.headlight.ambient[1] = m->vis.headlight.ambient[2] = 0.35f;
  m->vis.headlight.diffuse[0] = m->vis.headlight.diffuse[1] = m->vis.headlight.diffuse[2] = 0.7f;
  for (int g = 0; g < m->ngeom; ++g) {
    float* rgba = m->geom_rgba + 4 * g;
    const bool default_grey = rgba[0] == 0.5f && rgba[1] == 0.5f && rgba[2] == 0.5f;
    if (!default_grey) continue;
    const int body = m->geom_bodyid[g];
    const float* c = body == 0 ? nullptr : kPalette[(body - 1) % 6];
    for (int k = 0; k < 3; ++k) rgba[k] = c ? c[k] : 0.6f;
  }

  // From the side and a little above: the planar tasks move in the x-z plane.
  mjv_defaultFreeCamera(m, &s.camera);
  s.camera.elevation = -12;
  s.follow_first_body = FirstBodyMoves(m);
  if (s.follow_first_body) {
    s.camera.distance = std::max(1.5, 4.0 * MovingPartsRadius(m, s.sim->data()));
  }
  if (m->ncam > 0) {
    // A model that declares a <camera> (a task from files) is filmed through its first one.
    s.camera.type = mjCAMERA_FIXED;
    s.camera.fixedcamid = 0;
    s.follow_first_body = false;
  }
  mjv_defaultOption(&s.option);
  mjv_defaultScene(&s.scene);
  mjv_makeScene(m, &s.scene, 2000);
  s.scene_made = true;
  mjr_defaultContext(&s.render_context);
  mjr_makeContext(m, &s.render_context, mjFONTSCALE_100);
  s.context_made = true;
  mjr_setBuffer(mjFB_OFFSCREEN, &s.render_context);
  if (s.render_context.currentBuffer != mjFB_OFFSCREEN) {
    throw Error("MuJoCo's offscreen framebuffer is not available in this OpenGL context");
  }
}

OffscreenRenderer::~OffscreenRenderer() = default;

std::vector<uint8_t> OffscreenRenderer::Render() {
  State& s = *state_;
  LoadOsMesa().make_current(s.context, s.window.data(), kGlUnsignedByte, width_, height_);
  const mjrRect viewport{0, 0, width_, height_};
  if (s.follow_first_body) {
    // Set here rather than by MuJoCo's tracking camera, which moves by the change since its
    // last update: the same state then always draws the same picture.
    const mjtNum* com = s.sim->data()->subtree_com + 3;
    s.camera.lookat[0] = com[0];
    s.camera.lookat[1] = com[1];
  }
  mjv_updateScene(s.model, s.sim->data(), &s.option, nullptr, &s.camera, mjCAT_ALL, &s.scene);
  mjr_render(viewport, &s.scene, &s.render_context);
  std::vector<uint8_t> bottom_up(static_cast<size_t>(width_) * height_ * 3);
  mjr_readPixels(bottom_up.data(), nullptr, viewport, &s.render_context);
  // OpenGL reads from the bottom row up; pictures and video go top down.
  std::vector<uint8_t> rgb(bottom_up.size());
  const size_t row = static_cast<size_t>(width_) * 3;
  for (int y = 0; y < height_; ++y) {
    std::memcpy(rgb.data() + y * row, bottom_up.data() + (height_ - 1 - y) * row, row);
  }
  return rgb;
}

}  // namespace mbrl::env
