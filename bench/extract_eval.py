"""Article extraction quality against reference extractions, per language.

Reads the pages under ``bench/data/extraction`` (real news pages with hand-made
reference article bodies; see the README there), extracts each page's article with
:func:`service.text.extract.extract_article` (or, for comparison, readability-lxml),
and prints ONE JSON line: token-level precision, recall and F1 (bag of lower-cased
word tokens, as the scrapinghub benchmark scores them) per language (median and mean)
and overall, and pages per second of extraction (decoding included).

    python bench/extract_eval.py [--extractor trafilatura|readability] [--per-page]

``--extractor readability`` needs ``pip install readability-lxml==0.9`` (not a project
dependency: pip's resolver cannot install it together with trafilatura in one call,
both asking for ``lxml[html_clean]`` spelled differently).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from service.text.extract import decode_html, extract_article  # noqa: E402

DATA = Path(__file__).resolve().parent / "data" / "extraction"
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


def tokens(text: str) -> Counter[str]:
    """Lower-cased word tokens with their counts."""
    return Counter(_TOKEN_RE.findall(text.lower()))


def scores(predicted: str, reference: str) -> tuple[float, float, float]:
    """Token precision, recall and F1 of ``predicted`` against ``reference``."""
    pred, ref = tokens(predicted), tokens(reference)
    overlap = sum((pred & ref).values())
    precision = overlap / sum(pred.values()) if pred else 0.0
    recall = overlap / sum(ref.values()) if ref else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _readability(page: str, url: str) -> str:
    from lxml import html as lxml_html
    from readability import Document

    summary = Document(page, url=url).summary(html_partial=True)
    return lxml_html.fromstring(summary).text_content()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--extractor", choices=("trafilatura", "readability"),
                        default="trafilatura")
    parser.add_argument("--per-page", action="store_true", help="also list every page")
    args = parser.parse_args()

    pages = json.loads((DATA / "pages.json").read_text(encoding="utf-8"))["pages"]
    raw = {p["id"]: gzip.decompress((DATA / "html" / f"{p['id']}.html.gz").read_bytes())
           for p in pages}
    by_language: dict[str, list[tuple[float, float, float]]] = {}
    rows = []
    started = time.perf_counter()
    for page in pages:
        text, _ = decode_html(raw[page["id"]])
        if args.extractor == "trafilatura":
            extracted = extract_article(text, url=page["url"]).text
        else:
            extracted = _readability(text, page["url"])
        result = scores(extracted, page["reference"])
        by_language.setdefault(page["language"], []).append(result)
        rows.append({"id": page["id"][:12], "language": page["language"],
                     "f1": round(result[2], 3)})
    elapsed = time.perf_counter() - started

    def summary(results: list[tuple[float, float, float]]) -> dict[str, float]:
        p, r, f = zip(*results)
        return {"pages": len(results), "precision_median": round(statistics.median(p), 3),
                "recall_median": round(statistics.median(r), 3),
                "f1_median": round(statistics.median(f), 3),
                "f1_mean": round(statistics.fmean(f), 3)}

    everything = [r for results in by_language.values() for r in results]
    out = {"bench": "extract_eval", "extractor": args.extractor,
           "languages": {lang: summary(res) for lang, res in sorted(by_language.items())},
           "overall": summary(everything),
           "pages_per_s": round(len(pages) / elapsed, 2)}
    if args.per_page:
        out["per_page"] = rows
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
