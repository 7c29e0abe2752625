#include "mbrl/core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "mbrl/core/error.h"
#include "mbrl/core/timer.h"

namespace mbrl {

LockOutcome FileLock::TryLock(const std::string& path, std::optional<FileLock>* lock,
                              std::string* held_by) {
  // A holder that releases removes a file it created; retry when the path then names another file.
  for (int attempt = 0; attempt < 20; ++attempt) {
    bool created = true;
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 && errno == EEXIST) {
      created = false;
      fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
      if (fd < 0 && errno == ENOENT) continue;
    }
    if (fd < 0) throw Error(path + ": cannot open the lock file (" + std::strerror(errno) + ")");
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      if (err == EWOULDBLOCK) {
        if (held_by) {
          std::ifstream in(path);
          std::stringstream text;
          text << in.rdbuf();
          *held_by = text.str();
          while (!held_by->empty() && held_by->back() == '\n') held_by->pop_back();
        }
        ::close(fd);
        return LockOutcome::kHeld;
      }
      if (created) ::unlink(path.c_str());
      ::close(fd);
      if (err == ENOLCK || err == EOPNOTSUPP || err == ENOSYS || err == EINVAL) {
        return LockOutcome::kUnsupported;
      }
      throw Error(path + ": cannot lock (" + std::strerror(err) + ")");
    }
    // Locked: but the file may have been removed (and another made) since it was opened.
    struct stat opened {}, named {};
    if (::fstat(fd, &opened) != 0 || ::stat(path.c_str(), &named) != 0 ||
        opened.st_ino != named.st_ino || opened.st_dev != named.st_dev) {
      ::close(fd);
      continue;
    }
    lock->emplace(FileLock(fd, path, created));
    return LockOutcome::kTaken;
  }
  throw Error(path + ": cannot lock (the file keeps being replaced)");
}

void FileLock::Write(const std::string& text) {
  if (fd_ < 0 || ::ftruncate(fd_, 0) != 0) return;
  const std::string line = text + "\n";
  const ssize_t written = ::pwrite(fd_, line.data(), line.size(), 0);
  (void)written;  // the text only names the holder in messages
  created_ = false;  // the file now says who wrote the run: it stays
}

FileLock::FileLock(FileLock&& other) noexcept
    : fd_(other.fd_), path_(std::move(other.path_)), created_(other.created_) {
  other.fd_ = -1;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Release();
    fd_ = other.fd_;
    path_ = std::move(other.path_);
    created_ = other.created_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() { Release(); }

void FileLock::Release() {
  if (fd_ < 0) return;
  if (created_) ::unlink(path_.c_str());  // still held: no one else can have locked it
  ::close(fd_);  // closing the last descriptor releases the flock
  fd_ = -1;
}

std::string ThisProcessDescription() {
  char host[256] = "?";
  ::gethostname(host, sizeof(host) - 1);
  std::ifstream cmdline("/proc/self/cmdline");
  std::string command, arg;
  while (std::getline(cmdline, arg, '\0')) command += (command.empty() ? "" : " ") + arg;
  return std::string("host ") + host + ", pid " + std::to_string(::getpid()) + ", since " +
         LocalTimeNow("%Y-%m-%d %H:%M:%S") + ": " + command;
}

}  // namespace mbrl
