"""The realistic-length model of the LibreTranslate side-by-side run.

Random weights never emit ``</s>``, so both servers would decode every sentence to the
limit (256 tokens), while real translations are ~40 tokens. A bias on the ``</s>``
logit (``final_logits_bias[0, eos]`` of the Marian model, which survives CTranslate2
conversion) ends outputs early; the transition is sharp (ltpeer README: +1.5 -> mean 58,
+1.6 -> mean 15 on 16 NTREX sentences), so the bias is a knob.

Builds, from the random Opus-MT-base model that ``sidebyside.sh`` makes
(``/tmp/perf/marian-base``):

- ``/tmp/perf/marian-base-eos``: the same weights with the bias (served by newsroom-mt);
- ``/tmp/perf/marian-ct2-int8-eos``: its CTranslate2 int8 conversion (LibreTranslate's
  package model);

then prints one JSON line with the output lengths CTranslate2 gives on ``--sentences``
NTREX sentences, decoded as LibreTranslate decodes (beam 4, length penalty 0.2).

Usage: python bench/ltpeer_realistic.py [--bias 1.34] [--sentences 24] [--force]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

BASE = Path("/tmp/perf/marian-base")
OUT = Path("/tmp/perf/marian-base-eos")
CT2_OUT = Path("/tmp/perf/marian-ct2-int8-eos")
DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ntrex128" / "eng.txt"
#: Default bias: about 40 output tokens on average. Measured here (32 NTREX sentences,
#: beam 4, length penalty 0.2, int8): +1.25 -> mean 103, +1.30 -> 82, +1.32 -> 60,
#: +1.34 -> 45, +1.35 -> 11. Random weights give a two-sided distribution: most outputs
#: end after ~10 tokens, a few (4 of 32 at +1.34) run to the 256 limit, as a batch's
#: longest output does in real traffic.
DEFAULT_BIAS = 1.34


def build(bias: float, force: bool) -> None:
    """Write the biased model and its int8 conversion (skipped when the same bias is
    already built, unless ``force``)."""
    import ctranslate2
    import torch
    from transformers import MarianMTModel

    stamp = OUT / "eos_bias.txt"
    if not force and stamp.is_file() and float(stamp.read_text()) == bias \
            and (CT2_OUT / "model.bin").is_file():
        return
    if OUT.exists():
        shutil.rmtree(OUT)
    shutil.copytree(BASE, OUT)
    model = MarianMTModel.from_pretrained(str(BASE))
    eos = model.config.eos_token_id
    with torch.no_grad():
        model.final_logits_bias[0, eos] = bias
    model.save_pretrained(str(OUT))
    stamp.write_text(str(bias))
    # newsroom-mt's own conversion (a sibling folder) is of the old bias: drop it.
    for stale in OUT.parent.glob(f"{OUT.name}-ct2-*"):
        shutil.rmtree(stale, ignore_errors=True)
    ctranslate2.converters.TransformersConverter(str(OUT)).convert(
        str(CT2_OUT), quantization="int8", force=True)


def lengths(count: int) -> list[int]:
    """Output tokens of ``count`` NTREX sentences, beam 4, length penalty 0.2, int8."""
    import ctranslate2
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(OUT / "source.spm"))
    translator = ctranslate2.Translator(str(CT2_OUT), device="cpu", compute_type="int8",
                                        inter_threads=1, intra_threads=2)
    lines = [line.strip() for line in DATA.read_text("utf-8").splitlines() if line.strip()]
    sources = [sp.encode(line, out_type=str) + ["</s>"] for line in lines[1000:1000 + count]]
    results = translator.translate_batch(sources, beam_size=4, length_penalty=0.2,
                                         max_batch_size=8)
    return [len(r.hypotheses[0]) for r in results]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bias", type=float, default=DEFAULT_BIAS)
    parser.add_argument("--sentences", type=int, default=24,
                        help="Sentences to measure output lengths on (0: skip).")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    if not (BASE / "config.json").is_file():
        sys.exit(f"{BASE} missing: run ../shared/tools/ltpeer/sidebyside.sh (or its "
                 "build_marian.py) first")
    build(args.bias, args.force)
    result: dict[str, object] = {"bias": args.bias, "model": str(OUT), "ct2": str(CT2_OUT)}
    if args.sentences:
        out = lengths(args.sentences)
        result.update(sentences=len(out), mean_tokens=round(statistics.fmean(out), 1),
                      min_tokens=min(out), max_tokens=max(out),
                      at_limit=sum(1 for n in out if n >= 255))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
