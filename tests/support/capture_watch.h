#pragma once
// What a CUDA graph captured over a piece of code would hold, seen on any device through
// LibTorch's RecordFunction callbacks: the operators it runs with their host arguments, and the
// tensor memory it uses that it did not allocate itself. A graph replays exactly those operators
// with those arguments on exactly that memory. A step that carries state to the next one by
// assigning a new tensor to a member (instead of writing into the one it has), or that passes a
// host number which changes from step to step, would have its replays differ from eager steps;
// comparing what a capture and a later eager run of the same step show finds that on the CPU.
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace mbrl {

/// Memory first used by an operator: its name and the shape of the tensor it used.
struct MemoryUse {
  std::string op;
  std::vector<int64_t> sizes;
  std::string Describe() const;  // "aten::cat on a [3, 8, 1] tensor"
};

/// Watches operators, on any thread, while it lives (one at a time). Not for timed code: every
/// operator pays for the callback.
class CaptureWatch {
 public:
  CaptureWatch();
  ~CaptureWatch();
  CaptureWatch(const CaptureWatch&) = delete;
  CaptureWatch& operator=(const CaptureWatch&) = delete;

  /// The memory the operators read or wrote and that no earlier operator in the watch returned
  /// (views share their base's memory), by address, with the operator that used it first.
  std::map<const void*, MemoryUse> outside() const;
  /// The top-level operators in the order they ran, each with its arguments as a graph fixes
  /// them: tensors by type and shape ("Float[5, 3]"), everything else by value
  /// ("aten::mul(Float[5, 3], 0.5)"). Operators on other threads are interleaved as they came.
  std::vector<std::string> calls() const;
  /// The random generators passed to the top-level operators (by their at::GeneratorImpl): the
  /// ones a graph must advance on each replay. Operators given none draw from the default one.
  std::set<const void*> generators() const;
};

/// Where two runs of a step differ as CUDA graphs: calls that one ran more often than the other
/// (counted, not ordered: operators on different threads interleave differently from run to run;
/// three at most), and memory used by `run` and not by `capture`. One line each; empty when a
/// graph of `capture` would replay `run`.
std::vector<std::string> CaptureDifferences(const std::vector<std::string>& capture_calls,
                                            const std::map<const void*, MemoryUse>& capture_memory,
                                            const std::vector<std::string>& run_calls,
                                            const std::map<const void*, MemoryUse>& run_memory);

}  // namespace mbrl
