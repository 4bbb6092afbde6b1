#include "st_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace medq::synth {

uint64_t tensor_nbytes(Dtype dtype, const std::vector<uint64_t>& shape) {
  uint64_t n = 1;
  for (uint64_t d : shape) n *= d;
  const uint64_t bits = n * dtype_bits(dtype);
  if (bits % 8 != 0) throw std::invalid_argument("tensor size is not a whole number of bytes");
  return bits / 8;
}

std::vector<size_t> data_order(const std::vector<OutTensor>& tensors, Layout layout) {
  std::vector<size_t> order(tensors.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (layout == Layout::Transformers) return tensors[a].name < tensors[b].name;
    if (tensors[a].nbytes != tensors[b].nbytes) return tensors[a].nbytes > tensors[b].nbytes;
    return tensors[a].name < tensors[b].name;
  });
  return order;
}

std::string safetensors_header(const std::vector<OutTensor>& tensors, Layout layout) {
  // nlohmann::json objects are std::maps, so the dump lists keys sorted by name, as MLX's does.
  nlohmann::json h = nlohmann::json::object();
  h["__metadata__"] = {{"format", layout == Layout::Transformers ? "pt" : "mlx"}};
  uint64_t offset = 0;
  for (size_t i : data_order(tensors, layout)) {
    const OutTensor& t = tensors[i];
    h[t.name] = {{"dtype", std::string(dtype_name(t.dtype))},
                 {"shape", t.shape},
                 {"data_offsets", {offset, offset + t.nbytes}}};
    offset += t.nbytes;
  }
  std::string text = h.dump();
  if (layout == Layout::Transformers) text.append((8 - text.size() % 8) % 8, ' ');
  return text;
}

namespace {

void write_all(int fd, const void* buf, size_t n, const std::filesystem::path& path) {
  const auto* p = static_cast<const uint8_t*>(buf);
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      throw std::runtime_error(path.string() + ": write failed: " + std::strerror(errno));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

uint64_t write_safetensors(const std::filesystem::path& path, const std::vector<OutTensor>& tensors,
                           bool sparse, Layout layout) {
  const std::string header = safetensors_header(tensors, layout);
  uint64_t data_size = 0;
  for (const OutTensor& t : tensors) {
    if (!sparse && !t.produce && t.data.size() != t.nbytes)
      throw std::logic_error("tensor '" + t.name + "' has " + std::to_string(t.data.size()) +
                             " data bytes, expected " + std::to_string(t.nbytes));
    data_size += t.nbytes;
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(path.string() + ": cannot create: " + std::strerror(errno));
  try {
    uint8_t len[8];
    uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) len[i] = static_cast<uint8_t>(n >> (8 * i));
    write_all(fd, len, 8, path);
    write_all(fd, header.data(), header.size(), path);
    const uint64_t total = 8 + header.size() + data_size;
    if (sparse) {
      if (::ftruncate(fd, static_cast<off_t>(total)) != 0)
        throw std::runtime_error(path.string() + ": ftruncate failed: " + std::strerror(errno));
    } else {
      for (size_t i : data_order(tensors, layout)) {
        const OutTensor& t = tensors[i];
        if (!t.data.empty() || !t.produce) {
          write_all(fd, t.data.data(), t.data.size(), path);
          continue;
        }
        const std::vector<uint8_t> bytes = t.produce();
        if (bytes.size() != t.nbytes)
          throw std::logic_error("tensor '" + t.name + "' produced " +
                                 std::to_string(bytes.size()) + " bytes, expected " +
                                 std::to_string(t.nbytes));
        write_all(fd, bytes.data(), bytes.size(), path);
      }
    }
    if (::close(fd) != 0)
      throw std::runtime_error(path.string() + ": close failed: " + std::strerror(errno));
    return total;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

}  // namespace medq::synth
