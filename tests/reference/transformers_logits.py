#!/usr/bin/env python3
"""Reference logits from Hugging Face transformers for medq's forward-pass tests.

For every tiny MLX checkpoint under tests/reference/fixtures/ (written by medq-synth), this
dequantizes the weights itself (tests/analysis/fidelity_reference.py: its own safetensors parsing,
bit unpacking and fp decoding, none of medq's code), builds the transformers model from the
config in float32 with attn_implementation="eager", loads the weights by name (MLX names are
transformers' names for causal LMs) and writes Model(input_ids).logits:

  OUT/<fixture>.logits.f32    tokens x vocab float32, little-endian, row-major
  OUT/transformers_logits.json  versions of torch/transformers, the token ids, shapes, and the
                                config transformers actually used (layer types, RoPE)

usage: transformers_logits.py [OUT]     (default: tests/reference/fixtures)
"""
import json
import os
import sys

import numpy as np
import torch
import transformers
from transformers import AutoConfig, AutoModelForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "analysis"))
import fidelity_reference as fr  # noqa: E402

# Fixed token ids (below every fixture's vocabulary), longer than the sliding window (8).
TOKENS = [2, 17, 301, 5, 999, 64, 128, 7, 512, 33, 250, 811]


def hf_config(config):
    c = {k: v for k, v in config.items()
         if k not in ("quantization", "quantization_config", "torch_dtype", "dtype",
                      "architectures", "transformers_version")}
    mt = c["model_type"]
    major = int(transformers.__version__.split(".")[0])
    if mt == "gemma3_text":
        pattern = c.pop("sliding_window_pattern", 6)
        c["layer_types"] = ["sliding_attention" if (i + 1) % pattern else "full_attention"
                            for i in range(c["num_hidden_layers"])]
        if major >= 5:
            scaling = c.pop("rope_scaling", None) or {"rope_type": "default"}
            full = dict(scaling)
            full["rope_type"] = full.pop("type", full.get("rope_type", "default"))
            full["rope_theta"] = c.pop("rope_theta", 1000000.0)
            c["rope_parameters"] = {
                "full_attention": full,
                "sliding_attention": {"rope_type": "default",
                                      "rope_theta": c.pop("rope_local_base_freq", 10000.0)},
            }
    elif major >= 5:
        rp = dict(c.pop("rope_scaling", None) or {"rope_type": "default"})
        rp["rope_theta"] = c.pop("rope_theta", 10000.0)
        c["rope_parameters"] = rp
    return mt, c


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "fixtures")
    os.makedirs(out, exist_ok=True)
    fixtures = os.path.join(HERE, "fixtures")
    summary = {"torch": torch.__version__, "transformers": transformers.__version__,
               "numpy": np.__version__, "tokens": TOKENS, "models": {}}
    torch.manual_seed(0)
    for name in sorted(os.listdir(fixtures)):
        d = os.path.join(fixtures, name)
        if not os.path.isfile(os.path.join(d, "config.json")):
            continue
        with open(os.path.join(d, "config.json")) as f:
            config = json.load(f)
        mt, c = hf_config(config)
        c.pop("model_type", None)
        cfg = AutoConfig.for_model(mt, **c)
        model = AutoModelForCausalLM.from_config(cfg, attn_implementation="eager",
                                                 torch_dtype=torch.float32)
        model.eval()
        weights = fr.logical(d)
        sd = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=np.float32))
              for k, v in weights.items()}
        missing, unexpected = model.load_state_dict(sd, strict=False)
        missing = [m for m in missing if not m.endswith("rotary_emb.inv_freq")]
        if unexpected or any(m != "lm_head.weight" for m in missing):
            raise SystemExit(f"{name}: missing {missing}, unexpected {unexpected}")
        if "lm_head.weight" in missing:
            model.tie_weights()
            if not torch.equal(model.lm_head.weight, model.model.embed_tokens.weight):
                raise SystemExit(f"{name}: lm_head missing and not tied")
        with torch.no_grad():
            logits = model(torch.tensor([TOKENS])).logits[0].float().numpy()
        logits.astype("<f4").tofile(os.path.join(out, name + ".logits.f32"))
        summary["models"][name] = {
            "class": type(model).__name__,
            "model_type": mt,
            "shape": list(logits.shape),
            "tied": "lm_head.weight" in missing,
            "layer_types": getattr(model.config, "layer_types", None),
            "sliding_window": getattr(model.config, "sliding_window", None),
            "rope": getattr(model.config, "rope_parameters", None)
            or getattr(model.config, "rope_scaling", None),
            "max_abs_logit": float(np.abs(logits).max()),
        }
        print(name, type(model).__name__, logits.shape, float(np.abs(logits).max()))
    with open(os.path.join(out, "transformers_logits.json"), "w") as f:
        json.dump(summary, f, indent=1, sort_keys=True, default=str)
        f.write("\n")


if __name__ == "__main__":
    main()
