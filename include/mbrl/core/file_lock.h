#pragma once
// An exclusive OS lock on a file (flock): held while its object lives, and released by the kernel
// when the process ends in any way, kill -9 and a crash included, so nothing needs clearing up.
#include <optional>
#include <string>
#include <utility>

namespace mbrl {

/// What trying a lock gave.
enum class LockOutcome {
  kTaken,        ///< this process holds it now
  kHeld,         ///< another process holds it
  kUnsupported,  ///< the file system takes no such lock (some NFS and Lustre mounts)
};

/// A held lock on one file; moving it keeps it held, destroying it releases it.
class FileLock {
 public:
  /// Tries to lock `path` (created if missing) without waiting. kTaken: *lock holds it. kHeld:
  /// *held_by gets what the holder wrote into the file. Throws Error naming the file when it
  /// cannot be opened. A file this call created and nobody wrote into is removed again when the
  /// lock is released, so a refused command leaves no trace.
  static LockOutcome TryLock(const std::string& path, std::optional<FileLock>* lock,
                             std::string* held_by);
  /// Replaces the file's text with `text` (who holds it, for a second process's message); the
  /// file then stays after the lock is released.
  void Write(const std::string& text);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  void Release();
  FileLock(int fd, std::string path, bool created)
      : fd_(fd), path_(std::move(path)), created_(created) {}
  int fd_ = -1;
  std::string path_;
  bool created_ = false;  // this lock created the file (and nobody has written into it)
};

/// This process for a lock file: "host H, pid P, since YYYY-mm-dd HH:MM:SS: COMMAND LINE".
std::string ThisProcessDescription();

}  // namespace mbrl
