"""Shared benchmark pieces: the architecture-exact Opus-MT base model and NTREX text.

Compute cost depends only on the architecture, so benchmarks run a Marian model of
the real Opus-MT base shape with random weights: d_model 512, 6+6 layers, 8 heads,
FFN 2048, swish, sinusoidal positions, shared and tied embeddings, a 60,000-row
vocabulary (Opus-MT models have ~58-62k). Its outputs are meaningless, so benchmarks
force their length.

The tokenizer is one SentencePiece unigram model trained on all of NTREX-128
(en/uk/ru/ko, 7,988 lines), used as both ``source.spm`` and ``target.spm``, so any of
the four languages tokenizes to realistic lengths. That text is too small for 60k
pieces: SentencePiece gives at most ~28k (``learned_pieces`` in ``bench-model.json``),
and the vocabulary is filled up to ``vocab_size`` with pieces the tokenizer never
produces, so embeddings and the output layer have the real size.

One departure from the real generation config: ``forced_eos_token_id`` is unset, so
with forced lengths every engine decodes exactly the asked number of tokens (with it,
``generate`` spends its last step on a forced ``</s>``).
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
#: NTREX-128, read in place (never copied into the project).
DEFAULT_DATA = REPO.parent / "shared" / "data" / "ntrex128"
#: Where benchmarks cache built models (git-ignored).
CACHE_DIR = REPO / ".bench-cache"
NTREX_FILES = {"en": "eng.txt", "uk": "ukr.txt", "ru": "rus.txt", "ko": "kor.txt"}
#: Written last, so a folder holding it is a complete build.
_DONE = "bench-model.json"


def read_ntrex(lang_file: str, data_dir: Path = DEFAULT_DATA) -> list[str]:
    """Non-empty lines of one NTREX file (``eng.txt``, ``ukr.txt``...)."""
    lines = (Path(data_dir) / lang_file).read_text("utf-8").splitlines()
    return [line.strip() for line in lines if line.strip()]


def ntrex_articles(count: int = 0, *, joiner: str = "\n\n", lang_file: str = "eng.txt",
                   data_dir: Path = DEFAULT_DATA) -> list[str]:
    """NTREX rebuilt into articles with ``document_ids.tsv``: the first ``count``
    (0: all), each its lines joined by ``joiner``."""
    ids = (Path(data_dir) / "document_ids.tsv").read_text("utf-8").splitlines()
    lines = (Path(data_dir) / lang_file).read_text("utf-8").splitlines()
    articles: dict[str, list[str]] = {}
    for doc, line in zip(ids, lines):
        if line.strip():
            articles.setdefault(doc.strip(), []).append(line.strip())
    bodies = [joiner.join(body) for body in articles.values()]
    return bodies[:count] if count else bodies


def rss_mib() -> dict[str, float]:
    """Current (``VmRSS``) and peak (``VmHWM``) resident memory of this process, MiB."""
    status = Path("/proc/self/status").read_text()
    out = {}
    for key, name in (("VmRSS", "rss_mib"), ("VmHWM", "peak_rss_mib")):
        match = re.search(rf"{key}:\s+(\d+)", status)
        if match:
            out[name] = round(int(match.group(1)) / 1024, 1)
    return out


def _train_spm(data_dir: Path, prefix: Path, vocab_size: int) -> Path:
    import sentencepiece as spm

    corpus = prefix.with_suffix(".txt")
    lines = [line for name in NTREX_FILES.values() for line in read_ntrex(name, data_dir)]
    corpus.write_text("\n".join(lines), "utf-8")
    # hard_vocab_limit=False: take the largest vocabulary the text supports.
    spm.SentencePieceTrainer.train(
        input=str(corpus), model_prefix=str(prefix), vocab_size=vocab_size,
        character_coverage=1.0, model_type="unigram", hard_vocab_limit=False,
        unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1, minloglevel=2)
    return prefix.with_suffix(".model")


def build_opus_base(out_dir: Path, vocab_size: int = 60_000, *, seed: int = 0,
                    data_dir: Path = DEFAULT_DATA) -> Path:
    """Write (once; reused when ``out_dir`` holds a complete build) an Opus-MT-base-shaped
    Marian model with an NTREX-trained tokenizer, loadable with ``from_pretrained`` and
    convertible by CTranslate2; returns ``out_dir``."""
    out_dir = Path(out_dir)
    if (out_dir / _DONE).is_file():
        return out_dir
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        model_file = _train_spm(Path(data_dir), Path(tmp) / "ntrex", vocab_size)
        for name in ("source.spm", "target.spm"):
            (out_dir / name).write_bytes(model_file.read_bytes())
    proc = spm.SentencePieceProcessor(model_file=str(out_dir / "source.spm"))
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for index in range(proc.get_piece_size()):
        vocab.setdefault(proc.id_to_piece(index), len(vocab))
    learned = len(vocab)
    filler = 0
    while len(vocab) < vocab_size - 1:
        vocab.setdefault(f"<unused{filler}>", len(vocab))
        filler += 1
    # The pad token is the last id, as in the Opus-MT checkpoints.
    vocab["<pad>"] = len(vocab)
    (out_dir / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    tokenizer = MarianTokenizer(str(out_dir / "source.spm"), str(out_dir / "target.spm"),
                                str(out_dir / "vocab.json"), model_max_length=512)
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab), d_model=512, encoder_layers=6, decoder_layers=6,
        encoder_attention_heads=8, decoder_attention_heads=8, encoder_ffn_dim=2048,
        decoder_ffn_dim=2048, activation_function="swish", max_position_embeddings=512,
        scale_embedding=True, share_encoder_decoder_embeddings=True,
        pad_token_id=pad, eos_token_id=0, decoder_start_token_id=pad,
        forced_eos_token_id=None)
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    generation = model.generation_config
    generation.max_length = 512
    generation.num_beams = 4
    generation.bad_words_ids = [[pad]]
    generation.forced_eos_token_id = None
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    params = sum(p.numel() for p in model.parameters())
    (out_dir / _DONE).write_text(json.dumps({
        "architecture": "opus-mt-base (random weights)", "vocab_size": len(vocab),
        "learned_pieces": learned, "parameters": params}) + "\n", "utf-8")
    return out_dir


def model_info(out_dir: Path) -> dict[str, object]:
    """What ``build_opus_base`` recorded about the model in ``out_dir``."""
    return json.loads((Path(out_dir) / _DONE).read_text("utf-8"))
