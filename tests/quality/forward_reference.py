#!/usr/bin/python3
"""Independent forward pass for medq's quality tests (Debian's python3-numpy, float64).

Reads an MLX checkpoint directory from the raw bytes with tests/analysis/fidelity_reference.py
(its own safetensors parsing, bit unpacking and fp decoding -- none of medq's code) and runs the
decoder as transformers' modeling_llama.py / modeling_gemma3.py write it, in float64.

usage: forward_reference.py logits DIR TOKENS              -> {"logits": [[...], ...]}
       forward_reference.py stats REF VAR TOKENS CONTEXT SCORE_FROM
                                                          -> KLD / top-1 / PPL / dp statistics
TOKENS: comma-separated ids.
"""
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "analysis"))
import fidelity_reference as fr  # noqa: E402


def load(d):
    with open(os.path.join(d, "config.json")) as f:
        config = json.load(f)
    return config, fr.logical(d)


def text_config(config):
    if config.get("model_type") == "gemma3":
        t = dict(config["text_config"])
        t.setdefault("model_type", "gemma3_text")
        return t
    return config


def find_prefix(w):
    for model, head in (("model.", "lm_head."), ("language_model.model.", "language_model.lm_head."),
                        ("model.language_model.", "lm_head.")):
        if model + "embed_tokens.weight" in w:
            return model, head
    raise SystemExit("no embedding")


def inv_freq(theta, dim, rope):
    inv = 1.0 / theta ** (np.arange(0, dim, 2, dtype=np.float64) / dim)
    if not rope or rope.get("rope_type", rope.get("type", "default")) == "default":
        return inv
    t = rope.get("rope_type", rope.get("type"))
    if t == "linear":
        return inv / rope["factor"]
    if t == "llama3":
        factor, lo, hi = rope["factor"], rope["low_freq_factor"], rope["high_freq_factor"]
        old = rope["original_max_position_embeddings"]
        wavelen = 2 * math.pi / inv
        out = np.where(wavelen > old / lo, inv / factor, inv)
        smooth = (old / wavelen - lo) / (hi - lo)
        mid = (wavelen <= old / lo) & (wavelen >= old / hi)
        return np.where(mid, (1 - smooth) * out / factor + smooth * out, out)
    raise SystemExit("rope type " + t)


def rmsnorm(x, w, eps, gemma):
    y = x / np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps)
    return y * (1.0 + w) if gemma else y * w


def rope(x, pos, inv):
    # x: [T, heads, d]; rotate_half
    ang = pos[:, None] * inv[None, :]
    c = np.cos(np.concatenate([ang, ang], axis=1))[:, None, :]
    s = np.sin(np.concatenate([ang, ang], axis=1))[:, None, :]
    h = x.shape[-1] // 2
    rot = np.concatenate([-x[..., h:], x[..., :h]], axis=-1)
    return x * c + rot * s


def forward(config, w, tokens):
    t = text_config(config)
    mt = t["model_type"]
    gemma = mt == "gemma3_text"
    model, head = find_prefix(w)
    H = t["hidden_size"]
    nh = t["num_attention_heads"]
    nkv = t.get("num_key_value_heads", nh)
    hd = t.get("head_dim") or H // nh
    eps = t.get("rms_norm_eps", 1e-6)
    L = t["num_hidden_layers"]
    if gemma:
        scale = t.get("query_pre_attn_scalar", 256) ** -0.5
        window = t.get("sliding_window", 4096)
        pattern = t.get("sliding_window_pattern", t.get("_sliding_window_pattern", 6))
        if "layer_types" in t:
            sliding = [x == "sliding_attention" for x in t["layer_types"]]
        else:
            sliding = [bool((i + 1) % pattern) for i in range(L)]
        rp = t.get("rope_parameters")
        if rp and "full_attention" in rp:
            g, s = rp["full_attention"], rp.get("sliding_attention") or {}
            inv_g = inv_freq(g.get("rope_theta", 1e6), hd, g)
            inv_s = inv_freq(s.get("rope_theta", 10000.0), hd, s)
        else:
            inv_g = inv_freq(t.get("rope_theta", 1e6), hd, t.get("rope_scaling"))
            inv_s = inv_freq(t.get("rope_local_base_freq", 10000.0), hd, None)
    else:
        scale = hd ** -0.5
        window = t.get("sliding_window") if mt == "mistral" else None
        sliding = [window is not None] * L
        rp = t.get("rope_parameters") or t.get("rope_scaling")
        theta = (t.get("rope_parameters") or {}).get("rope_theta", t.get("rope_theta", 10000.0))
        inv_g = inv_s = inv_freq(theta, hd, rp)
    qk_norm = gemma or mt == "qwen3"

    def get(name):
        return w[model + name]

    def lin(x, name):
        y = x @ get(name + ".weight").T
        if model + name + ".bias" in w:
            y = y + get(name + ".bias")
        return y

    T = len(tokens)
    pos = np.arange(T, dtype=np.float64)
    h = get("embed_tokens.weight")[np.array(tokens)].astype(np.float64)
    if gemma:
        h = h * np.sqrt(H)
    for i in range(L):
        p = "layers.%d." % i
        x = rmsnorm(h, get(p + "input_layernorm.weight"), eps, gemma)
        q = lin(x, p + "self_attn.q_proj").reshape(T, nh, hd)
        k = lin(x, p + "self_attn.k_proj").reshape(T, nkv, hd)
        v = lin(x, p + "self_attn.v_proj").reshape(T, nkv, hd)
        if qk_norm:
            q = rmsnorm(q, get(p + "self_attn.q_norm.weight"), eps, gemma)
            k = rmsnorm(k, get(p + "self_attn.k_norm.weight"), eps, gemma)
        inv = inv_s if sliding[i] else inv_g
        q, k = rope(q, pos, inv), rope(k, pos, inv)
        rep = nh // nkv
        k = np.repeat(k, rep, axis=1)
        v = np.repeat(v, rep, axis=1)
        s = np.einsum("qhd,khd->hqk", q, k) * scale
        qi, ki = np.arange(T)[:, None], np.arange(T)[None, :]
        mask = ki <= qi
        if sliding[i]:
            mask &= ki > qi - window
        s = np.where(mask[None], s, -np.inf)
        s = np.exp(s - s.max(axis=-1, keepdims=True))
        s /= s.sum(axis=-1, keepdims=True)
        a = np.einsum("hqk,khd->qhd", s, v).reshape(T, nh * hd)
        o = lin(a, p + "self_attn.o_proj")
        if gemma:
            o = rmsnorm(o, get(p + "post_attention_layernorm.weight"), eps, True)
        h = h + o
        x = rmsnorm(h, get(p + ("pre_feedforward_layernorm.weight" if gemma
                                else "post_attention_layernorm.weight")), eps, gemma)
        gte = lin(x, p + "mlp.gate_proj")
        if gemma:
            act = 0.5 * gte * (1 + np.tanh(math.sqrt(2 / math.pi) * (gte + 0.044715 * gte ** 3)))
        else:
            act = gte / (1 + np.exp(-gte))
        d = lin(act * lin(x, p + "mlp.up_proj"), p + "mlp.down_proj")
        if gemma:
            d = rmsnorm(d, get(p + "post_feedforward_layernorm.weight"), eps, True)
        h = h + d
    h = rmsnorm(h, get("norm.weight"), eps, gemma)
    lm = w.get(head + "weight", get("embed_tokens.weight"))
    return h @ lm[: t["vocab_size"]].T


def log_softmax(x):
    m = x.max(axis=-1, keepdims=True)
    return x - m - np.log(np.exp(x - m).sum(axis=-1, keepdims=True))


def stats(ref, var, tokens, context, score_from):
    klds, same, lr_next, lv_next = [], 0, [], []
    for b in range(0, len(tokens), context):
        chunk = tokens[b:b + context]
        if len(chunk) <= score_from:
            continue
        a = log_softmax(forward(*ref, chunk))
        c = log_softmax(forward(*var, chunk))
        for i in range(score_from, len(chunk)):
            klds.append(float((np.exp(a[i]) * (a[i] - c[i])).sum()))
            same += int(np.argmax(a[i]) == np.argmax(c[i]))
            if i + 1 < len(chunk):
                lr_next.append(a[i, chunk[i + 1]])
                lv_next.append(c[i, chunk[i + 1]])
    k = np.array(klds)
    dp = np.exp(np.array(lv_next)) - np.exp(np.array(lr_next))
    return {
        "scored": len(klds),
        "with_next": len(lr_next),
        "kld_mean": float(k.mean()),
        "kld_median": float(np.median(k)),
        "kld_max": float(k.max()),
        "kld_p99": float(np.percentile(k, 99)),
        "kld_p10": float(np.percentile(k, 10)),
        "top1": same / len(klds),
        "ppl_ref": float(np.exp(-np.mean(lr_next))),
        "ppl_var": float(np.exp(-np.mean(lv_next))),
        "dp_mean": float(dp.mean()),
        "dp_rms": float(np.sqrt((dp * dp).mean())),
    }


def main():
    mode = sys.argv[1]
    if mode == "logits":
        tokens = [int(x) for x in sys.argv[3].split(",")]
        logits = forward(*load(sys.argv[2]), tokens)
        json.dump({"logits": logits.tolist()}, sys.stdout)
    else:
        tokens = [int(x) for x in sys.argv[4].split(",")]
        json.dump(stats(load(sys.argv[2]), load(sys.argv[3]), tokens, int(sys.argv[5]),
                        int(sys.argv[6])), sys.stdout)


if __name__ == "__main__":
    main()
