#include "support/capture_watch.h"

#include <ATen/record_function.h>
#include <torch/torch.h>

#include <atomic>
#include <mutex>
#include <set>
#include <sstream>

#include "mbrl/core/error.h"

namespace mbrl {
namespace {

std::mutex g_mutex;
std::map<const void*, MemoryUse> g_outside;
std::set<const void*> g_made;  // memory that operators in the watch returned
std::vector<std::string> g_calls;
std::set<const void*> g_generators;
std::atomic<bool> g_active{false};
at::CallbackHandle g_handle = 0;

// Only top-level operators are looked at: an operator called inside another one gets the outer
// one's inputs, or memory the outer one made without calling an operator (a reduction's result,
// which it may view with as_strided before returning it).
thread_local int t_depth = 0;

// The elements of a list or a tuple (cat's inputs, index's optional indices, a tuple result).
c10::ArrayRef<c10::IValue> Items(const c10::IValue& value) {
  return value.isList() ? value.toListRef() : value.toTupleRef().elements().asArrayRef();
}

// Calls f(tensor) for every tensor in `value`, looking into lists and tuples.
template <typename F>
void ForEachTensor(const c10::IValue& value, const F& f) {
  if (value.isTensor()) {
    f(value.toTensor());
  } else if (value.isList() || value.isTuple()) {
    for (const auto& v : Items(value)) ForEachTensor(v, f);
  }
}

// A number passed as a tensor (the 2 of `x * 2`) is made anew for each call, and a device kernel
// gets its value, not its memory.
bool IsWrappedNumber(const at::Tensor& t) {
  return t.defined() && t.unsafeGetTensorImpl()->is_wrapped_number();
}

const void* Address(const at::Tensor& t) {
  if (!t.defined() || !t.has_storage() || IsWrappedNumber(t)) return nullptr;
  return t.storage().data_ptr().get();  // null for empty tensors
}

void Print(std::ostream& s, const c10::IValue& value);

// `values` printed one after the other, separated by ", ".
template <typename Values>
void PrintJoined(std::ostream& s, const Values& values) {
  bool first = true;
  for (const auto& v : values) {
    if (!first) s << ", ";
    first = false;
    Print(s, v);
  }
}

// An argument as a graph fixes it (read without calling operators, from inside a callback).
void Print(std::ostream& s, const c10::IValue& value) {
  if (value.isTensor()) {
    const auto& t = value.toTensor();
    if (!t.defined()) {
      s << "undefined";
    } else if (IsWrappedNumber(t) && t.scalar_type() == at::kDouble) {
      s << *static_cast<const double*>(t.data_ptr());
    } else if (IsWrappedNumber(t) && t.scalar_type() == at::kLong) {
      s << *static_cast<const int64_t*>(t.data_ptr());
    } else if (IsWrappedNumber(t) && t.scalar_type() == at::kBool) {
      s << (*static_cast<const bool*>(t.data_ptr()) ? "true" : "false");
    } else {
      s << t.scalar_type() << t.sizes();
    }
  } else if (value.isList() || value.isTuple()) {
    s << (value.isList() ? "[" : "(");
    PrintJoined(s, Items(value));
    s << (value.isList() ? "]" : ")");
  } else if (value.isGenerator()) {
    s << "generator";
  } else {
    s << value;
  }
}

std::unique_ptr<at::ObserverContext> OnOpStart(const at::RecordFunction& fn) {
  if (t_depth++ > 0) return nullptr;
  const std::string name = fn.name() == nullptr ? "?" : fn.name();
  std::ostringstream call;
  call << name << "(";
  PrintJoined(call, fn.inputs());
  call << ")";
  std::lock_guard<std::mutex> lock(g_mutex);
  g_calls.push_back(call.str());
  for (const auto& input : fn.inputs()) {
    if (input.isGenerator()) g_generators.insert(input.toGenerator().unsafeGetGeneratorImpl());
    ForEachTensor(input, [&](const at::Tensor& t) {
      const void* address = Address(t);
      if (address == nullptr || g_made.count(address) || g_outside.count(address)) return;
      g_outside[address] = MemoryUse{name, t.sizes().vec()};
    });
  }
  return nullptr;
}

void OnOpEnd(const at::RecordFunction& fn, at::ObserverContext*) {
  if (t_depth > 0) --t_depth;  // (an operator already running when the watch began ends too)
  std::lock_guard<std::mutex> lock(g_mutex);
  for (const auto& output : fn.outputs()) {
    ForEachTensor(output, [&](const at::Tensor& t) {
      const void* address = Address(t);
      if (address != nullptr && !g_outside.count(address)) g_made.insert(address);
    });
  }
}

}  // namespace

std::string MemoryUse::Describe() const {
  std::ostringstream s;
  s << op << " on a [";
  for (size_t i = 0; i < sizes.size(); ++i) s << (i ? ", " : "") << sizes[i];
  s << "] tensor";
  return s.str();
}

CaptureWatch::CaptureWatch() {
  if (g_active.exchange(true)) throw Error("CaptureWatch: only one watch may exist at a time");
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    g_outside.clear();
    g_made.clear();
    g_calls.clear();
    g_generators.clear();
  }
  g_handle = at::addGlobalCallback(at::RecordFunctionCallback(&OnOpStart, &OnOpEnd)
                                       .needsInputs(true)
                                       .needsOutputs(true)
                                       .scopes({at::RecordScope::FUNCTION}));
}

CaptureWatch::~CaptureWatch() {
  at::removeCallback(g_handle);
  g_active.store(false);
}

std::map<const void*, MemoryUse> CaptureWatch::outside() const {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_outside;
}

std::vector<std::string> CaptureWatch::calls() const {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_calls;
}

std::set<const void*> CaptureWatch::generators() const {
  std::lock_guard<std::mutex> lock(g_mutex);
  return g_generators;
}

std::vector<std::string> CaptureDifferences(const std::vector<std::string>& capture_calls,
                                            const std::map<const void*, MemoryUse>& capture_memory,
                                            const std::vector<std::string>& run_calls,
                                            const std::map<const void*, MemoryUse>& run_memory) {
  // Calls are compared as counts: operators on different threads (a CPU ensemble forward in
  // chunks) interleave differently from run to run.
  std::map<std::string, std::pair<int64_t, int64_t>> counts;  // call: (in capture, in run)
  for (const auto& c : capture_calls) ++counts[c].first;
  for (const auto& c : run_calls) ++counts[c].second;
  std::vector<std::string> out;
  int shown = 0;
  for (const auto& [call, n] : counts) {
    if (n.first == n.second) continue;
    if (++shown > 3) {
      out.push_back("(and other calls)");
      break;
    }
    out.push_back(call + ": " + std::to_string(n.first) + " in the capture, " +
                  std::to_string(n.second) + " in this run");
  }
  for (const auto& [address, use] : run_memory) {
    if (!capture_memory.count(address)) {
      out.push_back("memory the capture did not use: first used by " + use.Describe());
    }
  }
  return out;
}

}  // namespace mbrl
