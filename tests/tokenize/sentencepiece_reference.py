#!/usr/bin/python3
"""medq tokenize on a tokenizer.model against SentencePiece's own Python encoder.

For both SentencePiece models of ../shared/realdata/tokenizer_model (google/sentencepiece's
python test models: 1,000 English pieces and 8,000 Japanese ones) and every string of
tests/tokenize/corpus.json, `medq tokenize DIR --follow-symlinks --text FILE --format json` (DIR holding only
a link named tokenizer.model, which leads out of it) must give SentencePieceProcessor.encode's ids, with --no-special,
and BOS + those ids without (add_bos_token absent: the slow LlamaTokenizer's default, as
docs/tokenize.md says). Debian's python3-sentencepiece (scripts/setup.sh). Exits 77 (skipped,
saying why) without the realdata folder.

usage: sentencepiece_reference.py MEDQ
"""
import json
import os
import subprocess
import sys
import tempfile

import sentencepiece as spm

HERE = os.path.dirname(os.path.abspath(__file__))
REALDATA = os.path.join(HERE, "..", "..", "..", "shared", "realdata", "tokenizer_model")
MODELS = ["sentencepiece_python_test_test_model.model",
          "sentencepiece_python_test_test_ja_model.model"]


def medq_ids(medq, d, text_file, special):
    cmd = [medq, "tokenize", d, "--follow-symlinks", "--text", text_file, "--format", "json"]
    if not special:
        cmd.append("--no-special")
    out = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)}: exit {out.returncode}: {out.stderr.strip()}")
    return json.loads(out.stdout)["ids"]


def main():
    medq = sys.argv[1]
    if not os.path.isdir(REALDATA):
        print(f"SKIPPED: {REALDATA} is absent")
        sys.exit(77)
    with open(os.path.join(HERE, "corpus.json"), encoding="utf-8") as f:
        cases = json.load(f)["cases"]
    failures, checked = 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        text_file = os.path.join(tmp, "text.txt")
        for name in MODELS:
            model = os.path.join(REALDATA, name)
            d = os.path.join(tmp, name)
            os.mkdir(d)
            os.symlink(model, os.path.join(d, "tokenizer.model"))
            sp = spm.SentencePieceProcessor(model_file=model)
            for c in cases:
                with open(text_file, "w", encoding="utf-8", newline="") as f:
                    f.write(c["text"])
                want = sp.encode(c["text"])
                for special, expect in ((False, want), (True, [sp.bos_id()] + want)):
                    got = medq_ids(medq, d, text_file, special)
                    checked += 1
                    if got != expect:
                        failures += 1
                        print(f"{name} / {c['name']} (special={special}):\n  medq {got}\n  "
                              f"sentencepiece {expect}")
    print(f"sentencepiece {spm.__version__}: {checked} encodings compared, {failures} differ")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
