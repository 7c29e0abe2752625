#pragma once
// Finding an external program (ffmpeg, sbatch) the way a shell would.
#include <string>

namespace mbrl {

/// The full path of `program` found on PATH, or "" when there is none.
std::string FindOnPath(const std::string& program);

}  // namespace mbrl
