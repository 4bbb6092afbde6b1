#!/usr/bin/env python3
"""Tiny checkpoints written by Hugging Face transformers' own save_pretrained, for medq's layout
tests (issue 17): one folder per model under OUT, each with what save_pretrained writes (config.json,
generation_config.json, model*.safetensors, the index when sharded) and the tokenizer as
PreTrainedTokenizerFast.save_pretrained writes it, plus two files of facts made by transformers:

  OUT/<name>.logits.f32             float32 logits (tokens x vocab, little-endian, row-major) of
                                   the model loaded back with from_pretrained(dtype=float32,
                                   attn_implementation="eager"), for the ids in facts.json
  OUT/facts.json                    versions, and per model: class, num_parameters, the tensors
                                   and parameters on disk, the prompt's ids, the logits' shape

The tokenizer is a byte-level BPE of 400 entries trained by `tokenizers` on data/eval/clinical_en.txt.
Weights are random (seed 0). Run on a machine with torch, transformers, safetensors, tokenizers:

  tests/reference/make_transformers_checkpoints.py OUT
"""
import json
import os
import sys

import numpy as np
import safetensors
import tokenizers
import torch
import transformers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import (AutoModelForCausalLM, Gemma3ForCausalLM, Gemma3TextConfig, LlamaConfig,
                          LlamaForCausalLM, MistralConfig, MistralForCausalLM,
                          PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM, Qwen3Config,
                          Qwen3ForCausalLM)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
PROMPT = "Pt is a 67 y/o M with HTN and CKD. The chest radiograph shows no acute abnormality."
VOCAB = 512  # the models' vocabulary; the tokenizer uses the first 400 ids

SMALL = dict(vocab_size=VOCAB, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
             num_attention_heads=4, num_key_value_heads=2, head_dim=16,
             max_position_embeddings=256)


def tokenizer():
    with open(os.path.join(ROOT, "data", "eval", "clinical_en.txt"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(vocab_size=400, special_tokens=["<|endoftext|>", "<s>", "</s>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                                   pad_token="<|endoftext|>")


def specs():
    return [
        # name, model class, config, dtype, save_pretrained kwargs
        ("qwen3-tied-bf16", Qwen3ForCausalLM, Qwen3Config(**SMALL, tie_word_embeddings=True),
         torch.bfloat16, {}),
        ("qwen2-tied-f32", Qwen2ForCausalLM,
         Qwen2Config(**{k: v for k, v in SMALL.items() if k != "head_dim"},
                     tie_word_embeddings=True), torch.float32, {}),
        ("llama-sharded-f32", LlamaForCausalLM,
         LlamaConfig(**SMALL, tie_word_embeddings=False), torch.float32,
         {"max_shard_size": "100KB"}),
        ("mistral-sharded-bf16", MistralForCausalLM,
         MistralConfig(**SMALL, tie_word_embeddings=False), torch.bfloat16,
         {"max_shard_size": "60KB"}),
        ("gemma3-text-f16", Gemma3ForCausalLM,
         Gemma3TextConfig(**{**SMALL, "num_hidden_layers": 3}, sliding_window=4,
                          query_pre_attn_scalar=16, tie_word_embeddings=True),
         torch.float16, {}),
    ]


def disk_facts(d):
    tensors, params, files = 0, 0, []
    for name in sorted(os.listdir(d)):
        if name.endswith(".safetensors"):
            files.append(name)
            with safetensors.safe_open(os.path.join(d, name), "np") as f:
                for k in f.keys():
                    tensors += 1
                    params += int(np.prod(f.get_slice(k).get_shape()))
    return tensors, params, files


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    tok = tokenizer()
    ids = tok(PROMPT)["input_ids"]
    facts = {"versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                          "safetensors": safetensors.__version__,
                          "tokenizers": tokenizers.__version__},
             "generator": "tests/reference/make_transformers_checkpoints.py",
             "prompt": PROMPT, "ids": ids, "models": {}}
    for name, cls, cfg, dtype, kw in specs():
        torch.manual_seed(0)
        d = os.path.join(out, name)
        model = cls(cfg).to(dtype)
        model.save_pretrained(d, **kw)
        tok.save_pretrained(d)
        tensors, params, files = disk_facts(d)
        back = AutoModelForCausalLM.from_pretrained(d, dtype=torch.float32,
                                                    attn_implementation="eager")
        back.eval()
        with torch.no_grad():
            logits = back(torch.tensor([ids])).logits[0].float().numpy()
        # Beside the folder, not in it: the model folder holds what save_pretrained wrote.
        logits.astype("<f4").tofile(os.path.join(out, name + ".logits.f32"))
        facts["models"][name] = {
            "class": cls.__name__, "dtype": str(dtype).replace("torch.", ""),
            "num_parameters": model.num_parameters(),
            "state_dict_tensors": len(model.state_dict()),
            "disk_tensors": tensors, "disk_params": params, "files": sorted(os.listdir(d)),
            "logits_shape": list(logits.shape),
        }
        print(name, facts["models"][name])
    with open(os.path.join(out, "facts.json"), "w") as f:
        json.dump(facts, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
