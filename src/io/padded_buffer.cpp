#include "medq/io/padded_buffer.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <new>
#include <utility>

#if !defined(MAP_ANONYMOUS) && defined(MAP_ANON)  // older BSD spelling
#define MAP_ANONYMOUS MAP_ANON
#endif

namespace medq {

namespace {
// Below this a plain allocation is cheaper than a mapping of its own.
constexpr size_t kMapAtLeast = size_t{1} << 20;
constexpr size_t kHugePage = size_t{2} << 20;
}  // namespace

PaddedBuffer::PaddedBuffer(size_t size) : size_(size) {
  if (size > SIZE_MAX - kPadding) throw std::bad_alloc();
  const size_t total = size + kPadding;
  if (total < kMapAtLeast) {
    data_ = new char[total];  // uninitialised: the caller writes the first `size` bytes
    std::memset(data_ + size, 0, kPadding);
    return;
  }
  // Anonymous memory is zero (the padding included) and, rounded to whole huge pages and
  // advised, is faulted in 2 MiB at a time where the kernel allows transparent huge pages.
  mapped_ = (total + kHugePage - 1) / kHugePage * kHugePage;
  void* p = ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) {
    mapped_ = 0;
    throw std::bad_alloc();
  }
#ifdef MADV_HUGEPAGE  // Linux only (macOS has no transparent huge pages): a hint, no fallback
  (void)::madvise(p, mapped_, MADV_HUGEPAGE);  // a hint; refused where THP is off
#endif
  data_ = static_cast<char*>(p);
}

PaddedBuffer::PaddedBuffer(PaddedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      mapped_(std::exchange(other.mapped_, 0)) {}

PaddedBuffer& PaddedBuffer::operator=(PaddedBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    mapped_ = std::exchange(other.mapped_, 0);
  }
  return *this;
}

PaddedBuffer::~PaddedBuffer() { release(); }

void PaddedBuffer::release() noexcept {
  if (data_ == nullptr) return;
  if (mapped_ > 0) {
    ::munmap(data_, mapped_);
  } else {
    delete[] data_;
  }
  data_ = nullptr;
  size_ = 0;
  mapped_ = 0;
}

}  // namespace medq
