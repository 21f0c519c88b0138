"""Language-id accuracy and speed on NTREX-128 (en/uk/ru/ko, line-aligned).

Detects every line, and the first three words of every line (short-text variant),
with the service's LanguageDetector over en/uk/ru/ko. A line counts as correct only
if the detected language is its own (an unidentified line, ``None``, is wrong).
Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from service.text.langid import LanguageDetector  # noqa: E402

FILES = {"en": "eng.txt", "uk": "ukr.txt", "ru": "rus.txt", "ko": "kor.txt"}
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared/data/ntrex128"


def _rss_mib() -> float | None:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmRSS:\s+(\d+)", status)
    return round(int(match.group(1)) / 1024, 1) if match else None


def evaluate(detector: LanguageDetector, data: dict[str, list[str]]) -> dict:
    """Accuracy per language, overall, count, microseconds per text, and the
    unidentified share and most common confusions."""
    correct: Counter[str] = Counter()
    confusions: Counter[str] = Counter()
    unidentified = 0
    n = 0
    started = time.perf_counter()
    for lang, lines in data.items():
        for line in lines:
            got = detector.detect(line).language
            n += 1
            if got == lang:
                correct[lang] += 1
            elif got is None:
                unidentified += 1
            else:
                confusions[f"{lang}->{got}"] += 1
    elapsed = time.perf_counter() - started
    return {
        "per_language": {lang: round(correct[lang] / len(lines), 4)
                         for lang, lines in data.items()},
        "overall": round(sum(correct.values()) / n, 4),
        "n": n,
        "us_per_sentence": round(elapsed / n * 1e6, 1),
        "unidentified": round(unidentified / n, 4),
        "confusions": dict(confusions.most_common(5)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA,
                        help="folder with eng/ukr/rus/kor.txt")
    parser.add_argument("--min-confidence", type=float, default=None,
                        help="detector threshold (default: the detector's default)")
    args = parser.parse_args()

    data = {lang: [line for line in (args.data / name).read_text(encoding="utf-8")
                   .splitlines() if line.strip()]
            for lang, name in FILES.items()}
    short = {lang: [" ".join(line.split()[:3]) for line in lines]
             for lang, lines in data.items()}
    kwargs = {} if args.min_confidence is None else {"min_confidence": args.min_confidence}
    detector = LanguageDetector(list(FILES), **kwargs)
    detector.detect("warm-up: load the models before timing")
    detector.detect("Bonjour")  # and the Latin-script check's models

    result = evaluate(detector, data)
    result["short_3_words"] = evaluate(detector, short)
    result["min_confidence"] = detector.min_confidence
    result["rss_mib"] = _rss_mib()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
