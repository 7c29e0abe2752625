#include "mbrl/core/op_counter.h"

#include <ATen/record_function.h>

#include <atomic>
#include <mutex>

#include "mbrl/core/error.h"

namespace mbrl {
namespace {

std::atomic<int64_t> g_ops{0};
std::atomic<int64_t> g_syncs{0};
std::mutex g_names_mutex;
std::map<std::string, int64_t> g_sync_names;
std::map<std::string, int64_t> g_op_names;
std::atomic<bool> g_active{false};
at::CallbackHandle g_handle = 0;

// Operators called from inside another operator on the same thread (randn's normal_, a CPU
// baddbmm's per-matrix addmm_) are not counted as operators: a device runs most top-level
// operators as one kernel. Host synchronisations count at any depth.
thread_local int t_depth = 0;

std::unique_ptr<at::ObserverContext> OnOpStart(const at::RecordFunction& fn) {
  const bool top = t_depth++ == 0;
  const char* name = fn.name();
  if (name == nullptr) return nullptr;
  if (top) {
    g_ops.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(g_names_mutex);
    ++g_op_names[name];
  }
  if (IsHostSyncOp(name)) {
    g_syncs.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard<std::mutex> lock(g_names_mutex);
    ++g_sync_names[name];
  }
  return nullptr;
}

void OnOpEnd(const at::RecordFunction&, at::ObserverContext*) {
  if (t_depth > 0) --t_depth;  // an operator already running when counting began ends
}

}  // namespace

bool IsHostSyncOp(const std::string& name) {
  static const char* const kSyncOps[] = {
      "aten::_local_scalar_dense", "aten::nonzero",  "aten::nonzero_static", "aten::masked_select",
      "aten::equal",               "aten::_unique",  "aten::_unique2",       "aten::unique_dim",
      "aten::unique_consecutive",
  };
  for (const char* op : kSyncOps) {
    if (name == op) return true;
  }
  return false;
}

OpCounter::OpCounter() {
  if (g_active.exchange(true)) throw Error("OpCounter: only one counter may exist at a time");
  Reset();
  g_handle = at::addGlobalCallback(
      at::RecordFunctionCallback(&OnOpStart, &OnOpEnd).scopes({at::RecordScope::FUNCTION}));
}

OpCounter::~OpCounter() {
  at::removeCallback(g_handle);
  g_active.store(false);
}

int64_t OpCounter::ops() const { return g_ops.load(); }
int64_t OpCounter::syncs() const { return g_syncs.load(); }

std::map<std::string, int64_t> OpCounter::OpsByName() const {
  std::lock_guard<std::mutex> lock(g_names_mutex);
  return g_op_names;
}

std::map<std::string, int64_t> OpCounter::SyncsByName() const {
  std::lock_guard<std::mutex> lock(g_names_mutex);
  return g_sync_names;
}

void OpCounter::Reset() {
  g_ops.store(0);
  g_syncs.store(0);
  std::lock_guard<std::mutex> lock(g_names_mutex);
  g_sync_names.clear();
  g_op_names.clear();
}

}  // namespace mbrl
