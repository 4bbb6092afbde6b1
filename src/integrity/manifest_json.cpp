// The manifest as JSON (docs/manifest.md): the writer, and a strict reader that checks every key,
// type, digest, path and byte range and names the first problem by JSON pointer.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "medq/formats/json_file.hpp"
#include "medq/integrity/manifest.hpp"
#include "medq/io/checked.hpp"
#include "medq/io/local_storage.hpp"
#include "medq/util/units.hpp"

namespace medq {
namespace {

using json = nlohmann::json;

std::string json_quote(const std::string& s) {
  // Names reach here validated as UTF-8 (file names by the walk, tensor names by the safetensors
  // reader); strict mode would throw on anything else, which is medq's bug, not the input's.
  return json(s).dump(-1, ' ', false, json::error_handler_t::strict);
}

std::string tensor_line(const ManifestTensor& t) {
  std::string shape = "[";
  for (size_t i = 0; i < t.shape.size(); ++i) shape += (i ? ", " : "") + std::to_string(t.shape[i]);
  shape += "]";
  return fmt::format(
      R"({{"name": {}, "dtype": "{}", "shape": {}, "offset": {}, "bytes": {}, "xxh3_128": "{}"}})",
      json_quote(t.name), dtype_name(t.dtype), shape, t.offset, t.bytes, t.xxh3_128);
}

}  // namespace

std::string manifest_to_json(const Manifest& m) {
  std::string out = "{\n";
  out += fmt::format("  \"format\": \"{}\",\n  \"version\": {},\n  \"files\": [", kManifestFormat,
                     kManifestVersion);
  for (size_t i = 0; i < m.files.size(); ++i) {
    const ManifestFile& f = m.files[i];
    out += i ? ",\n" : "\n";
    out += fmt::format("    {{\n      \"path\": {},\n      \"size\": {},\n      \"sha256\": \"{}\"",
                       json_quote(f.path), f.size, f.sha256);
    if (f.tensors) {
      out += ",\n      \"tensors\": [";
      for (size_t k = 0; k < f.tensors->size(); ++k) {
        out += (k ? ",\n" : "\n") + std::string(8, ' ') + tensor_line((*f.tensors)[k]);
      }
      out += f.tensors->empty() ? "]" : "\n      ]";
    }
    out += "\n    }";
  }
  out += m.files.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

namespace {

// What a JSON value is, for messages: "the string \"abc\"", "the number -5", "an object".
std::string describe(const json& v) {
  std::string text;
  switch (v.type()) {
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case json::value_t::string:
      text = v.dump(-1, ' ', false, json::error_handler_t::replace);
      if (text.size() > 80) text = text.substr(0, 77) + "...";
      return "the string " + text;
    default:
      return "the number " + v.dump();
  }
}

bool is_lower_hex(const std::string& s, size_t digits) {
  return s.size() == digits && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

// Why `p` is not a relative, normalised, '/'-separated path inside the directory, or "".
std::string path_problem(const std::string& p) {
  if (p.empty()) return "is empty";
  if (p.size() > 4096) return "is longer than 4,096 bytes";
  if (p.front() == '/') return "is absolute (must be relative to the model directory)";
  if (p.find('\0') != std::string::npos) return "contains a NUL character";
  size_t start = 0;
  while (start <= p.size()) {
    size_t slash = p.find('/', start);
    if (slash == std::string::npos) slash = p.size();
    std::string_view part(p.data() + start, slash - start);
    if (part.empty()) return "has an empty component ('//' or a trailing '/')";
    if (part == "." || part == "..") return "has a '" + std::string(part) + "' component";
    start = slash + 1;
  }
  return "";
}

class Reader {
 public:
  std::string error;

  bool fail(const std::string& pointer, const std::string& message) {
    if (error.empty()) error = (pointer.empty() ? std::string("/") : pointer) + ": " + message;
    return false;
  }

  // Every key of `obj` must be in `allowed`.
  bool only_keys(const json& obj, const std::string& ptr,
                 std::initializer_list<std::string_view> allowed) {
    for (const auto& [k, v] : obj.items()) {
      if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
        return fail(ptr, "unknown key " + json_quote(k) + " (version " +
                             std::to_string(kManifestVersion) + " has no such key)");
      }
    }
    return true;
  }

  const json* member(const json& obj, const std::string& ptr, const char* key) {
    auto it = obj.find(key);
    if (it == obj.end()) {
      fail(ptr, std::string("missing key \"") + key + "\"");
      return nullptr;
    }
    return &*it;
  }

  bool u64(const json& v, const std::string& ptr, uint64_t* out) {
    if (!v.is_number_unsigned()) {
      return fail(ptr, "expected a non-negative integer, found " + describe(v));
    }
    *out = v.get<uint64_t>();
    return true;
  }

  bool string(const json& v, const std::string& ptr, std::string* out) {
    if (!v.is_string()) return fail(ptr, "expected a string, found " + describe(v));
    *out = v.get<std::string>();
    return true;
  }

  bool hex(const json& v, const std::string& ptr, size_t digits, std::string* out) {
    if (!v.is_string() || !is_lower_hex(v.get<std::string>(), digits)) {
      return fail(ptr, "expected a string of " + std::to_string(digits) +
                           " lower-case hex digits, found " + describe(v));
    }
    *out = v.get<std::string>();
    return true;
  }

  bool tensor(const json& v, const std::string& ptr, uint64_t file_size, ManifestTensor* t) {
    if (!v.is_object()) return fail(ptr, "expected a tensor object, found " + describe(v));
    if (!only_keys(v, ptr, {"name", "dtype", "shape", "offset", "bytes", "xxh3_128"})) return false;
    const json *name = member(v, ptr, "name"), *dtype = member(v, ptr, "dtype"),
               *shape = member(v, ptr, "shape"), *offset = member(v, ptr, "offset"),
               *bytes = member(v, ptr, "bytes"), *digest = member(v, ptr, "xxh3_128");
    if (!name || !dtype || !shape || !offset || !bytes || !digest) return false;
    if (!string(*name, ptr + "/name", &t->name)) return false;
    std::string dtype_text;
    if (!string(*dtype, ptr + "/dtype", &dtype_text)) return false;
    auto d = parse_dtype(dtype_text);
    if (!d) return fail(ptr + "/dtype", "unknown dtype " + json_quote(dtype_text));
    t->dtype = *d;
    if (!shape->is_array()) {
      return fail(ptr + "/shape", "expected an array of dimensions, found " + describe(*shape));
    }
    uint64_t elements = 1;
    for (size_t i = 0; i < shape->size(); ++i) {
      uint64_t dim = 0;
      if (!u64((*shape)[i], ptr + "/shape/" + std::to_string(i), &dim)) return false;
      auto product = checked_mul(elements, dim);
      if (!product) return fail(ptr + "/shape", "the element count overflows 64 bits");
      elements = *product;
      t->shape.push_back(dim);
    }
    if (!u64(*offset, ptr + "/offset", &t->offset)) return false;
    if (!u64(*bytes, ptr + "/bytes", &t->bytes)) return false;
    auto bits = checked_mul(elements, dtype_bits(t->dtype));
    if (!bits) return fail(ptr + "/shape", "the size in bits overflows 64 bits");
    if (*bits % 8 != 0) {
      return fail(ptr + "/shape", fmt::format("dtype {} and shape {} do not fill whole bytes",
                                              dtype_text, shape->dump()));
    }
    if (*bits / 8 != t->bytes) {
      return fail(ptr + "/bytes",
                  fmt::format("{}, but dtype {} and shape {} need {}", count_noun(t->bytes, "byte"),
                              dtype_text, shape->dump(), group_digits(*bits / 8)));
    }
    auto end = checked_add(t->offset, t->bytes);
    if (!end || *end > file_size) {
      return fail(ptr, fmt::format("data [{}, {}) lies past the end of the {}-byte file", t->offset,
                                   end ? std::to_string(*end) : "2^64", file_size));
    }
    return hex(*digest, ptr + "/xxh3_128", 32, &t->xxh3_128);
  }

  bool file(const json& v, const std::string& ptr, ManifestFile* f) {
    if (!v.is_object()) return fail(ptr, "expected a file object, found " + describe(v));
    if (!only_keys(v, ptr, {"path", "size", "sha256", "tensors"})) return false;
    const json *path = member(v, ptr, "path"), *size = member(v, ptr, "size"),
               *sha = member(v, ptr, "sha256");
    if (!path || !size || !sha) return false;
    if (!string(*path, ptr + "/path", &f->path)) return false;
    if (std::string why = path_problem(f->path); !why.empty()) {
      return fail(ptr + "/path", "the path " + json_quote(f->path) + " " + why);
    }
    if (!u64(*size, ptr + "/size", &f->size)) return false;
    if (!hex(*sha, ptr + "/sha256", 64, &f->sha256)) return false;
    auto tensors = v.find("tensors");
    if (tensors == v.end()) return true;
    if (!tensors->is_array()) {
      return fail(ptr + "/tensors", "expected an array of tensors, found " + describe(*tensors));
    }
    f->tensors.emplace();
    std::set<std::string> names;
    for (size_t i = 0; i < tensors->size(); ++i) {
      const std::string tptr = ptr + "/tensors/" + std::to_string(i);
      ManifestTensor t;
      if (!tensor((*tensors)[i], tptr, f->size, &t)) return false;
      if (!names.insert(t.name).second) {
        return fail(tptr + "/name",
                    "tensor " + json_quote(t.name) + " is listed twice in this file");
      }
      f->tensors->push_back(std::move(t));
    }
    // The data of two tensors never shares a byte in a safetensors file.
    std::vector<const ManifestTensor*> by_offset;
    for (const auto& t : *f->tensors) {
      if (t.bytes > 0) by_offset.push_back(&t);
    }
    std::sort(
        by_offset.begin(), by_offset.end(),
        [](const ManifestTensor* a, const ManifestTensor* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
      const ManifestTensor &a = *by_offset[i - 1], &b = *by_offset[i];
      if (b.offset < a.offset + a.bytes) {
        return fail(ptr + "/tensors", "the data of tensors " + json_quote(a.name) + " and " +
                                          json_quote(b.name) + " overlaps");
      }
    }
    std::sort(f->tensors->begin(), f->tensors->end(),
              [](const ManifestTensor& a, const ManifestTensor& b) { return a.name < b.name; });
    return true;
  }

  bool manifest(const json& root, Manifest* m) {
    if (!root.is_object()) return fail("", "expected a manifest object, found " + describe(root));
    auto format = root.find("format");
    if (format == root.end() || !format->is_string() ||
        format->get<std::string>() != kManifestFormat) {
      return fail("/format", std::string("not a medq manifest: \"format\" must be \"") +
                                 std::string(kManifestFormat) + "\"" +
                                 (format == root.end() ? "" : ", found " + describe(*format)));
    }
    const json* version = member(root, "", "version");
    if (!version) return false;
    if (!version->is_number_integer()) {
      return fail("/version", "expected an integer, found " + describe(*version));
    }
    if (!version->is_number_unsigned() || version->get<uint64_t>() != kManifestVersion) {
      return fail("/version", "unsupported manifest version " + version->dump() +
                                  " (this medq reads version " + std::to_string(kManifestVersion) +
                                  ")");
    }
    if (!only_keys(root, "", {"format", "version", "files"})) return false;
    const json* files = member(root, "", "files");
    if (!files) return false;
    if (!files->is_array()) {
      return fail("/files", "expected an array of files, found " + describe(*files));
    }
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < files->size(); ++i) {
      const std::string ptr = "/files/" + std::to_string(i);
      ManifestFile f;
      if (!file((*files)[i], ptr, &f)) return false;
      if (auto [it, fresh] = index.emplace(f.path, i); !fresh) {
        return fail(ptr + "/path", "the path " + json_quote(f.path) +
                                       " is already listed at /files/" +
                                       std::to_string(it->second));
      }
      m->files.push_back(std::move(f));
    }
    // A path cannot be a file and a directory at once.
    for (const auto& [p, i] : index) {
      for (size_t slash = p.find('/'); slash != std::string::npos; slash = p.find('/', slash + 1)) {
        if (auto it = index.find(p.substr(0, slash)); it != index.end()) {
          return fail("/files/" + std::to_string(i) + "/path",
                      "the path " + json_quote(p) + " lies below " + json_quote(it->first) +
                          ", which is listed as a file at /files/" + std::to_string(it->second));
        }
      }
    }
    std::sort(m->files.begin(), m->files.end(),
              [](const ManifestFile& a, const ManifestFile& b) { return a.path < b.path; });
    return true;
  }
};

}  // namespace

ManifestParse manifest_from_json(std::string_view text) {
  ManifestParse r;
  JsonFileResult parsed = parse_json_text(text, "manifest", "manifest");
  // Duplicate keys are only a warning for config files; in a manifest they are an error, since
  // the two values could say different things.
  if (!parsed.findings.empty()) {
    const Finding& f = parsed.findings.front();
    r.error = f.code == "manifest.duplicate_key"
                  ? f.where.json_pointer + ": key appears more than once in one object"
                  : f.message;
    return r;
  }
  Manifest m;
  Reader reader;
  if (!reader.manifest(*parsed.value, &m)) {
    r.error = reader.error;
    return r;
  }
  r.manifest = std::move(m);
  return r;
}

ManifestParse read_manifest(const std::filesystem::path& path) {
  ManifestParse r;
  SmallFile f = read_small_file(path, kMaxManifestBytes);
  if (f.too_large) {
    r.error = fmt::format("{} bytes is more than the {} bytes medq reads for a manifest",
                          *f.too_large, kMaxManifestBytes);
    return r;
  }
  if (!f.text) {
    r.error = f.error;
    return r;
  }
  return manifest_from_json(*f.text);
}

}  // namespace medq
