#pragma once
// Small string helpers: lists and messages.
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

namespace mbrl {

/// "a, b, c" from {"a", "b", "c"}.
inline std::string Join(const std::vector<std::string>& items, const std::string& sep = ", ") {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

/// The non-empty items of a `sep`-separated list: {"a", "b"} from "a,,b".
inline std::vector<std::string> SplitList(const std::string& text, char sep = ',') {
  std::vector<std::string> items;
  std::string item;
  for (const char c : text + sep) {
    if (c != sep) {
      item += c;
    } else if (!item.empty()) {
      items.push_back(item);
      item.clear();
    }
  }
  return items;
}

/// printf-style formatting into a string: Format("%d steps, return %.3f", n, r).
#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
inline std::string Format(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  const int n = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string out(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) std::vsnprintf(out.data(), out.size() + 1, format, again);
  va_end(again);
  return out;
}

}  // namespace mbrl
