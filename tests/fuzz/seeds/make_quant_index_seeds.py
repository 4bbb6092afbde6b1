#!/usr/bin/env python3
"""Writes the seed corpora of fuzz_quant and fuzz_index (tests/fuzz/corpus/{quant,index}).

fuzz_quant input: config.json text, one NUL byte, a safetensors file. The models are tiny Llama
configs (hidden 64, one layer) in several quantization layouts, with zero tensor data in one seed and
the header only (a truncated file) in the others.
Run from the repository root: python3 tests/fuzz/seeds/make_quant_index_seeds.py
"""
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "corpus")

DTYPE_BYTES = {"U32": 4, "BF16": 2, "F16": 2, "F32": 4, "U8": 1}


def safetensors(tensors, metadata=None, with_data=False):
    """tensors: list of (name, dtype, shape), laid out in order. Without data the file is
    truncated after the header: the checks still run on the header of an incomplete file, and
    the seed stays small enough for the fuzzer to mutate the header instead of zeros."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    off = 0
    for name, dtype, shape in tensors:
        n = DTYPE_BYTES[dtype]
        for d in shape:
            n *= d
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [off, off + n]}
        off += n
    h = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(h)) + h + (b"\0" * off if with_data else b"")


def llama_config(quant=None, hidden=64, inter=128, vocab=32):
    c = {
        "model_type": "llama",
        "architectures": ["LlamaForCausalLM"],
        "hidden_size": hidden,
        "intermediate_size": inter,
        "num_hidden_layers": 1,
        "num_attention_heads": 4,
        "num_key_value_heads": 2,
        "head_dim": 16,
        "vocab_size": vocab,
        "tie_word_embeddings": True,
    }
    if quant is not None:
        c["quantization"] = quant
    return c


def linear(name, out_dim, in_dim, bits, group, mode="affine", scale_dtype="BF16"):
    packed = in_dim * bits // 32
    t = [(name + ".weight", "U32", [out_dim, packed])]
    if mode == "affine":
        t.append((name + ".scales", scale_dtype, [out_dim, in_dim // group]))
        t.append((name + ".biases", scale_dtype, [out_dim, in_dim // group]))
    else:
        t.append((name + ".scales", "U8", [out_dim, in_dim // group]))
    return t


def llama_tensors(bits, group, mode="affine", overrides=None, hidden=64, inter=128, vocab=32):
    overrides = overrides or {}
    p = "model.layers.0."
    mods = [
        ("model.embed_tokens", vocab, hidden),
        (p + "self_attn.q_proj", 64, hidden),
        (p + "self_attn.k_proj", 32, hidden),
        (p + "self_attn.v_proj", 32, hidden),
        (p + "self_attn.o_proj", hidden, 64),
        (p + "mlp.gate_proj", inter, hidden),
        (p + "mlp.up_proj", inter, hidden),
        (p + "mlp.down_proj", hidden, inter),
    ]
    out = []
    for name, o, i in mods:
        b, g = overrides.get(name, (bits, group))
        if b is None:
            out.append((name + ".weight", "BF16", [o, i]))
        else:
            out += linear(name, o, i, b, g, mode)
    out.append((p + "input_layernorm.weight", "BF16", [hidden]))
    out.append((p + "post_attention_layernorm.weight", "BF16", [hidden]))
    out.append(("model.norm.weight", "BF16", [hidden]))
    return out


def quant_seed(name, config, tensors, metadata={"format": "mlx"}, with_data=False):
    data = (json.dumps(config, separators=(",", ":")).encode() + b"\0" +
            safetensors(tensors, metadata, with_data))
    with open(os.path.join(CORPUS, "quant", name), "wb") as f:
        f.write(data)


def index_seed(name, obj_or_text):
    text = obj_or_text if isinstance(obj_or_text, str) else json.dumps(obj_or_text)
    with open(os.path.join(CORPUS, "index", name), "w") as f:
        f.write(text)


def main():
    os.makedirs(os.path.join(CORPUS, "quant"), exist_ok=True)
    os.makedirs(os.path.join(CORPUS, "index"), exist_ok=True)
    q4 = {"group_size": 32, "bits": 4}
    quant_seed("affine_q4_g32", llama_config(q4), llama_tensors(4, 32), with_data=True)
    quant_seed("affine_q8_g64", llama_config({"group_size": 64, "bits": 8}), llama_tensors(8, 64))
    # The config says 8 bits, the weights are 4-bit: the checks name the schemes that fit.
    quant_seed("bits_mismatch", llama_config({"group_size": 32, "bits": 8}), llama_tensors(4, 32))
    # mlx-lm's mixed recipe: per-module overrides in the quantization dict.
    mixed = dict(q4)
    mixed["model.layers.0.mlp.down_proj"] = {"group_size": 64, "bits": 8}
    mixed["model.layers.0.self_attn.v_proj"] = False
    quant_seed("mixed_overrides", llama_config(mixed),
               llama_tensors(4, 32, overrides={"model.layers.0.mlp.down_proj": (8, 64),
                                                "model.layers.0.self_attn.v_proj": (None, 0)}))
    quant_seed("nvfp4", llama_config({"group_size": 16, "bits": 4, "mode": "nvfp4"}),
               llama_tensors(4, 16, mode="nvfp4"))
    quant_seed("mxfp4", llama_config({"group_size": 32, "bits": 4, "mode": "mxfp4"}),
               llama_tensors(4, 32, mode="mxfp4"))
    # Packed weights, no quantization in the config.
    quant_seed("no_quant_config", llama_config(None), llama_tensors(4, 32))
    # Plain bf16 model.
    quant_seed("bf16", llama_config(None), llama_tensors(None, 0))
    # 3-bit, 6-bit (packed cols not a multiple of 32/bits when in=64: 64*3/32=6).
    quant_seed("affine_q3", llama_config({"group_size": 32, "bits": 3}), llama_tensors(3, 32))
    quant_seed("affine_q6", llama_config({"group_size": 32, "bits": 6}), llama_tensors(6, 32))
    # Bad config values and a huge dimension in the config.
    quant_seed("bad_config", {"model_type": "llama", "hidden_size": 2**63, "num_hidden_layers": -1,
                              "quantization": {"bits": 0, "group_size": 0, "mode": "x"}},
               llama_tensors(4, 32))

    sh1 = "model-00001-of-00002.safetensors"
    sh2 = "model-00002-of-00002.safetensors"
    index_seed("good.json", {"metadata": {"total_size": 56},
                             "weight_map": {"a.weight": sh1, "a.scales": sh1, "norm.weight": sh2}})
    index_seed("missing_tensor.json", {"metadata": {"total_size": 999},
                                       "weight_map": {"a.weight": sh1, "x.weight": sh2}})
    index_seed("wrong_shard.json", {"weight_map": {"a.weight": sh2, "a.scales": sh1,
                                                   "norm.weight": sh1}})
    index_seed("escape.json", {"weight_map": {"a.weight": "../" + sh1, "a.scales": "/etc/passwd",
                                              "norm.weight": "sub/" + sh2, "b": "..", "c": ""}})
    index_seed("missing_shard.json", {"weight_map": {"a.weight": "model-00003-of-00003.safetensors"}})
    index_seed("bad_types.json", {"metadata": {"total_size": "12", "total_parameters": -5},
                                  "weight_map": {"a.weight": 7, "b": None, "c": [sh1]}})
    index_seed("not_object.json", '{"weight_map": []}')
    index_seed("dup_keys.json", '{"weight_map": {"a.weight": "%s", "a.weight": "%s"}}' % (sh1, sh2))
    index_seed("deep.json", '{"weight_map":' + "[" * 200 + "]" * 200 + "}")


if __name__ == "__main__":
    main()
