#!/usr/bin/env python3
"""The baseline of `medq quality`'s benchmark: the same job written with PyTorch's own ops.

For a Gemma 3 checkpoint in the MLX layout (bf16, or MLX affine-quantized), a reference and a
variant: the float32 forward pass of the language model over the tokens, one chunk of --context
tokens from an empty cache, layer by layer (each layer's weights read from the safetensors
files and dequantized when it is reached, then dropped, as medq does), the log-probabilities at
the scored positions (from --score-from, default half the chunk) and the mean KL divergence
KL(P_ref || P_variant) and top-1 agreement. Prints one JSON line: seconds, peak RSS, the
statistics (so the bench can check that both implementations measured the same thing).

Written for the benchmark only (scripts/bench.sh): Debian's python3-torch, torch.set_num_threads
as given (default: all cores). Gemma 3 (gemma3 / gemma3_text) only; anything else is refused.

usage: torch_quality.py REF_DIR VARIANT_DIR TOKENS_FILE [--context N] [--score-from K]
"""
import argparse
import json
import math
import os
import resource
import struct
import time

import numpy as np
import torch


class Checkpoint:
    """Tensors of an MLX checkpoint, read from the safetensors files on demand (np.memmap)."""

    def __init__(self, d):
        self.dir = d
        with open(os.path.join(d, "config.json")) as f:
            self.config = json.load(f)
        self.where = {}
        for name in sorted(os.listdir(d)):
            if not name.endswith(".safetensors"):
                continue
            path = os.path.join(d, name)
            with open(path, "rb") as f:
                (n,) = struct.unpack("<Q", f.read(8))
                header = json.loads(f.read(n))
            header.pop("__metadata__", None)
            for k, v in header.items():
                self.where[k] = (path, 8 + n, v)
        q = self.config.get("quantization") or {}
        self.bits, self.group = q.get("bits"), q.get("group_size")
        if q and q.get("mode", "affine") != "affine":
            raise SystemExit("torch_quality.py: only MLX affine quantization")

    def raw(self, name):
        path, base, info = self.where[name]
        start, end = info["data_offsets"]
        # torch.from_numpy takes no unsigned 16/32-bit arrays: read the same bits as signed.
        dt = {"BF16": np.int16, "F16": np.float16, "F32": np.float32, "U32": np.int32}[
            info["dtype"]]
        a = np.memmap(path, dtype=dt, mode="r", offset=base + start,
                      shape=tuple(info["shape"]))
        t = torch.from_numpy(np.array(a))
        if info["dtype"] == "BF16":
            t = t.view(torch.bfloat16)
        return t

    def weight(self, module):
        """The float32 weight of `module` (a linear or embedding), dequantized when quantized."""
        w = self.raw(module + ".weight")
        if w.dtype != torch.int32 and module + ".scales" not in self.where:
            return w.float()
        scales = self.raw(module + ".scales").float()
        biases = self.raw(module + ".biases").float()
        rows, words = w.shape
        bits = self.bits
        cols = words * 32 // bits
        # Element j of a row sits at bit j*bits of the row's little-endian word stream.
        w64 = w.to(torch.int64) & 0xFFFFFFFF
        w64 = torch.cat([w64, torch.zeros(rows, 1, dtype=torch.int64)], dim=1)
        off = torch.arange(cols, dtype=torch.int64) * bits
        lo, shift = off // 32, off % 32
        val = (w64[:, lo] >> shift) | (w64[:, lo + 1] << (32 - shift))
        q = (val & ((1 << bits) - 1)).float()
        g = cols // scales.shape[1]
        q = q.view(rows, -1, g) * scales.unsqueeze(-1) + biases.unsqueeze(-1)
        return q.view(rows, cols)

    def vector(self, name):
        return self.raw(name).float()


def rms_norm(x, w, eps):
    x = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return x * (1.0 + w)


def rope(x, positions, base, factor):
    d = x.shape[-1]
    inv = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.float32) / d))
    freqs = (positions.float() / factor)[:, None] * inv[None, :]
    emb = torch.cat([freqs, freqs], dim=-1)
    cos, sin = emb.cos()[:, None, :], emb.sin()[:, None, :]
    half = d // 2
    rot = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rot * sin


def log_probs(ck, ids, score_from):
    c = ck.config.get("text_config", ck.config)
    if ck.config.get("model_type") not in ("gemma3", "gemma3_text"):
        raise SystemExit("torch_quality.py: Gemma 3 only")
    pre = "language_model." if "text_config" in ck.config else ""
    H, L = c["hidden_size"], c["num_hidden_layers"]
    nh, nkv, hd = c["num_attention_heads"], c["num_key_value_heads"], c["head_dim"]
    eps, window = c["rms_norm_eps"], c["sliding_window"]
    pattern = c.get("sliding_window_pattern", 6)
    factor = (c.get("rope_scaling") or {}).get("factor", 1.0)
    T = len(ids)
    pos = torch.arange(T)
    with torch.no_grad():
        emb = ck.weight(pre + "model.embed_tokens")
        h = emb[torch.tensor(ids)] * torch.tensor(math.sqrt(H), dtype=torch.float32)
        lm = pre + "lm_head" if pre + "lm_head.weight" in ck.where else pre + "model.embed_tokens"
        if lm != pre + "model.embed_tokens":
            del emb
        i, j = pos[:, None], pos[None, :]
        causal = j <= i
        for layer in range(L):
            p = f"{pre}model.layers.{layer}."
            sliding = (layer + 1) % pattern != 0
            x = rms_norm(h, ck.vector(p + "input_layernorm.weight"), eps)
            q = (x @ ck.weight(p + "self_attn.q_proj").T).view(T, nh, hd)
            k = (x @ ck.weight(p + "self_attn.k_proj").T).view(T, nkv, hd)
            v = (x @ ck.weight(p + "self_attn.v_proj").T).view(T, nkv, hd)
            q = rms_norm(q, ck.vector(p + "self_attn.q_norm.weight"), eps)
            k = rms_norm(k, ck.vector(p + "self_attn.k_norm.weight"), eps)
            base = c["rope_local_base_freq"] if sliding else c["rope_theta"]
            q = rope(q, pos, base, 1.0 if sliding else factor)
            k = rope(k, pos, base, 1.0 if sliding else factor)
            rep = nh // nkv
            k = k.repeat_interleave(rep, dim=1)
            v = v.repeat_interleave(rep, dim=1)
            s = torch.einsum("thd,shd->hts", q, k) * (c["query_pre_attn_scalar"] ** -0.5)
            allowed = causal & ((i - j) < window) if sliding else causal
            s = s.masked_fill(~allowed, float("-inf"))
            a = torch.einsum("hts,shd->thd", torch.softmax(s, dim=-1), v).reshape(T, nh * hd)
            o = a @ ck.weight(p + "self_attn.o_proj").T
            h = h + rms_norm(o, ck.vector(p + "post_attention_layernorm.weight"), eps)
            x = rms_norm(h, ck.vector(p + "pre_feedforward_layernorm.weight"), eps)
            g = torch.nn.functional.gelu(x @ ck.weight(p + "mlp.gate_proj").T, approximate="tanh")
            m = (g * (x @ ck.weight(p + "mlp.up_proj").T)) @ ck.weight(p + "mlp.down_proj").T
            h = h + rms_norm(m, ck.vector(p + "post_feedforward_layernorm.weight"), eps)
        x = rms_norm(h[score_from:], ck.vector(pre + "model.norm.weight"), eps)
        w = emb if lm == pre + "model.embed_tokens" else ck.weight(lm)
        logits = x @ w[: c["vocab_size"]].T
        return torch.log_softmax(logits, dim=-1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ref")
    ap.add_argument("variant")
    ap.add_argument("tokens")
    ap.add_argument("--context", type=int, default=512)
    ap.add_argument("--score-from", type=int)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    with open(a.tokens) as f:
        ids = [int(t) for t in f.read().split()][: a.context]
    score_from = a.score_from if a.score_from is not None else len(ids) // 2
    t0 = time.perf_counter()
    ref = log_probs(Checkpoint(a.ref), ids, score_from)
    var = log_probs(Checkpoint(a.variant), ids, score_from)
    kld = (ref.exp() * (ref - var)).sum(-1)
    top1 = (ref.argmax(-1) == var.argmax(-1)).float().mean()
    seconds = time.perf_counter() - t0
    print(json.dumps({
        "torch": torch.__version__, "threads": a.threads, "tokens": len(ids),
        "scored": int(kld.numel()), "seconds": round(seconds, 3),
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "kld_mean": float(kld.mean()), "top1_agreement": float(top1)}))


if __name__ == "__main__":
    main()
