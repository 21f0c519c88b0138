"""Tiny random-weight models of each family, for tests, demos and smoke tests.

``newsroom-mt models tiny --out DIR`` writes, without any download, one of two layouts
of translation models:

- ``per-direction`` (the default, catalogue v1's shape): one Marian model per Opus-MT
  direction and one M2M100 model for the directions v1 served with m2m100_418M;
- ``tc-big`` (catalogue v2's shape, ``--layout tc-big``): multi-target Marian models
  like ``opus-mt-tc-big-en-zle`` whose vocabularies hold target tokens (``>>ukr<<``,
  ``>>rus<<``, ``>>bel<<``) the engines must add, single-target en<->ko models, and
  Korean <-> Ukrainian/Russian through the English pivot;

and in both:

- one MT5 summarisation model;
- one Qwen3 instruction model (decoder-only, byte-level BPE tokenizer, ChatML chat
  template) and one DeBERTa-v2 NLI classifier (entailment / neutral / contradiction),
  the shapes of the default summariser and faithfulness checker;
- ``DIR/registry.yaml`` routing every direction and task to them.

Each model gets a SentencePiece tokenizer trained on the fly on a small built-in
multilingual corpus, is saved with ``save_pretrained`` and is later loaded through the
real registry and engine (``from_pretrained`` on the folder). Their output is
meaningless text: they exercise the real code paths, not translation quality.
"""

from __future__ import annotations

import json
import tempfile
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

#: Directions served by a Marian model in the default catalogue (Opus-MT).
MARIAN_DIRECTIONS: tuple[tuple[str, str], ...] = (
    ("en", "uk"), ("uk", "en"), ("en", "ru"), ("ru", "en"),
    ("ru", "uk"), ("uk", "ru"), ("ko", "en"), ("ko", "ru"),
)
#: Directions served by M2M100 in the default catalogue.
M2M100_DIRECTIONS: tuple[tuple[str, str], ...] = (
    ("en", "ko"), ("uk", "ko"), ("ru", "ko"), ("ko", "uk"),
)
LANGUAGES: tuple[str, ...] = ("en", "uk", "ru", "ko")
#: Catalogue v2's shape: name -> (directions, target tokens the model needs, extra
#: target tokens its vocabulary holds that the catalogue does not use).
_ZLE_TOKENS = {"uk": ">>ukr<<", "ru": ">>rus<<"}
TC_BIG_MODELS: dict[str, tuple[tuple[str, ...], dict[str, str], tuple[str, ...]]] = {
    "en-zle": (("en-uk", "en-ru"), _ZLE_TOKENS, (">>bel<<",)),
    "zle-en": (("uk-en", "ru-en"), {}, ()),
    "zle-zle": (("uk-ru", "ru-uk"), _ZLE_TOKENS, (">>bel<<",)),
    "en-ko": (("en-ko",), {}, ()),
    "ko-en": (("ko-en",), {}, ()),
}
LAYOUTS: tuple[str, ...] = ("per-direction", "tc-big")

# Small enough to build in seconds, big enough to have real attention and
# positional limits (max_position_embeddings bounds the input, as in real models).
_D_MODEL = 32
_FFN = 64
_HEADS = 2
_MAX_POSITIONS = 128
_VOCAB = 600
# Large random weights make the output depend visibly on the input (with the usual
# 0.02 a one-layer decoder ignores its source and every input decodes alike).
_INIT_STD = 0.5
#: Tiny models generate at most this many tokens by default.
TINY_MAX_NEW_TOKENS = 24

WARNING = ("These are tiny RANDOM-WEIGHT models: their output is meaningless text. "
           "They exist so tests, demos and smoke tests run without downloads.")


def _corpus_lines() -> list[str]:
    text = resources.files("service.data").joinpath("tiny_corpus.txt").read_text("utf-8")
    return [line for line in text.splitlines() if line.strip()]


def train_sentencepiece(lines: list[str], prefix: Path, vocab_size: int = _VOCAB) -> Path:
    """Train a unigram SentencePiece model on ``lines``; returns the ``.model`` path."""
    import sentencepiece as spm

    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False, encoding="utf-8") as fh:
        fh.write("\n".join(lines))
        corpus = fh.name
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=str(prefix), vocab_size=vocab_size,
        character_coverage=1.0, model_type="unigram", hard_vocab_limit=False,
        unk_id=0, bos_id=-1, eos_id=-1, pad_id=-1, minloglevel=2)
    Path(corpus).unlink()
    return prefix.with_suffix(".model")


def _pieces(spm_model: Path) -> list[tuple[str, float]]:
    import sentencepiece as spm

    proc = spm.SentencePieceProcessor(model_file=str(spm_model))
    return [(proc.id_to_piece(i), proc.get_score(i)) for i in range(proc.get_piece_size())
            if proc.id_to_piece(i) != "<unk>"]


def build_marian(out: Path, spm_model: Path, seed: int = 0,
                 target_tokens: tuple[str, ...] = ()) -> None:
    """Write a tiny Marian model with a shared source/target SentencePiece vocabulary;
    ``target_tokens`` (``>>ukr<<`` ...) become vocabulary entries as in multi-target
    Opus-MT models, where MarianTokenizer keeps a leading one as a single token."""
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out.mkdir(parents=True, exist_ok=True)
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for token in target_tokens:
        vocab[token] = len(vocab)
    for piece, _score in _pieces(spm_model):
        vocab.setdefault(piece, len(vocab))
    vocab["<pad>"] = len(vocab)
    vocab_path = out / "vocab.json"
    vocab_path.write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    for name in ("source.spm", "target.spm"):
        (out / name).write_bytes(spm_model.read_bytes())
    tokenizer = MarianTokenizer(str(out / "source.spm"), str(out / "target.spm"), str(vocab_path),
                                model_max_length=_MAX_POSITIONS)
    config = MarianConfig(
        vocab_size=len(vocab), init_std=_INIT_STD, d_model=_D_MODEL, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=_HEADS, decoder_attention_heads=_HEADS,
        encoder_ffn_dim=_FFN, decoder_ffn_dim=_FFN, max_position_embeddings=_MAX_POSITIONS,
        pad_token_id=vocab["<pad>"], eos_token_id=0, decoder_start_token_id=vocab["<pad>"],
        forced_eos_token_id=0)
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    model.generation_config.max_length = None
    model.generation_config.max_new_tokens = TINY_MAX_NEW_TOKENS
    model.generation_config.num_beams = 1
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def build_m2m100(out: Path, spm_model: Path, seed: int = 0) -> None:
    """Write a tiny M2M100 model (language tokens ``__en__`` etc. as in the real one)."""
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, M2M100Tokenizer

    out.mkdir(parents=True, exist_ok=True)
    vocab: dict[str, int] = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for piece, _score in _pieces(spm_model):
        vocab.setdefault(piece, len(vocab))
    (out / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), "utf-8")
    (out / "sentencepiece.bpe.model").write_bytes(spm_model.read_bytes())
    tokenizer = M2M100Tokenizer(str(out / "vocab.json"), str(out / "sentencepiece.bpe.model"),
                                model_max_length=_MAX_POSITIONS)
    # Language tokens (__en__ ...) and made-up words sit after the SentencePiece
    # vocabulary, as in the real checkpoint (vocab 128,112 = 128,000 + 100 + 8 + 4).
    vocab_size = len(tokenizer.encoder) + len(tokenizer.lang_token_to_id) + 8
    config = M2M100Config(
        vocab_size=vocab_size, init_std=_INIT_STD, d_model=_D_MODEL, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=_HEADS, decoder_attention_heads=_HEADS,
        encoder_ffn_dim=_FFN, decoder_ffn_dim=_FFN, max_position_embeddings=_MAX_POSITIONS,
        pad_token_id=1, bos_token_id=0, eos_token_id=2, decoder_start_token_id=2)
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config).eval()
    model.generation_config.max_length = None
    model.generation_config.max_new_tokens = TINY_MAX_NEW_TOKENS
    model.generation_config.num_beams = 1
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def build_mt5(out: Path, spm_model: Path, seed: int = 0) -> None:
    """Write a tiny MT5 summarisation model with a T5 (SentencePiece unigram) tokenizer."""
    import torch
    from transformers import MT5Config, MT5ForConditionalGeneration, T5Tokenizer

    out.mkdir(parents=True, exist_ok=True)
    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)] + _pieces(spm_model)
    tokenizer = T5Tokenizer(vocab=vocab, extra_ids=0, model_max_length=_MAX_POSITIONS)
    config = MT5Config(
        vocab_size=len(tokenizer), d_model=_D_MODEL, d_kv=_D_MODEL // _HEADS, d_ff=_FFN,
        num_layers=1, num_decoder_layers=1, num_heads=_HEADS, pad_token_id=0,
        eos_token_id=1, decoder_start_token_id=0, tie_word_embeddings=False,
        initializer_factor=25.0)
    torch.manual_seed(seed)
    model = MT5ForConditionalGeneration(config).eval()
    model.generation_config.max_length = None
    model.generation_config.max_new_tokens = TINY_MAX_NEW_TOKENS
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


#: Qwen3's own chat template reduced to what the summariser sends (system + user
#: messages, generation prompt, ``enable_thinking=False`` -> an empty think block).
QWEN_CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}"
    "{%- if enable_thinking is defined and enable_thinking is false %}"
    "{{- '<think>\\n\\n</think>\\n\\n' }}{%- endif %}{%- endif %}")
_QWEN_SPECIALS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>")
#: Long enough for a prompt with an article and its claims table.
_QWEN_POSITIONS = 4096


def train_byte_bpe(lines: list[str], vocab_size: int = 1000
                   ) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Train a byte-level BPE (Qwen's tokenizer type) on ``lines``: (vocab, merges)."""
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(lines, trainer=trainer)
    state = json.loads(tok.to_str())["model"]
    merges = [tuple(m.split(" ", 1)) if isinstance(m, str) else (m[0], m[1])
              for m in state["merges"]]
    return dict(state["vocab"]), merges


def build_qwen3(out: Path, lines: list[str], seed: int = 0) -> None:
    """Write a tiny Qwen3 instruction model: Qwen2 byte-level BPE tokenizer with the
    ChatML special tokens, chat template, and the real model's sampling defaults
    (which the engine must override to decode deterministically)."""
    import torch
    from transformers import Qwen2Tokenizer, Qwen3Config, Qwen3ForCausalLM

    out.mkdir(parents=True, exist_ok=True)
    vocab, merges = train_byte_bpe(lines)
    for token in _QWEN_SPECIALS:
        vocab.setdefault(token, len(vocab))
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=merges, unk_token=None,
                               eos_token="<|im_end|>", pad_token="<|endoftext|>",
                               model_max_length=_QWEN_POSITIONS)
    # As in Qwen3: the ChatML markers are special, the think markers plain added tokens
    # (they survive decoding, and the engine removes the block).
    tokenizer.add_special_tokens({"additional_special_tokens": list(_QWEN_SPECIALS[:3])})
    tokenizer.add_tokens(list(_QWEN_SPECIALS[3:]))
    tokenizer.chat_template = QWEN_CHAT_TEMPLATE
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in _QWEN_SPECIALS}
    config = Qwen3Config(
        vocab_size=len(tokenizer), hidden_size=_D_MODEL, intermediate_size=_FFN,
        num_hidden_layers=2, num_attention_heads=_HEADS, num_key_value_heads=1,
        head_dim=_D_MODEL // _HEADS, max_position_embeddings=_QWEN_POSITIONS,
        initializer_range=_INIT_STD, tie_word_embeddings=True,
        bos_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"],
        pad_token_id=ids["<|endoftext|>"])
    torch.manual_seed(seed)
    model = Qwen3ForCausalLM(config).eval()
    gen = model.generation_config
    gen.eos_token_id = [ids["<|im_end|>"], ids["<|endoftext|>"]]
    gen.pad_token_id = ids["<|endoftext|>"]
    gen.do_sample, gen.temperature, gen.top_p, gen.top_k = True, 0.6, 0.95, 20
    gen.max_length = None
    gen.max_new_tokens = TINY_MAX_NEW_TOKENS
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


#: Label order of the mDeBERTa-v3 XNLI checkpoints.
NLI_LABELS: dict[int, str] = {0: "entailment", 1: "neutral", 2: "contradiction"}


def build_nli(out: Path, spm_model: Path, seed: int = 0) -> None:
    """Write a tiny DeBERTa-v2 sequence classifier with NLI labels (mDeBERTa's shape)."""
    import torch
    from transformers import DebertaV2Config, DebertaV2ForSequenceClassification, DebertaV2Tokenizer

    out.mkdir(parents=True, exist_ok=True)
    vocab = ([("[PAD]", 0.0), ("[CLS]", 0.0), ("[SEP]", 0.0), ("[UNK]", 0.0)]
             + _pieces(spm_model) + [("[MASK]", 0.0)])
    tokenizer = DebertaV2Tokenizer(vocab=vocab, unk_id=3, model_max_length=512)
    config = DebertaV2Config(
        vocab_size=len(vocab), hidden_size=_D_MODEL, num_hidden_layers=1,
        num_attention_heads=_HEADS, intermediate_size=_FFN, max_position_embeddings=512,
        relative_attention=True, position_buckets=64, pos_att_type=["p2c", "c2p"],
        position_biased_input=False, pad_token_id=0, initializer_range=_INIT_STD,
        num_labels=3, id2label=dict(NLI_LABELS),
        label2id={label: index for index, label in NLI_LABELS.items()})
    torch.manual_seed(seed)
    model = DebertaV2ForSequenceClassification(config).eval()
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)


def _translation_entries_tc_big() -> dict[str, Any]:
    """Catalogue v2's translation entries over the ``tc-big`` layout's models."""
    models: dict[str, Any] = {}
    for pair, (directions, tokens, _extra) in TC_BIG_MODELS.items():
        entry: dict[str, Any] = {
            "path": f"tc-big-{pair}", "family": "marian", "task": "translate",
            "directions": list(directions), "licence": "apache-2.0", "commercial": True,
            "attribution": "Tiny random-weight test model built by newsroom-mt.",
            "max_input_tokens": _MAX_POSITIONS,
            "generation": {"num_beams": 1, "max_new_tokens": TINY_MAX_NEW_TOKENS}}
        if tokens:
            entry["target_tokens"] = dict(tokens)
        models[f"tiny-tc-big-{pair}"] = entry
    return models


def _translation_entries_per_direction() -> dict[str, Any]:
    """Catalogue v1's translation entries over the ``per-direction`` layout's models."""
    generation = {"num_beams": 1, "max_new_tokens": TINY_MAX_NEW_TOKENS}
    models: dict[str, Any] = {}
    for src, tgt in MARIAN_DIRECTIONS:
        models[f"tiny-marian-{src}-{tgt}"] = {
            "path": f"marian-{src}-{tgt}", "family": "marian", "task": "translate",
            "directions": [f"{src}-{tgt}"], "licence": "apache-2.0", "commercial": True,
            "max_input_tokens": _MAX_POSITIONS, "generation": dict(generation)}
    models["tiny-m2m100"] = {
        "path": "m2m100", "family": "m2m100", "task": "translate",
        "directions": [f"{s}-{t}" for s, t in M2M100_DIRECTIONS],
        "languages": list(LANGUAGES), "licence": "mit", "commercial": True,
        "max_input_tokens": _MAX_POSITIONS, "generation": dict(generation)}
    return models


def tiny_registry(out: Path, layout: str = "per-direction") -> dict[str, Any]:
    """The catalogue that routes every direction and task to the tiny models in ``out``."""
    models = (_translation_entries_tc_big() if layout == "tc-big"
              else _translation_entries_per_direction())
    models["tiny-mt5-summarize"] = {
        "path": "mt5-summarize", "family": "mt5", "task": "summarize",
        "languages": list(LANGUAGES), "licence": "apache-2.0", "commercial": True,
        "max_input_tokens": _MAX_POSITIONS, "prefix": "summarize: ",
        "generation": {"num_beams": 2, "max_new_tokens": TINY_MAX_NEW_TOKENS,
                       "no_repeat_ngram_size": 3}}
    # After the MT5 entry: the existing summarisation tests keep their model unless they
    # name this one (NEWSROOM_SUMMARY_MODEL=tiny-qwen3).
    models["tiny-qwen3"] = {
        "path": "qwen3", "family": "qwen3", "task": "summarize",
        "languages": list(LANGUAGES), "licence": "apache-2.0", "commercial": True,
        "generation": {"max_new_tokens": TINY_MAX_NEW_TOKENS}}
    models["tiny-nli"] = {
        "path": "nli", "family": "deberta-v2", "task": "nli",
        "languages": list(LANGUAGES), "licence": "mit", "commercial": True}
    return {"version": 1, "note": WARNING, "models": models}


def write_tiny_models(out: Path, seed: int = 0, layout: str = "per-direction") -> Path:
    """Build every tiny model of ``layout`` (see module docs) under ``out`` and write
    ``out/registry.yaml``; returns it."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout '{layout}'; choose one of: {', '.join(LAYOUTS)}")
    out.mkdir(parents=True, exist_ok=True)
    lines = _corpus_lines()
    with tempfile.TemporaryDirectory() as tmp:
        spm_model = train_sentencepiece(lines, Path(tmp) / "tiny")
        if layout == "tc-big":
            for index, (pair, (_dirs, tokens, extra)) in enumerate(TC_BIG_MODELS.items()):
                build_marian(out / f"tc-big-{pair}", spm_model, seed=seed + index,
                             target_tokens=tuple(tokens.values()) + extra)
        else:
            for index, (src, tgt) in enumerate(MARIAN_DIRECTIONS):
                build_marian(out / f"marian-{src}-{tgt}", spm_model, seed=seed + index)
            build_m2m100(out / "m2m100", spm_model, seed=seed)
        build_mt5(out / "mt5-summarize", spm_model, seed=seed)
        build_nli(out / "nli", spm_model, seed=seed)
    build_qwen3(out / "qwen3", lines, seed=seed)
    registry = out / "registry.yaml"
    registry.write_text(yaml.safe_dump(tiny_registry(out, layout), sort_keys=False,
                                       allow_unicode=True), "utf-8")
    return registry
