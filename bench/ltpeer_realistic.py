"""The realistic-length model of the LibreTranslate side-by-side run.

Random weights never emit ``</s>``, so both servers would decode every sentence to the
limit (256 tokens), while real translations are ~40 tokens. A constant bias on the
``</s>`` logit (``final_logits_bias``) is not enough: the best hypothesis ends after ~10
tokens, but beam search keeps decoding until ``beam_size`` hypotheses have finished, and
with a position-independent ``</s>`` probability the other beams run on, often to the
limit, so a 10-token output costs a 256-token decode (measured: docs/engines.md).

Real models end their beams together because ``</s>`` becomes likely as the output
covers the source. This model gets the same property from its position encodings: the
``</s>`` logit rises with the decoder position (``--ramp``). Marian's sinusoidal position
encoding at dimension ``RAMP_DIM`` (``sin(pos / 10000^(2*134/512))``) rises monotonically
over the first ~195 positions; the decoder's sublayers are made to leave that dimension
alone (their output rows for it zeroed) and no token embedding carries it, so after the
post-norm layers it is a smooth, increasing function of the position (measured with ramp 0: -0.55 at
position 1, -0.04 at 40, +0.40 at 100, the same for every sentence within 0.01); the
``</s>`` row of the (tied) output projection reads it with weight ``ramp``, and
``final_logits_bias`` on ``</s>`` (``--bias``) sets where outputs end. Measured here (32
NTREX sentences, beam 4, length penalty 0.2, int8): ramp 15, bias 3 -> mean 41.8 tokens
(26-47), the four beams of a sentence ending within a few tokens of each other; ramp 20,
bias 3 -> mean 41 (37-45); ramp 15, bias 2 -> mean 48 (37-71). Everything else is the
random Opus-MT-base model: the same matrices, the same cost per decoding step.

``--ramp 0`` builds the earlier model (constant bias only; default bias then 1.34: most
outputs ~10 tokens, a few to the 256 limit, every beam search decoding long).

Builds, from the random Opus-MT-base model that ``sidebyside.sh`` makes
(``/tmp/perf/marian-base``):

- ``/tmp/perf/marian-base-eos``: the modified weights (served by newsroom-mt);
- ``/tmp/perf/marian-ct2-int8-eos``: its CTranslate2 int8 conversion (LibreTranslate's
  package model);

then prints one JSON line with the output lengths CTranslate2 gives on ``--sentences``
NTREX sentences, decoded as LibreTranslate decodes (beam 4, length penalty 0.2).

Usage: python bench/ltpeer_realistic.py [--ramp 15] [--bias 3] [--sentences 24] [--force]
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
#: Sinusoid dimension that carries the position to the ``</s>`` logit: the sine half's
#: index 134 of 512 rises monotonically up to position ~195 (frequency 10000^(-268/512)).
RAMP_DIM = 134
#: Default ramp and bias: ~42 output tokens on average, beams ending together.
DEFAULT_RAMP = 15.0
DEFAULT_BIAS = 3.0
#: Bias of the constant-bias model (``--ramp 0``), measured the same way: +1.25 -> mean
#: 103, +1.30 -> 82, +1.32 -> 60, +1.34 -> 45, +1.35 -> 11; two-sided: most outputs end
#: after ~10 tokens, a few (4 of 32 at +1.34) run to the 256 limit.
CONSTANT_ONLY_BIAS = 1.34


def add_position_ramp(model: object, ramp: float) -> None:
    """Make ``model``'s ``</s>`` logit rise with the decoder position (see the module
    docstring): no token embedding and no decoder sublayer writes ``RAMP_DIM``, so it
    carries the position encoding alone, and the ``</s>`` output row reads it."""
    embeddings = model.model.shared.weight  # type: ignore[attr-defined]
    embeddings[:, RAMP_DIM] = 0.0
    # Tied: this is also the output projection's </s> row (and </s>'s input embedding,
    # which only the encoder sees, at the end of each source).
    embeddings[model.config.eos_token_id, RAMP_DIM] = ramp  # type: ignore[attr-defined]
    for layer in model.model.decoder.layers:  # type: ignore[attr-defined]
        for linear in (layer.self_attn.out_proj, layer.encoder_attn.out_proj, layer.fc2):
            linear.weight[RAMP_DIM, :] = 0.0
            linear.bias[RAMP_DIM] = 0.0


def build(ramp: float, bias: float, force: bool) -> None:
    """Write the modified model and its int8 conversion (skipped when the same ramp and
    bias are already built, unless ``force``)."""
    import ctranslate2
    import torch
    from transformers import MarianMTModel

    stamp = OUT / "eos_ramp_bias.json"
    wanted = {"ramp": ramp, "bias": bias, "ramp_dim": RAMP_DIM}
    if not force and stamp.is_file() and json.loads(stamp.read_text()) == wanted \
            and (CT2_OUT / "model.bin").is_file():
        return
    if OUT.exists():
        shutil.rmtree(OUT)
    shutil.copytree(BASE, OUT)
    model = MarianMTModel.from_pretrained(str(BASE))
    eos = model.config.eos_token_id
    with torch.no_grad():
        if ramp:
            add_position_ramp(model, ramp)
        model.final_logits_bias[0, eos] = bias
    model.save_pretrained(str(OUT))
    stamp.write_text(json.dumps(wanted))
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
    parser.add_argument("--ramp", type=float, default=DEFAULT_RAMP,
                        help="Weight of the position on the </s> logit (0: constant bias only).")
    parser.add_argument("--bias", type=float, default=None,
                        help=f"Bias on the </s> logit (default {DEFAULT_BIAS}; "
                             f"{CONSTANT_ONLY_BIAS} with --ramp 0).")
    parser.add_argument("--sentences", type=int, default=24,
                        help="Sentences to measure output lengths on (0: skip).")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    if not (BASE / "config.json").is_file():
        sys.exit(f"{BASE} missing: run ../shared/tools/ltpeer/sidebyside.sh (or its "
                 "build_marian.py) first")
    bias = args.bias if args.bias is not None else (
        DEFAULT_BIAS if args.ramp else CONSTANT_ONLY_BIAS)
    build(args.ramp, bias, args.force)
    result: dict[str, object] = {"ramp": args.ramp, "bias": bias, "model": str(OUT),
                                 "ct2": str(CT2_OUT)}
    if args.sentences:
        out = lengths(args.sentences)
        result.update(sentences=len(out), mean_tokens=round(statistics.fmean(out), 1),
                      min_tokens=min(out), max_tokens=max(out),
                      at_limit=sum(1 for n in out if n >= 255))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
