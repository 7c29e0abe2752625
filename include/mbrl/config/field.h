#pragma once
// Field constraints shared by the config structs' Visit functions.
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace mbrl::config {

/// A validity check on one field's value with a human description ("an integer >= 1").
template <class T>
struct Check {
  std::function<bool(const T&)> ok;  ///< returns true when the value is valid
  std::string expect;                ///< what a valid value looks like, for error messages
};

/// Any value of the type.
template <class T>
Check<T> Any() {
  return {[](const T&) { return true; }, ""};
}

/// value >= lo.
template <class T>
Check<T> AtLeast(T lo) {
  return {[lo](const T& v) { return v >= lo; }, ">= " + std::to_string(lo)};
}

/// lo <= value <= hi.
template <class T>
Check<T> InRange(T lo, T hi) {
  return {[lo, hi](const T& v) { return v >= lo && v <= hi; },
          "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]"};
}

/// lo < value < hi (open interval).
inline Check<double> Between(double lo, double hi) {
  return {[lo, hi](const double& v) { return v > lo && v < hi; },
          "in (" + std::to_string(lo) + ", " + std::to_string(hi) + ")"};
}

/// value > 0.
inline Check<double> Positive() {
  return {[](const double& v) { return v > 0; }, "> 0"};
}

/// One of a fixed list of names.
inline Check<std::string> OneOf(std::vector<std::string> names) {
  std::string expect = "one of:";
  for (const auto& n : names) expect += " " + n;
  return {[names](const std::string& v) {
            for (const auto& n : names)
              if (n == v) return true;
            return false;
          },
          expect};
}

/// One of a fixed list of names, or a whole number >= 1 written in digits ("all", "last", "3").
inline Check<std::string> NameOrCount(std::vector<std::string> names) {
  const Check<std::string> name = OneOf(std::move(names));
  return {[name](const std::string& v) {
            if (name.ok(v)) return true;
            if (v.empty() || v.size() > 9 || v[0] == '0') return false;
            for (char c : v) {
              if (c < '0' || c > '9') return false;
            }
            return true;
          },
          name.expect + ", or a whole number >= 1"};
}

}  // namespace mbrl::config
