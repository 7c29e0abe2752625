#pragma once
// Small string helpers for messages.
#include <string>
#include <vector>

namespace mbrl {

/// "a, b, c" from {"a", "b", "c"}.
inline std::string Join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

}  // namespace mbrl
