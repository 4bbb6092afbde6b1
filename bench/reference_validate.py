#!/usr/bin/env python3
"""The usual way to check an MLX model folder, written carefully: the baseline that
scripts/bench.sh times `medq validate` against (docs/benchmarks.md).

Standard library only (json + struct), as the hand-written reports people run today. It does the
same header and JSON work as `medq validate`, and checks no less than this list claims:

  files      config.json, tokenizer.json, tokenizer_config.json and at least one *.safetensors
             are present; every *.json file in the folder parses (json.load).
  headers    every *.safetensors file: the 8-byte little-endian header length (at most
             100,000,000 and inside the file), UTF-8 JSON object, "__metadata__" a str->str
             map, every tensor's dtype known, shape a list of non-negative ints,
             data_offsets [begin, end] with end - begin = elements x dtype size, the tensors
             tiling the data region from 0 without gaps or overlaps, and the file ending at the
             last tensor; a tensor name in two files is reported.
  index      model.safetensors.index.json: every weight_map entry names an existing shard that
             holds the tensor; every tensor of every shard is listed; metadata.total_size equals
             the tensor bytes.
  config     vocab_size against the embedding's rows; hidden_size against the embedding's
             columns (unpacked); num_hidden_layers against the layer indices present.
  quant      for every packed weight (a U32 ".weight" with ".scales"): bits and group_size from
             the config (per-module overrides included), packed columns = in x bits / 32, scales
             columns = in / group_size, biases shaped as scales.
  tokenizer  tokenizer.json loaded with json.load: the model's vocabulary has no duplicate ids;
             added_tokens ids are unique; tokenizer_config.json's added_tokens_decoder agrees
             with added_tokens (same content per id); the special tokens named in
             special_tokens_map.json / tokenizer_config.json exist; the embedding has a row for
             every token id.

Usage: reference_validate.py DIR   (prints the problems; exit 1 if any)
"""
import json
import os
import re
import struct
import sys

DTYPE_BITS = {"BOOL": 8, "U8": 8, "I8": 8, "F8_E4M3": 8, "F8_E5M2": 8, "I16": 16, "U16": 16,
              "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32, "I64": 64, "U64": 64,
              "F64": 64, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6, "E8M0": 8}
MAX_HEADER = 100_000_000


def read_header(path, problems):
    size = os.path.getsize(path)
    with open(path, "rb") as f:
        raw = f.read(8)
        if len(raw) < 8:
            problems.append(f"{path}: shorter than 8 bytes")
            return None
        (n,) = struct.unpack("<Q", raw)
        if n > MAX_HEADER or 8 + n > size:
            problems.append(f"{path}: header length {n} invalid for a {size}-byte file")
            return None
        text = f.read(n)
    try:
        header = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        problems.append(f"{path}: header is not UTF-8 JSON: {e}")
        return None
    if not isinstance(header, dict):
        problems.append(f"{path}: header is not a JSON object")
        return None
    meta = header.pop("__metadata__", None)
    if meta is not None and not (isinstance(meta, dict) and
                                 all(isinstance(v, str) for v in meta.values())):
        problems.append(f"{path}: __metadata__ is not a string map")
    spans = []
    for name, t in header.items():
        if not isinstance(t, dict) or t.get("dtype") not in DTYPE_BITS:
            problems.append(f"{path}: {name}: bad entry or unknown dtype")
            continue
        shape, offs = t.get("shape"), t.get("data_offsets")
        if not (isinstance(shape, list) and all(isinstance(d, int) and d >= 0 for d in shape)):
            problems.append(f"{path}: {name}: bad shape")
            continue
        if not (isinstance(offs, list) and len(offs) == 2 and
                all(isinstance(o, int) and o >= 0 for o in offs) and offs[0] <= offs[1]):
            problems.append(f"{path}: {name}: bad data_offsets")
            continue
        elements = 1
        for d in shape:
            elements *= d
        bits = elements * DTYPE_BITS[t["dtype"]]
        if bits % 8 or offs[1] - offs[0] != bits // 8:
            problems.append(f"{path}: {name}: {offs[1] - offs[0]} bytes for {elements} elements")
        spans.append((offs[0], offs[1], name))
    spans.sort()
    pos = 0
    for begin, end, name in spans:
        if begin != pos:
            problems.append(f"{path}: {name}: gap or overlap at byte {begin}")
        pos = max(pos, end)
    if 8 + n + pos != size:
        problems.append(f"{path}: data region ends at {pos}, file has {size - 8 - n}")
    return header


def quant_for(config, module):
    q = config.get("quantization") or config.get("quantization_config")
    if not isinstance(q, dict):
        return None
    override = q.get(module)
    if override is False:
        return None
    if isinstance(override, dict):
        return override
    return q


def main(d):
    problems = []
    names = sorted(os.listdir(d))
    for required in ("config.json", "tokenizer.json", "tokenizer_config.json"):
        if required not in names:
            problems.append(f"{required} is missing")
    docs = {}
    for name in names:
        if name.endswith(".json"):
            try:
                with open(os.path.join(d, name), encoding="utf-8") as f:
                    docs[name] = json.load(f)
            except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
                problems.append(f"{name}: {e}")
    shards = [n for n in names if n.endswith(".safetensors")]
    if not shards:
        problems.append("no *.safetensors file")

    tensors, where, data_bytes = {}, {}, 0
    for shard in shards:
        header = read_header(os.path.join(d, shard), problems)
        for tname, t in (header or {}).items():
            if tname in where:
                problems.append(f"{tname} in {where[tname]} and {shard}")
            where[tname] = shard
            tensors[tname] = t
            offs = t.get("data_offsets")
            if isinstance(offs, list) and len(offs) == 2:
                data_bytes += offs[1] - offs[0]

    index = docs.get("model.safetensors.index.json")
    if index is not None:
        wm = index.get("weight_map", {})
        for tname, shard in wm.items():
            if shard not in shards:
                problems.append(f"index: {tname} -> missing {shard}")
            elif where.get(tname) != shard:
                problems.append(f"index: {tname} is not in {shard}")
        for tname in where:
            if tname not in wm:
                problems.append(f"index: {tname} not listed")
        total = index.get("metadata", {}).get("total_size")
        if total is not None and total != data_bytes:
            problems.append(f"index: total_size {total} != {data_bytes}")

    config = docs.get("config.json", {})
    text = config.get("text_config", config)
    embed = next((n for n in tensors if n.endswith("embed_tokens.weight")), None)
    rows = None
    if embed:
        t = tensors[embed]
        rows = t["shape"][0]
        cols = t["shape"][1]
        q = quant_for(config, embed[: -len(".weight")])
        if t["dtype"] == "U32" and q:
            cols = cols * 32 // q["bits"]
        if text.get("vocab_size") not in (None, rows):
            problems.append(f"vocab_size {text.get('vocab_size')} != embedding rows {rows}")
        if text.get("hidden_size") not in (None, cols):
            problems.append(f"hidden_size {text.get('hidden_size')} != embedding columns {cols}")
    layers = {int(m.group(1)) for n in tensors
              for m in [re.search(r"language_model\.model\.layers\.(\d+)\.", n)] if m}
    if layers and text.get("num_hidden_layers") != len(layers):
        problems.append(f"num_hidden_layers {text.get('num_hidden_layers')} != {len(layers)}")

    for tname, t in tensors.items():
        if not tname.endswith(".weight") or t.get("dtype") != "U32":
            continue
        module = tname[: -len(".weight")]
        scales = tensors.get(module + ".scales")
        q = quant_for(config, module)
        if scales is None or q is None:
            problems.append(f"{tname}: packed without scales or quantization settings")
            continue
        bits, group = q.get("bits"), q.get("group_size")
        packed_cols = t["shape"][-1]
        logical_in = packed_cols * 32 // bits
        if packed_cols * 32 % bits or logical_in % group:
            problems.append(f"{tname}: {packed_cols} packed columns do not fit {bits}-bit g{group}")
        if scales["shape"][:-1] != t["shape"][:-1] or scales["shape"][-1] != logical_in // group:
            problems.append(f"{module}.scales: shape {scales['shape']}")
        biases = tensors.get(module + ".biases")
        if q.get("mode", "affine") == "affine" and (biases is None or
                                                     biases["shape"] != scales["shape"]):
            problems.append(f"{module}.biases missing or misshaped")

    tok = docs.get("tokenizer.json")
    if isinstance(tok, dict):
        vocab = tok.get("model", {}).get("vocab", {})
        ids = list(vocab.values()) if isinstance(vocab, dict) else list(range(len(vocab)))
        if len(set(ids)) != len(ids):
            problems.append("tokenizer.json: duplicate ids in the vocabulary")
        by_id, contents = {}, set()
        for a in tok.get("added_tokens", []):
            if a["id"] in by_id:
                problems.append(f"tokenizer.json: added token id {a['id']} twice")
            by_id[a["id"]] = a["content"]
            contents.add(a["content"])
        size = max(ids + list(by_id), default=-1) + 1
        if rows is not None and size > rows:
            problems.append(f"tokenizer has {size} ids, embedding {rows} rows")
        tc = docs.get("tokenizer_config.json", {})
        for sid, a in tc.get("added_tokens_decoder", {}).items():
            if by_id.get(int(sid), a.get("content")) != a.get("content"):
                problems.append(f"added_tokens_decoder {sid} != tokenizer.json")
        known = contents | (set(vocab) if isinstance(vocab, dict) else set())
        specials = dict(docs.get("special_tokens_map.json", {}))
        for k in ("bos_token", "eos_token", "pad_token", "unk_token"):
            if k in tc:
                specials.setdefault(k, tc[k])
        for k, v in specials.items():
            content = v.get("content") if isinstance(v, dict) else v
            if isinstance(content, str) and content not in known:
                problems.append(f"{k} {content!r} is not a token")

    for p in problems:
        print(p)
    print(f"{len(shards)} weight files, {len(tensors)} tensors, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
