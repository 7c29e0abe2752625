#include "mbrl/core/shape.h"

#include <sstream>

#include "mbrl/core/error.h"

namespace mbrl {

std::string ShapeString(const torch::Tensor& t) {
  std::ostringstream s;
  s << "[";
  for (int64_t i = 0; i < t.dim(); ++i) s << (i ? ", " : "") << t.size(i);
  s << "]";
  return s.str();
}

void CheckShape(const torch::Tensor& t, std::initializer_list<int64_t> expected,
                const std::string& what) {
  bool ok = t.defined() && t.dim() == static_cast<int64_t>(expected.size());
  int64_t i = 0;
  std::ostringstream want;
  want << "[";
  for (int64_t e : expected) {
    if (ok && e >= 0 && t.size(i) != e) ok = false;
    want << (i ? ", " : "") << (e >= 0 ? std::to_string(e) : std::string("*"));
    ++i;
  }
  want << "]";
  if (!ok) {
    throw Error(what + ": expected shape " + want.str() + ", got " +
                (t.defined() ? ShapeString(t) : std::string("undefined tensor")));
  }
}

}  // namespace mbrl
