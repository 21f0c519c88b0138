"""The optional CTranslate2 engine (``pip install 'newsroom-mt[ct2]'``).

Serves the same :class:`service.engines.base.Engine` interface as the transformers
engine from a folder written by ``newsroom-mt models convert`` (see
:mod:`service.engines.ct2_convert`). It tokenizes with the model's own Hugging Face
tokenizer, so sources (language token, ``</s>``) and decoded texts are exactly what the
transformers engine sees and returns:

- the source is ``input_ids`` mapped to tokens, ``</s>`` included (CTranslate2 does not
  add it: ``add_source_eos`` is false for converted Transformers models);
- M2M100/NLLB: the target language token is passed as ``target_prefix`` (the
  counterpart of ``forced_bos_token_id``) and removed from the output;
- multi-target Marian models: the catalogue's target token (``>>ukr<<``) starts every
  source, as in the transformers engine (the converted vocabulary must hold it);
- models whose generation config forces ``</s>`` at the length limit (Opus-MT) stop
  one token earlier and count the forced ``</s>``, as ``generate`` does;
- ``beam_size`` is always passed (CTranslate2 defaults to 2, not greedy).

Device and compute type follow the torch engine's choice of device: CPU -> ``int8``,
CUDA -> ``int8_float16`` (int8 conversions) or ``float16``; ``NEWSROOM_CT2_COMPUTE_TYPE``
overrides.

Batch lanes: the translator runs ``inter_threads`` batches at once, one per worker, and
the scheduler keeps that many batches in flight (``parallel_batches``). By default a
CPU gets one lane per usable core with one thread each (``NEWSROOM_CT2_INTER_THREADS=0``,
``NEWSROOM_THREADS=0``), plus ``NEWSROOM_INTERACTIVE_LANES`` lanes kept for interactive
requests: on long beam-search decoding two single-threaded translators beat one
two-threaded translator by 1.6-2x on a 2-core CPU (docs/engines.md). On CUDA: one lane
(plus the interactive ones).

``ctranslate2`` is imported at the top of this module on purpose: without the package,
importing this module raises ImportError, which the engine loader turns into
:class:`service.errors.EngineNotInstalled` with the install command.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ctranslate2

from service.engines.base import BatchKey, Decoding, Generated
from service.engines.ct2_convert import (
    CT2_FAMILIES,
    Conversion,
    ConversionRecord,
    convert_hint,
    converted_source_vocabulary,
    find_conversions,
)
from service.engines.device import Placement
from service.engines.transformers_engine import (
    MAX_INPUT_CAP,
    check_target_tokens,
    language_code,
    merge_generation,
)
from service.errors import ModelNotLocal, ModelUnavailable
from service.registry import ModelEntry

log = logging.getLogger(__name__)

#: CTranslate2's own default output limit, used when neither the catalogue nor the
#: model's generation config gives one.
DEFAULT_MAX_DECODING_LENGTH = 256
#: Which stored quantization to load first, per device, when the setting is ``auto``.
_AUTO_PREFERENCE = {
    "cpu": ("int8", "int8_float32", "float32", "int8_float16", "float16"),
    "cuda": ("int8_float16", "float16", "int8", "float32"),
}
#: With an explicit compute type, load the most precise stored copy (re-quantizing
#: down at load time loses nothing more than converting straight to it).
_PRECISION_ORDER = ("float32", "float16", "bfloat16", "int8_float32", "int8_float16", "int8")


def ct2_device(device: str) -> tuple[str, int]:
    """Torch-style device string -> CTranslate2 ``(device, device_index)``.

    CTranslate2 has no MPS backend: Apple GPUs fall back to the CPU."""
    if device.startswith("cuda"):
        _, _, index = device.partition(":")
        return "cuda", int(index) if index else 0
    return "cpu", 0


def cgroup_cpu_limit(path: Path = Path("/sys/fs/cgroup/cpu.max")) -> int | None:
    """The container's CPU limit in whole cores (cgroup v2 ``cpu.max``, rounded up), or
    None when there is none: in a pod the affinity mask is the node's, not the limit."""
    try:
        quota, period = path.read_text("ascii").split()[:2]
    except (OSError, ValueError):
        return None
    if quota == "max":
        return None
    try:
        return max(1, math.ceil(int(quota) / int(period)))
    except (ValueError, ZeroDivisionError):
        return None


def usable_cores() -> int:
    """Cores this process may run on: its CPU affinity (else the machine's count),
    capped by the container's CPU limit."""
    cores = (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
             else os.cpu_count() or 1)
    limit = cgroup_cpu_limit()
    return min(cores, limit) if limit else cores


def resolve_threads(threads: int, inter_threads: int = 1) -> int:
    """Threads per batch: the setting, or (0) the usable cores shared among the
    ``inter_threads`` parallel batches. CTranslate2's own default is 4 whatever the
    core count, which oversubscribes small nodes and idles big ones."""
    if threads > 0:
        return threads
    return max(1, usable_cores() // max(1, inter_threads))


def resolve_lanes(setting: int, device: str) -> int:
    """Bulk batch lanes: the setting, or (0) one per usable core on a CPU, one on CUDA."""
    if setting > 0:
        return setting
    return 1 if device == "cuda" else usable_cores()


def resolve_compute_type(setting: str, device: str, stored: str) -> str:
    """The compute type to load with: the setting unless ``auto``; else ``int8`` on CPU,
    and on CUDA ``int8_float16`` for int8 conversions, ``float16`` for the others."""
    if setting != "auto":
        return setting
    if device == "cuda":
        return "int8_float16" if stored.startswith("int8") else "float16"
    return "int8"


def pick_conversion(conversions: Sequence[Conversion], device: str, setting: str) -> Conversion:
    """The converted folder to load among several (see module docs for the order)."""
    if setting == "auto":
        order: Sequence[str] = _AUTO_PREFERENCE.get(device, _AUTO_PREFERENCE["cpu"])
    else:
        order = (setting,) + _PRECISION_ORDER

    def rank(conversion: Conversion) -> int:
        q = conversion.quantization
        return order.index(q) if q in order else len(order)

    return min(conversions, key=rank)


def _target_ids(folder: Path) -> dict[str, int]:
    """Target token -> id from the converted vocabulary. Its order is the model's
    (Marian loses only the trailing ``<pad>``), and unlike the tokenizer it names every
    row: M2M100's ``madeupwordN`` rows decode as ``generate`` decodes them."""
    for name in ("target_vocabulary.json", "shared_vocabulary.json"):
        try:
            tokens = json.loads((folder / name).read_text("utf-8"))
        except (OSError, ValueError):
            continue
        ids: dict[str, int] = {}
        for index, token in enumerate(tokens):
            ids.setdefault(token, index)
        return ids
    return {}


def _generation_defaults(folder: Path) -> dict[str, Any]:
    """The copied ``generation_config.json`` (empty when the model had none)."""
    try:
        data = json.loads((folder / "generation_config.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class CTranslate2Engine:
    """A CTranslate2 ``Translator`` + Hugging Face tokenizer; implements
    :class:`service.engines.base.Engine`."""

    kind = "ctranslate2"

    def __init__(self, entry: ModelEntry, translator: Any, tokenizer: Any, *, path: Path,
                 device: str, compute_type: str, max_positions: int | None = None) -> None:
        self.name = entry.name
        self.entry = entry
        self.family = entry.family
        self.translator = translator
        self.tokenizer = tokenizer
        self.path = path
        self.device = device
        self.compute_type = compute_type
        self.model_generation = _generation_defaults(path)
        self._eos = str(tokenizer.eos_token)
        self._ids = _target_ids(path)
        # Tokenizers keep ``src_lang`` as state: serialise every use of it.
        self._tok_lock = threading.Lock()
        self.max_input_tokens = self._max_input_tokens(max_positions)
        #: Batches the translator runs at once (its workers): the scheduler's lanes.
        self.parallel_batches = max(1, int(getattr(translator, "num_translators", 1) or 1))
        source_vocabulary = converted_source_vocabulary(path)
        check_target_tokens(entry, lambda token: token in source_vocabulary
                            if source_vocabulary else token in self._ids)

    # --- loading ------------------------------------------------------------------
    @classmethod
    def load(cls, entry: ModelEntry, folder: Path, *, device: str = "cpu", device_index: int = 0,
             compute_type: str = "int8", intra_threads: int = 0,
             inter_threads: int = 1) -> CTranslate2Engine:
        """Load a converted folder. Raises :class:`ModelUnavailable` when CTranslate2
        refuses it (unsupported compute type on this device, no CUDA or a CUDA without the
        libraries CTranslate2 was built for, bad folder): see :func:`open_ct2`."""
        translator, tokenizer = open_ct2(
            ctranslate2.Translator, entry, folder, device=device, device_index=device_index,
            compute_type=compute_type, intra_threads=intra_threads,
            inter_threads=inter_threads)
        record = ConversionRecord.read(folder)
        shown = device if device == "cpu" else f"{device}:{device_index}"
        return cls(entry, translator, tokenizer, path=folder, device=shown,
                   compute_type=str(translator.compute_type),
                   max_positions=record.max_positions if record else None)

    @classmethod
    def load_entry(cls, entry: ModelEntry, settings: Any, placement: Placement,
                   weights: Path | None) -> CTranslate2Engine:
        """Find ``entry``'s converted folder and load it as the settings say.

        ``weights`` is the entry's local weights folder, if any, as resolved by
        :func:`service.engines.loader.local_weights` (passed in, so this module does not
        import the loader). Raises :class:`ModelUnavailable` naming the ``models
        convert`` command when there is no conversion."""
        if entry.family not in CT2_FAMILIES:
            raise ModelUnavailable(
                f"Model '{entry.name}' ({entry.family}) cannot run on the CTranslate2 engine, "
                f"which serves: {', '.join(sorted(CT2_FAMILIES))}. Set its engine to "
                "transformers in the catalogue.", field="engine")
        models_dir = settings.resolved_models_dir()
        # Conversions sit where the weights are or would be pulled to: the original
        # weights may be deleted once converted (see ct2_convert.has_conversion).
        conversions = find_conversions(
            entry, weights or entry.local_path() or models_dir / entry.name)
        if not conversions:
            raise ModelNotLocal(_not_converted(entry, weights), field="model")
        device, index = ct2_device(placement.device)
        chosen = pick_conversion(conversions, device, settings.ct2_compute_type)
        compute_type = resolve_compute_type(settings.ct2_compute_type, device,
                                            chosen.quantization)
        lanes = resolve_lanes(settings.ct2_inter_threads, device)
        # Interactive lanes are idle most of the time: threads are sized for the bulk
        # lanes, and an interactive batch briefly shares the cores with them.
        inter = lanes + max(0, getattr(settings, "interactive_lanes", 0))
        return cls.load(entry, chosen.path, device=device, device_index=index,
                        compute_type=compute_type,
                        intra_threads=resolve_threads(settings.threads, lanes),
                        inter_threads=inter)

    def _max_input_tokens(self, max_positions: int | None) -> int:
        if self.entry.max_input_tokens:
            return min(self.entry.max_input_tokens, MAX_INPUT_CAP)
        candidates = [MAX_INPUT_CAP]
        model_max = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(model_max, int) and 0 < model_max < 100_000:
            candidates.append(model_max)
        if max_positions:
            candidates.append(max_positions)
        return min(candidates)

    # --- tokenisation ---------------------------------------------------------------
    def count_tokens(self, text: str, src_lang: str | None = None) -> int:
        """Source tokens for ``text`` with special tokens (language token, ``</s>``)."""
        with self._tok_lock:
            self._set_src_lang(src_lang)
            return len(self.tokenizer(self.entry.counting_prefix() + text)["input_ids"])

    def _set_src_lang(self, src_lang: str | None) -> None:
        code = language_code(self.family, src_lang)
        if code is not None:
            self.tokenizer.src_lang = code

    def _encode(self, texts: Sequence[str], key: BatchKey) -> list[list[str]]:
        prefix = self.entry.source_prefix(key.tgt_lang, key.prefix)
        with self._tok_lock:
            self._set_src_lang(key.src_lang)
            ids = self.tokenizer([prefix + t for t in texts], truncation=True,
                                 max_length=self.max_input_tokens)["input_ids"]
        return [self.tokenizer.convert_ids_to_tokens(row) for row in ids]

    def _target_token(self, key: BatchKey) -> str | None:
        code = language_code(self.family, key.tgt_lang)
        if code is None:
            return None
        if self.family == "m2m100":
            return str(self.tokenizer.get_lang_token(code))
        return code

    # --- generation -------------------------------------------------------------------
    def decoding_options(self, key: BatchKey) -> tuple[dict[str, Any], bool]:
        """``translate_batch`` keyword arguments for ``key`` and whether ``</s>`` is
        forced at the length limit (then the limit is one less, see module docs)."""
        params = merge_generation(self.entry.generation, key.options)
        limit = params.get("max_new_tokens") or self.model_generation.get("max_new_tokens")
        if not limit:
            max_length = self.model_generation.get("max_length")
            # max_length counts the decoder start token; new tokens are one fewer.
            limit = max_length - 1 if max_length else DEFAULT_MAX_DECODING_LENGTH
        forced_eos = self.model_generation.get("forced_eos_token_id") is not None
        limit = int(limit)
        if forced_eos and limit > 1:
            limit -= 1
        options: dict[str, Any] = {
            # Neither request nor catalogue: the model's own default, as generate() does
            # (Opus-MT configs say 4).
            "beam_size": int(params.get("num_beams") or self.model_generation.get("num_beams")
                             or 1),
            "max_decoding_length": limit,
            "min_decoding_length": min(int(params.get("min_new_tokens") or 0), limit),
            "return_end_token": True,
            # Sources are already truncated to max_input_tokens by the tokenizer.
            "max_input_length": 0,
        }
        ngram = params.get("no_repeat_ngram_size") or self.model_generation.get(
            "no_repeat_ngram_size")
        if ngram:
            options["no_repeat_ngram_size"] = int(ngram)
        penalty = params.get("length_penalty", self.model_generation.get("length_penalty"))
        if penalty is not None:
            options["length_penalty"] = float(penalty)
        return options, forced_eos

    def decoding(self, key: BatchKey) -> Decoding:
        """Beams and output bounds of ``key`` (for the scheduler's cost estimate)."""
        options, forced_eos = self.decoding_options(key)
        extra = 1 if forced_eos else 0
        return Decoding(beams=options["beam_size"],
                        max_new_tokens=options["max_decoding_length"] + extra,
                        min_new_tokens=options["min_decoding_length"])

    def generate(self, texts: Sequence[str], key: BatchKey) -> list[Generated]:
        """Greedy or beam decoding of one batch (blocking; runs in a worker thread;
        up to ``parallel_batches`` calls may run at once)."""
        if not texts:
            return []
        source = self._encode(texts, key)
        options, forced_eos = self.decoding_options(key)
        target = self._target_token(key)
        prefix = [[target] for _ in source] if target is not None else None
        results = self.translator.translate_batch(source, prefix, **options)
        rows: list[list[int]] = []
        counts: list[int] = []
        for result in results:
            tokens = list(result.hypotheses[0])
            if target is not None and tokens and tokens[0] == target:
                tokens = tokens[1:]
            ended = bool(tokens) and tokens[-1] == self._eos
            if ended:
                tokens = tokens[:-1]
            rows.append(self._token_ids(tokens))
            # generate() counts </s>, whether produced or forced at the limit.
            counts.append(len(tokens) + (1 if ended or forced_eos else 0))
        decoded = self.tokenizer.batch_decode(rows, skip_special_tokens=True)
        return [Generated(text=text.strip(), tokens=count) for text, count in zip(decoded, counts)]

    def _token_ids(self, tokens: list[str]) -> list[int]:
        if not self._ids:
            return list(self.tokenizer.convert_tokens_to_ids(tokens))
        unk = self.tokenizer.unk_token_id
        return [self._ids.get(token, unk) for token in tokens]

    def close(self) -> None:
        """Unload the model and drop references so memory is freed."""
        if self.translator is not None:
            self.translator.unload_model()
        self.translator = None
        self.tokenizer = None


def _not_converted(entry: ModelEntry, weights: Path | None) -> str:
    hint = convert_hint(entry)
    if entry.ct2_path is not None:
        return (f"Model '{entry.name}' uses the CTranslate2 engine but its ct2_path "
                f"'{entry.ct2_path}' holds no converted model (model.bin). Convert it with: "
                f"{hint} and point ct2_path at the folder it writes.")
    if weights is None:
        return (f"Model '{entry.name}' uses the CTranslate2 engine but is neither pulled nor "
                f"converted. Run: newsroom-mt models pull {entry.name} && {hint}")
    return (f"Model '{entry.name}' uses the CTranslate2 engine but has not been converted. "
            f"Convert it with: {hint}")


#: A shared library CTranslate2 could not open, e.g. ``libcublas.so.12``.
_MISSING_LIBRARY = re.compile(r"\b(lib[\w+-]+)\.so\.(\d+)")


def open_ct2(kind: Any, entry: ModelEntry, folder: Path, *, device: str,
             device_index: int, compute_type: str, intra_threads: int,
             inter_threads: int) -> tuple[Any, Any]:
    """Open ``folder`` as a ``ctranslate2.Translator`` or ``ctranslate2.Generator``
    (``kind``) with its Hugging Face tokenizer, and run a short input through it.

    The run is there because CTranslate2 opens cuBLAS and cuDNN only at the first
    computation: on a machine whose CUDA lacks the major version its wheel was built
    for (CTranslate2 4.x wants ``libcublas.so.12``; a CUDA 13 host has only ``.so.13``),
    the model loads and then every request fails. Found that way, it is a load failure
    (:class:`ModelUnavailable`) naming the library, which the model handle retries with
    backoff and ``/readyz`` reports."""
    from transformers import AutoTokenizer

    try:
        model = kind(str(folder), device=device, device_index=device_index,
                     compute_type=compute_type, intra_threads=intra_threads,
                     inter_threads=inter_threads)
        tokenizer = AutoTokenizer.from_pretrained(str(folder))
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelUnavailable(
            f"Model '{entry.name}': CTranslate2 could not load {folder} on {device} "
            f"with compute type {compute_type}: {_first_line(exc)}", field="model") from exc
    try:
        _first_computation(model, tokenizer)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelUnavailable(
            f"Model '{entry.name}': CTranslate2 {ctranslate2.__version__} loaded {folder} "
            f"on {device} but cannot compute there: {_first_line(exc)}"
            f"{_library_hint(_first_line(exc))}", field="model") from exc
    return model, tokenizer


#: Input tokens and decoding steps of the load-time run. One token decoding one step
#: does not reach cuBLAS: on an H200 with CUDA 13 only it passed and the first real
#: request failed; four tokens decoding two failed there as requests do (every compute
#: type, 2026-12-04).
_PROBE_TOKENS, _PROBE_STEPS = 4, 2


def _first_computation(model: Any, tokenizer: Any) -> None:
    """Decode two tokens from a four-token input (the vocabulary's first tokens, which
    every converted vocabulary holds: it is the tokenizer's, id for id)."""
    tokens = [str(token) for token in tokenizer.convert_ids_to_tokens(list(range(_PROBE_TOKENS)))]
    if isinstance(model, ctranslate2.Generator):
        model.generate_batch([tokens], max_length=_PROBE_STEPS, beam_size=1,
                             include_prompt_in_result=False)
    else:
        model.translate_batch([tokens], max_decoding_length=_PROBE_STEPS, beam_size=1)


def _library_hint(message: str) -> str:
    """What to do when the message names a CUDA library CTranslate2 could not open."""
    found = _MISSING_LIBRARY.search(message)
    if not found:
        return ""
    library, major = found.group(1), found.group(2)
    return (f". This CTranslate2 needs {library}.so.{major} (CUDA {major}): run on a CUDA "
            f"{major} runtime (the GPU image's nvidia/cuda:{major}.x base, docs/deploy.md"
            f"#gpu-nodes) or put a CUDA {major} {library} on LD_LIBRARY_PATH; or serve "
            "this model on transformers (NEWSROOM_ENGINE=transformers)")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__

