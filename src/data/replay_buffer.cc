#include "mbrl/data/replay_buffer.h"

#include <cstring>
#include <fstream>

#include "mbrl/core/atomic_file.h"
#include "mbrl/core/error.h"

namespace mbrl::data {
namespace {
constexpr char kMagic[8] = {'M', 'B', 'R', 'L', 'B', 'U', 'F', '1'};

template <class T>
void WriteVec(std::ofstream& out, const std::vector<T>& v) {
  out.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(T)));
}
template <class T>
void ReadVec(std::ifstream& in, std::vector<T>& v, size_t n, const std::string& path) {
  v.resize(n);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(T)));
  if (!in) throw Error(path + ": replay buffer file is truncated");
}
}  // namespace

ReplayBuffer::ReplayBuffer(int obs_dim, int action_dim)
    : obs_dim_(obs_dim), action_dim_(action_dim) {}

void ReplayBuffer::Add(const std::vector<double>& obs, const std::vector<double>& action,
                       double reward, const std::vector<double>& next_obs, bool terminated) {
  if (static_cast<int>(obs.size()) != obs_dim_ || static_cast<int>(next_obs.size()) != obs_dim_ ||
      static_cast<int>(action.size()) != action_dim_) {
    throw Error("ReplayBuffer::Add: expected obs/next_obs of size " + std::to_string(obs_dim_) +
                " and action of size " + std::to_string(action_dim_));
  }
  obs_.insert(obs_.end(), obs.begin(), obs.end());
  actions_.insert(actions_.end(), action.begin(), action.end());
  rewards_.push_back(static_cast<float>(reward));
  next_obs_.insert(next_obs_.end(), next_obs.begin(), next_obs.end());
  terminated_.push_back(terminated ? 1 : 0);
}

void ReplayBuffer::Save(const std::string& path) const {
  WriteAtomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    const int32_t dims[2] = {obs_dim_, action_dim_};
    const int64_t n = Size();
    out.write(kMagic, sizeof(kMagic));
    out.write(reinterpret_cast<const char*>(dims), sizeof(dims));
    out.write(reinterpret_cast<const char*>(&n), sizeof(n));
    WriteVec(out, obs_);
    WriteVec(out, actions_);
    WriteVec(out, rewards_);
    WriteVec(out, next_obs_);
    WriteVec(out, terminated_);
    out.flush();
    if (!out) throw Error("write failed");
  });
}

ReplayBuffer ReplayBuffer::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path + ": cannot open replay buffer");
  char magic[8];
  int32_t dims[2];
  int64_t n = 0;
  in.read(magic, sizeof(magic));
  if (!in || std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) {
    throw Error(path + ": not an mbrl replay buffer (bad header)");
  }
  in.read(reinterpret_cast<char*>(dims), sizeof(dims));
  in.read(reinterpret_cast<char*>(&n), sizeof(n));
  if (!in || dims[0] <= 0 || dims[1] <= 0 || n < 0) throw Error(path + ": corrupt replay buffer header");
  ReplayBuffer buffer(dims[0], dims[1]);
  const auto un = static_cast<size_t>(n);
  ReadVec(in, buffer.obs_, un * dims[0], path);
  ReadVec(in, buffer.actions_, un * dims[1], path);
  ReadVec(in, buffer.rewards_, un, path);
  ReadVec(in, buffer.next_obs_, un * dims[0], path);
  ReadVec(in, buffer.terminated_, un, path);
  return buffer;
}

}  // namespace mbrl::data
