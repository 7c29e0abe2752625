#include "mbrl/env/film.h"

#include "mbrl/core/error.h"
#include "mbrl/core/video.h"

namespace mbrl::env {

EpisodeFilm::EpisodeFilm(std::string path, std::pair<int, int> size, double fps)
    : path_(std::move(path)), size_(size), fps_(fps) {}

EpisodeFilm::~EpisodeFilm() = default;

void EpisodeFilm::Frame(const Env& env) {
  if (!renderer_) {
    try {
      renderer_ = std::make_unique<OffscreenRenderer>(env, size_.first, size_.second);
    } catch (const ConfigError&) {
      throw;
    } catch (const Error& e) {
      throw ConfigError(std::string("--video: ") + e.what());
    }
    const double fps = fps_ > 0 ? fps_ : 1.0 / renderer_->seconds_per_frame();
    writer_ = std::make_unique<VideoWriter>(path_, size_.first, size_.second, fps);
  }
  writer_->Write(renderer_->Render());
}

int EpisodeFilm::Close() {
  if (!writer_) return 0;
  writer_->Close();
  return writer_->frames();
}

}  // namespace mbrl::env
