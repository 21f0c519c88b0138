"""Pull catalogue models from the Hugging Face Hub into ``models/<name>/``.

Used by ``newsroom-mt models pull`` (in the foreground) and ``newsroom-mt serve --pull``
(in a background thread while the service already answers). Two rules make a machine
without the Hub behave well:

- **One probe first.** Before any model, one request checks that the Hub answers. When
  it does not, the pull stops at once with one message naming ``HF_ENDPOINT``,
  ``HF_HUB_OFFLINE`` and the offline copy procedure, instead of every model retrying
  every file (huggingface_hub retries each request five times with back-off).
- **Models land whole.** A model that is not local yet is downloaded into
  ``models/.partial/<name>/`` and renamed to ``models/<name>/`` when complete, so a
  server sharing the folder never sees (and never loads) half a model.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from service.engines.loader import local_weights
from service.registry import ModelEntry, Registry

log = logging.getLogger(__name__)

#: Where docs/deploy.md explains copying models onto a machine without the Hub.
OFFLINE_COPY_DOC = "docs/deploy.md, section 'Air-gapped model supply'"
PARTIAL_DIR = ".partial"
PROBE_TIMEOUT_S = 10.0

#: ``download(hub_id, revision, folder)`` fetches one model snapshot into ``folder``.
Download = Callable[[str, str | None, Path], None]
#: ``probe(hub_id, revision)`` returns ``None`` when the Hub answers, else the message.
Probe = Callable[[str, str | None], "str | None"]


def default_pull_list(registry: Registry, languages: Sequence[str]) -> list[str]:
    """Every model routing uses for ``languages``, then the summarisers and the NLI
    model that checks their summaries."""
    wanted = registry.default_models(languages)
    nli = registry.nli_model()
    extra = registry.summarizers() + ([nli] if nli is not None else [])
    return wanted + [e.name for e in extra if e.name not in wanted]


def hub_unreachable_message(endpoint: str, reason: str) -> str:
    """The one message a pull prints when the Hub cannot be used."""
    return (f"The Hugging Face Hub cannot be reached at {endpoint} ({reason}); no model was "
            "pulled. Set HF_ENDPOINT to a Hub mirror this machine can reach, or copy the "
            f"models in from a machine that can reach the Hub ({OFFLINE_COPY_DOC}) and set "
            "HF_HUB_OFFLINE=1 so nothing tries to download. Everything that needs no "
            "weights keeps working meanwhile.")


def probe_hub(hub_id: str, revision: str | None) -> str | None:
    """One request to the Hub's API for ``hub_id``: ``None`` when the Hub answers
    (any status below 500: even "not found" proves it is reachable), else the message
    explaining what to do. No retries: this is the fail-fast check."""
    import httpx
    from huggingface_hub import constants

    endpoint = constants.ENDPOINT
    if constants.HF_HUB_OFFLINE:
        return hub_unreachable_message(endpoint, "HF_HUB_OFFLINE is set")
    url = f"{endpoint}/api/models/{hub_id}/revision/{revision or 'main'}"
    try:
        response = httpx.head(url, timeout=PROBE_TIMEOUT_S, follow_redirects=True)
    except httpx.HTTPError as exc:
        return hub_unreachable_message(endpoint, str(exc) or type(exc).__name__)
    if response.status_code >= 500:
        return hub_unreachable_message(endpoint, f"it answered HTTP {response.status_code}")
    return None


def hub_download(hub_id: str, revision: str | None, folder: Path) -> None:
    """Fetch one model snapshot with huggingface_hub (resumes a partial folder)."""
    from huggingface_hub import snapshot_download

    snapshot_download(repo_id=hub_id, revision=revision, local_dir=str(folder))


@dataclass
class PullProgress:
    """What a pull has done so far; ``as_dict`` is what ``/readyz`` reports."""

    wanted: list[str] = field(default_factory=list)
    state: str = "idle"  # idle, probing, pulling, done, failed
    local: list[str] = field(default_factory=list)  # already there, not pulled
    pulled: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    current: str | None = None
    message: str | None = None

    def as_dict(self, models_dir: Path | None = None) -> dict[str, Any]:
        """A JSON-ready snapshot, with the bytes of the model being downloaded."""
        body: dict[str, Any] = {
            "state": self.state, "wanted": len(self.wanted), "local": list(self.local),
            "pulled": list(self.pulled), "failed": dict(self.failed),
            # Once stopped (done, or failed at the probe) nothing is waiting any more.
            "pending": [n for n in self.wanted if n not in self.local and n not in self.pulled
                        and n not in self.failed and n != self.current]
            if self.state in ("probing", "pulling") else [],
            "current": self.current, "message": self.message}
        if self.current is not None and models_dir is not None:
            body["current_bytes"] = _folder_bytes(models_dir / PARTIAL_DIR / self.current)
        return body

    def summary(self) -> str:
        """One line: ``pulled 3, local 2, failed 0 of 5 models``."""
        return (f"pulled {len(self.pulled)}, already local {len(self.local)}, "
                f"failed {len(self.failed)} of {len(self.wanted)} models")


class ModelPuller:
    """Pulls catalogue entries one after another, probing the Hub once first."""

    def __init__(self, registry: Registry, models_dir: Path, *,
                 download: Download | None = None, probe: Probe | None = None,
                 on_landed: Callable[[str], None] | None = None,
                 notify: Callable[[str, bool], None] | None = None) -> None:
        self.registry = registry
        self.models_dir = models_dir
        self.progress = PullProgress()
        self._download = download if download is not None else hub_download
        self._probe = probe if probe is not None else probe_hub
        self._on_landed = on_landed
        self._notify = notify
        self._stop = threading.Event()

    def stop(self) -> None:
        """Start no further model (the one downloading finishes or is abandoned)."""
        self._stop.set()

    def run(self, names: Sequence[str], *, revision: str | None = None,
            only_missing: bool = False) -> PullProgress:
        """Pull ``names``; with ``only_missing`` models already local are left alone
        (otherwise they are refreshed in place). Returns the final progress."""
        entries = [self.registry.get(name) for name in names]
        progress = self.progress
        progress.wanted = [e.name for e in entries]
        todo = []
        for entry in entries:
            local = local_weights(entry, self.models_dir)
            if entry.hub_id is None or (only_missing and local is not None):
                progress.local.append(entry.name)
                self._say(f"{entry.name}: already local ({local or entry.local_path()})")
            else:
                todo.append(entry)
        if not todo:
            progress.state = "done"
            return progress
        progress.state = "probing"
        problem = self._probe(todo[0].hub_id or "", revision or todo[0].revision)
        if problem is not None:
            progress.state, progress.message = "failed", problem
            if self._notify is None:  # the command line prints it once, as its error
                log.error("model pull stopped", extra={"reason": problem})
            return progress
        progress.state = "pulling"
        for index, entry in enumerate(todo, start=1):
            if self._stop.is_set():
                break
            self._pull_one(entry, revision, index, len(todo))
        progress.current = None
        progress.state = "failed" if progress.failed else "done"
        progress.message = progress.summary()
        log.info("model pull finished", extra={"pulled": progress.pulled,
                                               "failed": progress.failed})
        return progress

    def _pull_one(self, entry: ModelEntry, revision: str | None, index: int,
                  total: int) -> None:
        progress = self.progress
        progress.current = entry.name
        rev = revision or entry.revision
        log.info("pulling model", extra={"model": entry.name, "hub_id": entry.hub_id,
                                         "revision": rev, "index": index, "total": total})
        started = time.monotonic()
        try:
            self._land(entry, rev)
        except Exception as exc:  # network, auth, missing repo: report and go on
            reason = (str(exc).splitlines() or [type(exc).__name__])[0]
            progress.failed[entry.name] = reason
            if self._notify is None:
                log.error("model pull failed", extra={"model": entry.name, "error": reason})
            self._say(f"{entry.name}: FAILED to pull {entry.hub_id}: {reason}", error=True)
            return
        seconds = round(time.monotonic() - started, 1)
        progress.pulled.append(entry.name)
        log.info("model pulled", extra={"model": entry.name, "index": index, "total": total,
                                        "seconds": seconds,
                                        "bytes": _folder_bytes(self.models_dir / entry.name)})
        self._say(f"{entry.name}: {entry.hub_id}@{rev} -> {self.models_dir / entry.name}")
        if self._on_landed is not None:
            self._on_landed(entry.name)

    def _land(self, entry: ModelEntry, revision: str | None) -> None:
        """Download into the partial folder, then rename it into place in one step;
        a model already in place is refreshed where it is."""
        target = self.models_dir / entry.name
        if local_weights(entry, self.models_dir) is not None:
            self._download(entry.hub_id or "", revision, target)
            return
        partial = self.models_dir / PARTIAL_DIR / entry.name
        partial.parent.mkdir(parents=True, exist_ok=True)
        self._download(entry.hub_id or "", revision, partial)
        if target.exists():  # an incomplete leftover without config.json
            shutil.rmtree(target)
        os.replace(partial, target)

    def _say(self, line: str, *, error: bool = False) -> None:
        """Tell the command-line user (``notify(line, is_error)``), if one listens."""
        if self._notify is not None:
            self._notify(line, error)


def _folder_bytes(folder: Path) -> int:
    """Bytes of the files under ``folder`` (0 when it does not exist). The pull thread
    may rename or remove the folder while a probe measures it: what vanished counts 0."""
    total = 0
    try:
        for path in folder.rglob("*"):
            try:
                if path.is_file():
                    total += path.stat().st_size
            except OSError:
                continue
    except OSError:
        return total
    return total
