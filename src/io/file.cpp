#include "medq/io/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace medq {

std::optional<File> File::open(const std::filesystem::path& path, std::string* err) {
  // Refuse anything but a regular file before opening it: opening a device can have effects of
  // its own (a tape rewinds, a watchdog starts), and opening a FIFO can block.
  struct stat before {};
  if (::stat(path.c_str(), &before) != 0) {
    *err = std::string("cannot open: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (!S_ISREG(before.st_mode)) {
    *err = "not a regular file";
    return std::nullopt;
  }
  // O_NONBLOCK keeps open() from blocking should a FIFO take the file's place in between; it has
  // no effect on regular files. Read-only, always: medq never writes into a model directory.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) {
    *err = std::string("cannot open: ") + std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    *err = std::string("cannot stat: ") + std::strerror(errno);
    ::close(fd);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode) || st.st_dev != before.st_dev || st.st_ino != before.st_ino) {
    *err = S_ISREG(st.st_mode) ? "the file was replaced while being opened" : "not a regular file";
    ::close(fd);
    return std::nullopt;
  }
  return File(fd, static_cast<uint64_t>(st.st_size));
}

File::File(File&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), size_(std::exchange(other.size_, 0)) {}

File& File::operator=(File&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

File::~File() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<size_t> File::read_some_at(uint64_t offset, void* buf, size_t n,
                                         std::string* err) const {
  size_t done = 0;
  auto* out = static_cast<char*>(buf);
  while (done < n) {
    ssize_t r = ::pread(fd_, out + done, n - done, static_cast<off_t>(offset + done));
    if (r < 0) {
      if (errno == EINTR) continue;
      *err = std::string("read failed: ") + std::strerror(errno);
      return std::nullopt;
    }
    if (r == 0) break;
    done += static_cast<size_t>(r);
  }
  return done;
}

std::optional<uint64_t> File::current_size(std::string* err) const {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) {
    *err = std::string("cannot stat: ") + std::strerror(errno);
    return std::nullopt;
  }
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace medq
