#pragma once
// Error types that cross module edges. The CLI maps them to exit codes.
#include <stdexcept>
#include <string>

namespace mbrl {

/// A runtime failure with a message meant for the user (no stack trace is printed).
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad configuration or command-line input: the message names the file or flag, the key and what
/// was expected. The CLI exits with code 2.
class ConfigError : public Error {
 public:
  using Error::Error;
};

}  // namespace mbrl
