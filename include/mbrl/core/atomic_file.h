#pragma once
// Crash-safe file writes: write to a temporary file beside the target, then rename.
#include <functional>
#include <string>

namespace mbrl {

/// Calls `write(tmp_path)` to produce the file, then renames it onto `path` so readers see either
/// the old file or the complete new one. Throws mbrl::Error naming `path` on failure.
void WriteAtomically(const std::string& path, const std::function<void(const std::string&)>& write);

/// Writes `text` to `path` atomically.
void WriteTextAtomically(const std::string& path, const std::string& text);

}  // namespace mbrl
