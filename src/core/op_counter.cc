#include "mbrl/core/op_counter.h"

#include <ATen/record_function.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <mutex>
#include <utility>

#include "mbrl/core/error.h"

namespace mbrl {
namespace {

std::atomic<int64_t> g_ops{0};
std::atomic<int64_t> g_syncs{0};
std::mutex g_names_mutex;
std::map<std::string, int64_t> g_sync_names;
std::map<std::string, int64_t> g_op_names;
std::atomic<int64_t> g_matmul_flops{0};
std::atomic<bool> g_active{false};
at::CallbackHandle g_handle = 0;

// Operators called from inside another operator on the same thread (randn's normal_, a CPU
// baddbmm's per-matrix addmm_) are not counted as operators: a device runs most top-level
// operators as one kernel. Host synchronisations count at any depth.
thread_local int t_depth = 0;
// Matrix products running on this thread: one inside another (baddbmm's addmm_, matmul's bmm)
// is part of the outer one's work.
thread_local int t_matmul_depth = 0;

// Marks a matrix product, so that its end callback knows to leave it.
struct MatmulContext : at::ObserverContext {};

// Where a matrix product's two factors are among its inputs; {-1, -1} for any other operator.
std::pair<int, int> MatmulFactors(const char* name) {
  static const std::pair<const char*, std::pair<int, int>> kOps[] = {
      {"aten::mm", {0, 1}},       {"aten::bmm", {0, 1}},       {"aten::matmul", {0, 1}},
      {"aten::mv", {0, 1}},       {"aten::dot", {0, 1}},       {"aten::linear", {0, 1}},
      {"aten::addmm", {1, 2}},    {"aten::addmm_", {1, 2}},    {"aten::baddbmm", {1, 2}},
      {"aten::baddbmm_", {1, 2}}, {"aten::addbmm", {1, 2}},    {"aten::addbmm_", {1, 2}},
      {"aten::addmv", {1, 2}},    {"aten::addmv_", {1, 2}},
  };
  for (const auto& [op, factors] : kOps) {
    if (std::strcmp(name, op) == 0) return factors;
  }
  return {-1, -1};
}

// 2 * multiply-adds of a [..., n, k] x [..., k, m] product (a 1-D factor is one row or column;
// batch dimensions broadcast); linear's weight is [m, k].
double ProductFlops(const at::Tensor& a, const at::Tensor& b, bool b_transposed) {
  const int64_t k = a.size(-1);
  const int64_t n = a.dim() >= 2 ? a.size(-2) : 1;
  const int64_t m = b.dim() < 2 ? 1 : b_transposed ? b.size(0) : b.size(-1);
  double batch = 1;
  for (int64_t i = 3; i <= std::max(a.dim(), b.dim()); ++i) {
    const int64_t da = a.dim() >= i ? a.size(-i) : 1, db = b.dim() >= i ? b.size(-i) : 1;
    batch *= static_cast<double>(std::max(da, db));
  }
  return 2.0 * batch * static_cast<double>(n) * static_cast<double>(k) * static_cast<double>(m);
}

std::unique_ptr<at::ObserverContext> OnOpStart(const at::RecordFunction& fn) {
  const bool top = t_depth++ == 0;
  const char* name = fn.name();
  if (name == nullptr) return nullptr;
  const auto [ia, ib] = MatmulFactors(name);
  std::unique_ptr<at::ObserverContext> context;
  if (ia >= 0) {
    const auto inputs = fn.inputs();
    const auto tensor_at = [&](int i) {
      return i < static_cast<int>(inputs.size()) && inputs[i].isTensor() &&
             inputs[i].toTensor().defined();
    };
    if (t_matmul_depth == 0 && tensor_at(ia) && tensor_at(ib)) {
      const double flops = ProductFlops(inputs[ia].toTensor(), inputs[ib].toTensor(),
                                        std::strcmp(name, "aten::linear") == 0);
      g_matmul_flops.fetch_add(static_cast<int64_t>(flops), std::memory_order_relaxed);
    }
    ++t_matmul_depth;
    context = std::make_unique<MatmulContext>();
  }
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
  return context;
}

void OnOpEnd(const at::RecordFunction&, at::ObserverContext* context) {
  if (t_depth > 0) --t_depth;  // an operator already running when counting began ends
  if (context != nullptr && t_matmul_depth > 0) --t_matmul_depth;
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
  g_handle = at::addGlobalCallback(at::RecordFunctionCallback(&OnOpStart, &OnOpEnd)
                                       .needsInputs(true)
                                       .scopes({at::RecordScope::FUNCTION}));
}

OpCounter::~OpCounter() {
  at::removeCallback(g_handle);
  g_active.store(false);
}

int64_t OpCounter::ops() const { return g_ops.load(); }
int64_t OpCounter::syncs() const { return g_syncs.load(); }
double OpCounter::matmul_flops() const { return static_cast<double>(g_matmul_flops.load()); }

void AddMatmulFlops(double flops) {
  if (g_active.load(std::memory_order_relaxed)) {
    g_matmul_flops.fetch_add(static_cast<int64_t>(flops), std::memory_order_relaxed);
  }
}

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
  g_matmul_flops.store(0);
  std::lock_guard<std::mutex> lock(g_names_mutex);
  g_sync_names.clear();
  g_op_names.clear();
}

}  // namespace mbrl
