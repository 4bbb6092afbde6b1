// The tokenizer.json side of scripts/bench.sh: medq's reader next to the JSON-parse limit.
//
//   medq-bench-tokenizer medq FILE       read_tokenizer_json (read, parse, checks), as validate
//   does medq-bench-tokenizer simdjson FILE   the limit: read the file and parse it with simdjson's
//                                        DOM parser (validates everything, builds nothing else),
//                                        then count the values
//
// Each run is one process, so /usr/bin/time's peak RSS is the work's own. Prints what it found,
// so both sides can be seen to have read the whole file.
#include <simdjson.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "medq/formats/tokenizer_json.hpp"

namespace {

size_t count_values(simdjson::dom::element e) {
  size_t n = 1;
  if (e.is_array()) {
    for (simdjson::dom::element c : simdjson::dom::array(e)) n += count_values(c);
  } else if (e.is_object()) {
    for (simdjson::dom::key_value_pair f : simdjson::dom::object(e)) n += count_values(f.value);
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: medq-bench-tokenizer medq|simdjson FILE\n");
    return 2;
  }
  const std::string mode = argv[1];
  if (mode == "medq") {
    medq::TokenizerJsonResult r = medq::read_tokenizer_json(argv[2], "tokenizer.json");
    if (!r.tokenizer) {
      std::fprintf(stderr, "not read: %zu findings\n", r.findings.size());
      return 1;
    }
    std::printf("medq: %zu vocab entries, %zu added tokens, %llu merges, %zu findings\n",
                r.tokenizer->vocab.size(), r.tokenizer->added_tokens.size(),
                static_cast<unsigned long long>(r.tokenizer->merges), r.findings.size());
    return 0;
  }
  if (mode == "simdjson") {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (simdjson::error_code e = parser.load(argv[2]).get(root)) {
      std::fprintf(stderr, "simdjson: %s\n", simdjson::error_message(e));
      return 1;
    }
    std::printf("simdjson: %zu values\n", count_values(root));
    return 0;
  }
  std::fprintf(stderr, "unknown mode %s\n", argv[1]);
  return 2;
}
