#!/usr/bin/python3
"""Writes the small safetensors inputs of the golden CLI tests (committed; rerun only to change
them). MLX style: no header padding, keys sorted by name, data in another order."""
import json, os, struct

def write(path, tensors, order, metadata={"format": "mlx"}, cut=0):
    # tensors: name -> (dtype, shape, bytes); order: names in data order
    header, off = {}, 0
    for name in order:
        dtype, shape, data = tensors[name]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + len(data)]}
        off += len(data)
    if metadata is not None:
        header["__metadata__"] = metadata
    h = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    blob = struct.pack("<Q", len(h)) + h + b"".join(tensors[n][2] for n in order)
    with open(path, "wb") as f:
        f.write(blob[: len(blob) - cut])

def data(n, seed):
    return bytes((seed * 31 + i * 17) % 256 for i in range(n))

q4 = {
    "model.embed_tokens.weight": ("U32", [8, 4], data(128, 1)),
    "model.embed_tokens.scales": ("BF16", [8, 1], data(16, 2)),
    "model.embed_tokens.biases": ("BF16", [8, 1], data(16, 3)),
    "model.norm.weight": ("BF16", [32], data(64, 4)),
}
order = ["model.embed_tokens.weight", "model.norm.weight", "model.embed_tokens.scales",
         "model.embed_tokens.biases"]
write("mlx_q4.safetensors", q4, order)
write("truncated.safetensors", q4, order, cut=10)
with open("bad_json.safetensors", "wb") as f:
    h = b'{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},}'
    f.write(struct.pack("<Q", len(h)) + h + b"\x01\x02")

os.makedirs("sharded", exist_ok=True)
s1 = {k: q4[k] for k in ["model.embed_tokens.weight", "model.embed_tokens.scales",
                          "model.embed_tokens.biases"]}
s2 = {"model.norm.weight": q4["model.norm.weight"]}
write("sharded/model-00001-of-00002.safetensors", s1, sorted(s1, reverse=True))
write("sharded/model-00002-of-00002.safetensors", s2, list(s2))
index = {"metadata": {"total_size": sum(len(v[2]) for v in q4.values())},
         "weight_map": {k: ("model-00001-of-00002.safetensors" if k in s1 else
                            "model-00002-of-00002.safetensors") for k in sorted(q4)}}
with open("sharded/model.safetensors.index.json", "w") as f:
    json.dump(index, f, indent=4)
