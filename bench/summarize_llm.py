"""Instruction-model summaries: the exact Qwen3-1.7B architecture, random weights.

What it measures, per engine (each in its own subprocess, so peak RSS is its own):

- articles/s one article at a time vs batched (``--batch`` prompts per ``generate``),
  target: batched >= 3x one at a time;
- CTranslate2 int8 (``Generator``) vs transformers at its best dtype on this CPU
  (float32 and, where the CPU has AVX512-BF16/AMX, bfloat16 are both run; the faster
  one is "best"), target: >= 2x, batched;
- time to first summary (one at a time: the first article's; batched: the first batch's);
- peak RSS.

Inputs: ``--articles`` NTREX-128 articles of about ``--words`` words each (consecutive
NTREX lines of one language; languages taken in turn en, uk, ru, ko), each turned into
the service's real prompt (claims table + per-language neutral-summary instructions +
chat template). Every summary is forced to ``--new-tokens`` new tokens (min = max), so
random weights do the same work as real ones. The tokenizer is a byte-level BPE
trained here on NTREX (Qwen's own cannot be downloaded); its token counts per word are
reported, since they set the prompt length. The model is Qwen3-1.7B's config
(vocab 151,936, hidden 2048, 28 layers, 16 query / 8 KV heads, head dim 128, FFN 6144,
tied embeddings, 1.72B parameters) with ``--layers`` to shrink it.

Full run (about an hour on 2 quiet cores; ~7 GB of fp32 weights on disk and in RAM):

    python bench/summarize_llm.py --articles 32 --layers 28 --batch 8 --new-tokens 100

The one-at-a-time rate is per article: ``--single-articles 4`` measures it on the first
4 articles (a quarter of the time) while the batched run still takes all of them.

Reduced smoke run (what a busy shared machine allows):

    python bench/summarize_llm.py --articles 4 --layers 2 --batch 4 --new-tokens 100

On a GPU (``--device cuda``) the engines are transformers bfloat16 and float16 and
CTranslate2 int8_float16 (``--engines`` picks). ``--prompts-file`` reuses the prompts a
run wrote to ``.bench-cache/summarize_llm_prompts.json`` (the claims tables need the
Korean analyser's model, which a bare GPU machine may not have):

    python bench/summarize_llm.py --device cuda --engines transformers_bfloat16 \
        --articles 32 --single-articles 8 --batch 32 --prompts-file PROMPTS.json

Prints one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import CACHE_DIR, NTREX_FILES, read_ntrex, rss_mib  # noqa: E402

#: Qwen3-1.7B's config.json (published with the model), less what --layers changes.
QWEN3_1_7B: dict[str, Any] = {
    "vocab_size": 151936, "hidden_size": 2048, "intermediate_size": 6144,
    "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8,
    "head_dim": 128, "max_position_embeddings": 40960, "rope_theta": 1000000.0,
    "rms_norm_eps": 1e-6, "tie_word_embeddings": True, "hidden_act": "silu",
}
LANGS = ("en", "uk", "ru", "ko")
BPE_VOCAB = 32000
TARGET_BATCHED = 3.0
TARGET_CT2 = 2.0
CPU_ENGINES = ("transformers_float32", "transformers_bfloat16", "ct2_int8")
GPU_ENGINES = ("transformers_bfloat16", "transformers_float16", "ct2_int8_float16")


def build_model(layers: int, out: Path, seed: int = 0) -> Path:
    """Random-weight Qwen3-1.7B (``layers`` layers) + NTREX byte-level BPE tokenizer
    with Qwen's special tokens and chat template; cached under ``out``."""
    folder = out / f"qwen3-1.7b-L{layers}"
    if (folder / "bench-model.json").is_file():
        return folder
    import torch
    from transformers import Qwen2Tokenizer, Qwen3Config, Qwen3ForCausalLM

    from service.tiny_models import _QWEN_SPECIALS, QWEN_CHAT_TEMPLATE, train_byte_bpe

    lines = [line for name in NTREX_FILES.values() for line in read_ntrex(name)]
    vocab, merges = train_byte_bpe(lines, vocab_size=BPE_VOCAB)
    for token in _QWEN_SPECIALS:
        vocab.setdefault(token, len(vocab))
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=merges, unk_token=None,
                               eos_token="<|im_end|>", pad_token="<|endoftext|>",
                               model_max_length=40960)
    tokenizer.add_special_tokens({"additional_special_tokens": list(_QWEN_SPECIALS[:3])})
    tokenizer.add_tokens(list(_QWEN_SPECIALS[3:]))
    tokenizer.chat_template = QWEN_CHAT_TEMPLATE
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in _QWEN_SPECIALS}
    config = Qwen3Config(**dict(QWEN3_1_7B, num_hidden_layers=layers),
                         bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"],
                         pad_token_id=ids["<|endoftext|>"])
    torch.manual_seed(seed)
    model = Qwen3ForCausalLM(config).eval()
    model.generation_config.eos_token_id = [ids["<|im_end|>"], ids["<|endoftext|>"]]
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    params = sum(p.numel() for p in model.parameters())
    (folder / "bench-model.json").write_text(json.dumps({"params": params, "layers": layers}))
    return folder


def build_articles(count: int, words: int) -> list[tuple[str, str]]:
    """(language, article) pairs of about ``words`` words, languages in turn."""
    sources = {lang: read_ntrex(NTREX_FILES[lang]) for lang in LANGS}
    cursor = dict.fromkeys(LANGS, 0)
    out = []
    for i in range(count):
        lang = LANGS[i % len(LANGS)]
        lines = sources[lang]
        body: list[str] = []
        # Korean words (eojeol) are longer: count English-equivalent words through the
        # aligned English line, so every article carries the same content length.
        while sum(len(line.split()) for line in body) < (words * 0.8 if lang == "ko" else words):
            body.append(lines[cursor[lang] % len(lines)])
            cursor[lang] += 1
        out.append((lang, "\n".join(body)))
    return out


def build_prompts(model_dir: Path, articles: list[tuple[str, str]]) -> list[str]:
    """The service's own prompts (claims table + instructions + chat template)."""
    from transformers import AutoTokenizer

    from service.engines.causal_lm import chat_prompt
    from service.summarize.prompts import prompt_claims, summary_messages

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    prompts = []
    for lang, article in articles:
        messages = summary_messages(article, lang, prompt_claims(article, lang),
                                    max_sentences=3, max_words=80)
        prompts.append(chat_prompt(tokenizer, messages))
    return prompts


# --- worker (one engine per process) ------------------------------------------------

def _load_engine(kind: str, model_dir: Path, threads: int, device: str = "cpu") -> Any:
    from service.engines.device import Placement
    from service.registry import ModelEntry

    entry = ModelEntry(name="qwen3-bench", path=str(model_dir), family="qwen3",
                       task="summarize", languages=list(LANGS), licence="none (random)",
                       max_input_tokens=8192)
    placement = Placement(device=device, dtype="float32")
    if kind.startswith("transformers_"):
        import torch

        from service.engines.causal_lm import CausalLMEngine

        torch.set_num_threads(threads)
        return CausalLMEngine.load(entry, model_dir, placement, kind.split("_", 1)[1])
    from service.engines.ct2_convert import conversion_dir, convert_model
    from service.engines.ct2_generator import CTranslate2GeneratorEngine

    compute_type = kind.removeprefix("ct2_")
    folder = conversion_dir(model_dir, compute_type)
    if not (folder / "model.bin").is_file():
        convert_model(entry, model_dir, compute_type, force=True)
    return CTranslate2GeneratorEngine.load(entry, folder, device=device,
                                           compute_type=compute_type, intra_threads=threads)


def worker(kind: str, model_dir: Path, prompts: list[str], batch: int, new_tokens: int,
           threads: int, single: int = 0, device: str = "cpu") -> dict[str, Any]:
    """Load one engine; run the first ``single`` prompts (0: all) one at a time, then
    all of them in batches. Rates are per article, so a subset measures the
    one-at-a-time rate in a fraction of the time."""
    from service.engines.base import BatchKey, GenerationOptions

    started = time.perf_counter()
    engine = _load_engine(kind, model_dir, threads, device)
    loaded = time.perf_counter() - started
    key = BatchKey(None, None, GenerationOptions(max_new_tokens=new_tokens,
                                                 min_new_tokens=new_tokens))
    warm = BatchKey(None, None, GenerationOptions(max_new_tokens=2, min_new_tokens=2))
    engine.generate(prompts[:1], warm)
    result: dict[str, Any] = {"load_s": round(loaded, 2),
                              "compute": getattr(engine, "compute_type",
                                                 getattr(engine, "dtype", None))}
    tokens = []
    t0 = time.perf_counter()
    first = None
    alone = prompts[:single] if single > 0 else prompts
    for prompt in alone:
        tokens.append(engine.generate([prompt], key)[0].tokens)
        first = first if first is not None else time.perf_counter() - t0
    single_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    first_batch = None
    for start in range(0, len(prompts), batch):
        out = engine.generate(prompts[start:start + batch], key)
        tokens.extend(o.tokens for o in out)
        first_batch = first_batch if first_batch is not None else time.perf_counter() - t0
    batched = time.perf_counter() - t0
    result.update(
        one_at_a_time_articles=len(alone),
        one_at_a_time_articles_s=round(len(alone) / single_s, 4),
        batched_articles_s=round(len(prompts) / batched, 4),
        batched_speedup=round((len(prompts) / batched) / (len(alone) / single_s), 2),
        time_to_first_summary_s={"one_at_a_time": round(first or 0.0, 2),
                                 "batched": round(first_batch or 0.0, 2)},
        new_tokens_exact=all(t == new_tokens for t in tokens),
        **rss_mib())
    return result


# --- driver --------------------------------------------------------------------------

def _engines(requested: str | None, device: str) -> list[str]:
    from service.engines.causal_lm import cpu_has_fast_bf16

    requested = requested or ",".join(GPU_ENGINES if device == "cuda" else CPU_ENGINES)
    kinds = [k.strip() for k in requested.split(",") if k.strip()]
    if device == "cpu" and "transformers_bfloat16" in kinds and not cpu_has_fast_bf16():
        kinds.remove("transformers_bfloat16")  # emulated bf16: not a candidate for best
    return kinds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=32)
    parser.add_argument("--words", type=int, default=600)
    parser.add_argument("--layers", type=int, default=28, help="28 = the real model")
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--new-tokens", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--single-articles", type=int, default=0,
                        help="Articles run one at a time (the first N; 0 = all). The "
                             "batched run always takes all --articles.")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument("--engines", default=None,
                        help=f"Comma-separated (default: {','.join(CPU_ENGINES)} on cpu, "
                             f"{','.join(GPU_ENGINES)} on cuda).")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--prompts-file", type=Path, default=None,
                        help="Prompts (a JSON list, as a run writes to "
                             ".bench-cache/summarize_llm_prompts.json) instead of building "
                             "them; the first --articles are used.")
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()
    if args.worker:
        prompts = json.loads(args.prompts_file.read_text("utf-8"))
        print(json.dumps(worker(args.worker, args.model_dir, prompts, args.batch,
                                args.new_tokens, args.threads, args.single_articles,
                                args.device)))
        return
    model_dir = args.model_dir or build_model(args.layers, CACHE_DIR)
    if args.prompts_file:
        prompts = json.loads(args.prompts_file.read_text("utf-8"))[:args.articles]
        if len(prompts) < args.articles:
            raise SystemExit(f"{args.prompts_file} holds {len(prompts)} prompts, "
                             f"fewer than --articles {args.articles}")
    else:
        prompts = build_prompts(model_dir, build_articles(args.articles, args.words))
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    lengths = [len(tokenizer(p, add_special_tokens=False)["input_ids"]) for p in prompts]
    prompts_file = CACHE_DIR / "summarize_llm_prompts.json"
    prompts_file.write_text(json.dumps(prompts, ensure_ascii=False), "utf-8")
    load_start = os.getloadavg()[0]
    results: dict[str, Any] = {}
    for kind in _engines(args.engines, args.device):
        done = subprocess.run(
            [sys.executable, __file__, "--worker", kind, "--model-dir", str(model_dir),
             "--prompts-file", str(prompts_file), "--batch", str(args.batch),
             "--new-tokens", str(args.new_tokens), "--threads", str(args.threads),
             "--single-articles", str(args.single_articles), "--device", args.device],
            capture_output=True, text=True)
        lines = done.stdout.strip().splitlines()
        results[kind] = (json.loads(lines[-1]) if done.returncode == 0 and lines else
                         {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]})
        # Progress on stderr: a long run that is stopped early keeps what it measured.
        print(json.dumps({kind: results[kind]}), file=sys.stderr, flush=True)
    torch_runs = {k: v for k, v in results.items()
                  if k.startswith("transformers_") and "batched_articles_s" in v}
    best = max(torch_runs, key=lambda k: torch_runs[k]["batched_articles_s"], default=None)
    ct2 = results.get("ct2_int8_float16" if args.device == "cuda" else "ct2_int8", {})
    ratio = (round(ct2["batched_articles_s"] / torch_runs[best]["batched_articles_s"], 2)
             if best and "batched_articles_s" in ct2 else None)
    meta = json.loads((model_dir / "bench-model.json").read_text())
    print(json.dumps({
        "bench": "summarize_llm", "model": "Qwen3-1.7B architecture, random weights",
        "device": args.device,
        "layers": args.layers, "params": meta["params"], "articles": args.articles,
        "single_articles": args.single_articles or args.articles,
        "words_per_article": args.words, "batch": args.batch, "new_tokens": args.new_tokens,
        "threads": args.threads,
        "reduced": args.layers < 28 or args.articles < 32,
        "prompt_tokens": {"mean": round(sum(lengths) / len(lengths)), "max": max(lengths)},
        "engines": results, "transformers_best_dtype": best,
        "ct2_int8_vs_transformers_best": ratio,
        "targets": {"batched_vs_one_at_a_time_3x": {
                        k: v.get("batched_speedup", 0) >= TARGET_BATCHED
                        for k, v in results.items()},
                    "ct2_int8_vs_transformers_2x": ratio is not None and ratio >= TARGET_CT2},
        "loadavg_1m": {"start": round(load_start, 2), "end": round(os.getloadavg()[0], 2)},
    }))


if __name__ == "__main__":
    main()
