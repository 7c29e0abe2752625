#pragma once
// Counting the ATen operators a piece of code dispatches, on any thread, through LibTorch's
// RecordFunction callbacks: a CPU-measurable proxy for kernel launches on a GPU, and for the host
// synchronisations (reading a tensor's value, data-dependent shapes) that stop a device from
// running ahead or a CUDA graph from being captured; and the floating-point work of the matrix
// products among them, for an arithmetic floor (that work at a GEMM's rate).
#include <cstdint>
#include <map>
#include <string>

namespace mbrl {

/// Counts operators while it lives (one at a time). Not for timed code: every operator pays for
/// the callback while a counter exists.
class OpCounter {
 public:
  OpCounter();
  ~OpCounter();
  OpCounter(const OpCounter&) = delete;
  OpCounter& operator=(const OpCounter&) = delete;

  /// ATen operators dispatched since construction or Reset(), not counting the ones an operator
  /// calls inside itself (a device runs most top-level operators as one kernel).
  int64_t ops() const;
  /// Of those, the ones that make the host wait for the device's result: aten::_local_scalar_dense
  /// (item(), bool and number conversions), nonzero, masked_select, equal, unique.
  int64_t syncs() const;
  /// Every operator seen, by name, with its count.
  std::map<std::string, int64_t> OpsByName() const;
  /// The synchronising operators seen, by name, with their counts.
  std::map<std::string, int64_t> SyncsByName() const;
  /// Floating-point operations (2 per multiply-add) of the matrix products run since construction
  /// or Reset(), on any thread: each outermost mm, bmm, addmm, baddbmm, addbmm, matmul, linear,
  /// mv, addmv or dot, from its input shapes (a CPU baddbmm's per-matrix addmm_ is inside it, not
  /// counted again), plus what hand-written products report through AddMatmulFlops. Bias adds
  /// and activations are not counted.
  double matmul_flops() const;
  void Reset();
};

/// For matrix products written by hand rather than dispatched as ATen operators: adds `flops` to
/// the live OpCounter's matmul_flops(); nothing when no counter exists (one atomic load).
void AddMatmulFlops(double flops);

/// Whether an operator named `name` (e.g. "aten::nonzero") makes the host wait for its result.
bool IsHostSyncOp(const std::string& name);

}  // namespace mbrl
