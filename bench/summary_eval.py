"""Extractive summaries of the NTREX-128 articles in en/uk/ru/ko, and how many pass
each neutrality check.

Usage: python bench/summary_eval.py [--data ../shared/data/ntrex128] [--max-sentences 3]
       [--max-words 80] [--langs en,uk,ru,ko] [--limit N]

Prints one JSON line: per language, the share of summaries within the length limits,
the article sentences lost to page-furniture cleanup (should be 0) and the furniture
lines removed, articles per second (summarising, and the whole clean + summarise +
check pipeline), mean summary length in sentences and words, the share over the
limits (to carry both sides of a dispute), disputes found per article, and the share
of summaries passing each check.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import OrderedDict
from pathlib import Path

from service.summarize.claims import analyse_claims
from service.summarize.claims.analysis import _claims_cached
from service.summarize.extractive import extractive_summary
from service.summarize.furniture import _clean_cached, clean_article, sentences_lost
from service.summarize.neutrality import CHECK_NAMES, check_neutrality
from service.summarize.neutrality.sources import _analyse_cached

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ntrex128"

FILES = {"en": "eng.txt", "uk": "ukr.txt", "ru": "rus.txt", "ko": "kor.txt"}


def load_articles(data: Path, lang: str) -> list[str]:
    """Articles of one language: lines grouped by ``document_ids.tsv``, one per line."""
    ids = (data / "document_ids.tsv").read_text(encoding="utf-8").splitlines()
    lines = (data / FILES[lang]).read_text(encoding="utf-8").splitlines()
    if len(ids) != len(lines):
        raise SystemExit(f"{FILES[lang]} has {len(lines)} lines, document_ids.tsv {len(ids)}")
    docs: OrderedDict[str, list[str]] = OrderedDict()
    for doc, line in zip(ids, lines):
        docs.setdefault(doc.split("\t")[0], []).append(line.strip())
    return ["\n".join(doc_lines) for doc_lines in docs.values()]


def evaluate(articles: list[str], lang: str, max_sentences: int,
             max_words: int) -> dict[str, object]:
    """Clean, summarise and check every article; return the language's figures."""
    # Load the analysers (kiwipiepy, pymorphy3) before the clock starts.
    check_neutrality(articles[0], extractive_summary(articles[0], lang).text, lang)
    for cache in (_analyse_cached, _claims_cached, _clean_cached):
        cache.cache_clear()
    start = time.perf_counter()
    summaries = [extractive_summary(a, lang, max_sentences=max_sentences, max_words=max_words)
                 for a in articles]
    summarise_s = time.perf_counter() - start
    check_start = time.perf_counter()
    reports = [check_neutrality(a, s.text, lang) for a, s in zip(articles, summaries)]
    total_s = summarise_s + time.perf_counter() - check_start
    lost = sum(sentences_lost(a, lang) for a in articles)
    removed = sum(len(clean_article(a, lang).removed) for a in articles)
    disputes = sum(len(analyse_claims(clean_article(a, lang).text, lang).disputes)
                   for a in articles)
    n = len(articles)
    within = sum(len(s.sentences) <= max_sentences and s.words <= max_words for s in summaries)
    return {
        "articles": n,
        "within_limits_share": round(within / n, 3),
        "sentences_lost_to_cleanup": lost,
        "furniture_lines_removed": removed,
        "articles_per_s": round(n / summarise_s, 2),
        "articles_per_s_with_checks": round(n / total_s, 2),
        "mean_sentences": round(sum(len(s.sentences) for s in summaries) / n, 2),
        "mean_words": round(sum(s.words for s in summaries) / n, 2),
        "over_limit_share": round(sum(s.over_limit for s in summaries) / n, 3),
        "disputes_per_article": round(disputes / n, 3),
        "pass_share": {name: round(sum(r.checks[name].passed for r in reports) / n, 3)
                       for name in CHECK_NAMES},
        "all_pass_share": round(sum(r.passed for r in reports) / n, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="NTREX-128 folder")
    parser.add_argument("--max-sentences", type=int, default=3)
    parser.add_argument("--max-words", type=int, default=80)
    parser.add_argument("--langs", default="en,uk,ru,ko")
    parser.add_argument("--limit", type=int, default=0, help="First N articles (0: all)")
    args = parser.parse_args()
    results = {}
    for lang in args.langs.split(","):
        articles = load_articles(args.data, lang)
        articles = articles[:args.limit] if args.limit else articles
        results[lang] = evaluate(articles, lang, args.max_sentences, args.max_words)
    print(json.dumps({"bench": "summary_eval", "max_sentences": args.max_sentences,
                      "max_words": args.max_words, "languages": results},
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
