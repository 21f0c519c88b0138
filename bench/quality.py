"""Translation quality of the models this deployment would use: chrF and BLEU
(sacrebleu) for every direction whose models are local, through the real service path.

    python bench/quality.py --data ../shared/data/ntrex128 [--limit 200]

``--data DIR`` is any line-aligned test set: one file per language with the same number
of lines, named as NTREX-128 names them (``eng.txt``, ``ukr.txt``, ``rus.txt``,
``kor.txt``) or by code (``en.txt`` ...). Each line is sent as one text through
:class:`service.workflows.translation.TranslationService` (paragraph and sentence
segmentation under the model's input limit, the batching scheduler, the catalogue's
routes including pivots, target tokens), exactly what ``/v1/translate`` does, with the
catalogue and engine the settings name (``NEWSROOM_REGISTRY``, ``NEWSROOM_ENGINE``...).

Directions whose route needs a model that is not local (pulled, converted or in the
Hugging Face cache) are listed under ``skipped`` with the reason; nothing is downloaded.

Prints ONE JSON line: per direction the route, chrF and BLEU (sacrebleu's corpus scores,
with their signatures), line count, seconds and lines per second (the route's models are
loaded and one line translated first, untimed: ``load_and_warmup_seconds``). ``--hypotheses DIR``
also writes each direction's output (``DIR/<src>-<tgt>.txt``) so scores can be
re-checked. On random-weight models (``models tiny``) the scores are meaningless; with
real weights this is the table docs/models.md asks operators to produce.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.errors import NoRoute  # noqa: E402
from service.settings import load_settings  # noqa: E402

#: File names tried per language, NTREX-128's first.
FILE_NAMES = {"en": ("eng.txt", "en.txt"), "uk": ("ukr.txt", "uk.txt"),
              "ru": ("rus.txt", "ru.txt"), "ko": ("kor.txt", "ko.txt")}
#: Texts submitted per call: enough to fill batches, few enough to bound memory.
CHUNK = 64


def read_test_set(data: Path, languages: list[str], limit: int) -> dict[str, list[str]]:
    """Lines per language found in ``data`` (first ``limit`` lines; 0 = all). Raises
    ``SystemExit`` naming the files when they are not line-aligned."""
    found: dict[str, list[str]] = {}
    for lang in languages:
        for name in FILE_NAMES.get(lang, (f"{lang}.txt",)):
            path = data / name
            if path.is_file():
                found[lang] = path.read_text("utf-8").splitlines()
                break
    counts = {lang: len(lines) for lang, lines in found.items()}
    if len(set(counts.values())) > 1:
        raise SystemExit(f"quality: {data} is not line-aligned: lines per language {counts}")
    if limit:
        found = {lang: lines[:limit] for lang, lines in found.items()}
    return found


def score(hypotheses: list[str], references: list[str], bleu_tokenize: str | None
          ) -> dict[str, Any]:
    """sacrebleu corpus chrF and BLEU with their signatures."""
    from sacrebleu.metrics import BLEU, CHRF

    chrf = CHRF()
    bleu = BLEU(tokenize=bleu_tokenize) if bleu_tokenize else BLEU()
    return {"chrf": round(chrf.corpus_score(hypotheses, [references]).score, 2),
            "bleu": round(bleu.corpus_score(hypotheses, [references]).score, 2),
            "chrf_signature": str(chrf.get_signature()),
            "bleu_signature": str(bleu.get_signature())}


def missing_models(runtime: Any, models: list[str]) -> list[str]:
    """Models of a route that cannot be loaded without a download."""
    return [name for name in models if not runtime.models.available(name)]


async def run_direction(service: Any, sources: list[str], src: str, tgt: str
                        ) -> tuple[list[str], float]:
    """Translate ``sources`` (one text per line) through the service; (outputs, seconds)."""
    outputs: list[str] = []
    started = time.perf_counter()
    for start in range(0, len(sources), CHUNK):
        chunk = sources[start:start + CHUNK]
        results = await service.translate_many(chunk, source=src, target=tgt)
        outputs.extend(result.text for result in results)
    return outputs, time.perf_counter() - started


async def evaluate(settings: Any, data: Path, *, limit: int = 0,
                   directions: list[tuple[str, str]] | None = None,
                   hypotheses: Path | None = None,
                   bleu_tokenize: str | None = None) -> dict[str, Any]:
    """Score every direction among the settings' languages found in ``data``."""
    from service.workflows.runtime import Runtime
    from service.workflows.translation import TranslationService

    texts = read_test_set(data, list(settings.languages), limit)
    pairs = directions or [(s, t) for s in texts for t in texts if s != t]
    runtime = Runtime(settings)
    service = TranslationService(runtime)
    report: dict[str, Any] = {"bench": "quality", "data": str(data), "registry":
                              str(settings.registry), "engine": settings.engine,
                              "directions": {}, "skipped": {}}
    try:
        for src, tgt in pairs:
            direction = f"{src}-{tgt}"
            if src not in texts or tgt not in texts:
                report["skipped"][direction] = f"no {src if src not in texts else tgt} file"
                continue
            try:
                route = runtime.registry.route_translation(src, tgt)
            except NoRoute as exc:
                report["skipped"][direction] = exc.message
                continue
            absent = missing_models(runtime, route.models)
            if absent:
                report["skipped"][direction] = (f"not local: {', '.join(absent)} (pull with: "
                                                f"newsroom-mt models pull {' '.join(absent)})")
                continue
            # Lines empty on either side (NTREX has none) would only add noise.
            kept = [i for i, (a, b) in enumerate(zip(texts[src], texts[tgt]))
                    if a.strip() and b.strip()]
            sources = [texts[src][i] for i in kept]
            references = [texts[tgt][i] for i in kept]
            # Untimed: loading the route's models and a first line (which also starts
            # the language's sentence splitter), so the timing is of serving only.
            started = time.perf_counter()
            for model in route.models:
                await runtime.models.handle(model).load()
            await run_direction(service, sources[:1], src, tgt)
            warmup = time.perf_counter() - started
            outputs, seconds = await run_direction(service, sources, src, tgt)
            if hypotheses is not None:
                hypotheses.mkdir(parents=True, exist_ok=True)
                (hypotheses / f"{direction}.txt").write_text("\n".join(outputs) + "\n", "utf-8")
            row = {"route": route.describe(), "kind": route.kind, "lines": len(outputs),
                   "load_and_warmup_seconds": round(warmup, 3), "seconds": round(seconds, 3),
                   "lines_per_second": round(len(outputs) / seconds, 2) if seconds else None}
            row.update(score(outputs, references, bleu_tokenize))
            report["directions"][direction] = row
    finally:
        await runtime.close()
    return report


def parse_directions(value: str | None) -> list[tuple[str, str]] | None:
    if not value:
        return None
    pairs = []
    for part in value.split(","):
        src, _, tgt = part.strip().partition("-")
        if not src or not tgt:
            raise SystemExit(f"quality: direction '{part}' must look like 'en-uk'")
        pairs.append((src, tgt))
    return pairs


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True,
                        help="Folder of line-aligned files (eng.txt, ukr.txt ... or en.txt ...).")
    parser.add_argument("--limit", type=int, default=0, help="First N lines (0: all).")
    parser.add_argument("--directions", help="Comma-separated, e.g. en-uk,uk-ko (default: all).")
    parser.add_argument("--hypotheses", type=Path, help="Write outputs to DIR/<src>-<tgt>.txt.")
    parser.add_argument("--bleu-tokenize", default=None,
                        help="sacrebleu BLEU tokenizer (default 13a; e.g. char, ko-mecab).")
    parser.add_argument("--registry", type=Path, help="Catalogue (default: NEWSROOM_REGISTRY).")
    parser.add_argument("--engine", choices=("transformers", "ctranslate2"))
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        raise SystemExit(f"quality: --data {args.data} is not a folder")
    settings = load_settings(registry=args.registry, engine=args.engine)
    report = asyncio.run(evaluate(settings, args.data, limit=args.limit,
                                  directions=parse_directions(args.directions),
                                  hypotheses=args.hypotheses,
                                  bleu_tokenize=args.bleu_tokenize))
    print(json.dumps(report, ensure_ascii=False))
    return report


if __name__ == "__main__":
    main()
