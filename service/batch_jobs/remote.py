"""Batch processing against a running newsroom-mt server (``--server URL``).

Each record becomes one ``POST /v1/summarize`` and/or one ``POST /v1/translate`` per
target language; the server batches sentences across all callers. Requests in flight
are bounded; ``429`` and ``503`` answers are retried after their ``Retry-After``
(except a 503 that says the model is unavailable: waiting does not fix that), as are
connection errors, a bounded number of times.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from service.batch_jobs.processors import (
    RecordFailed,
    Task,
    merge_routes,
    summary_fields,
)

#: Attempts per request before the record fails.
MAX_ATTEMPTS = 8
#: Wait when a retryable answer has no Retry-After, doubled per attempt, capped.
_BACKOFF_S, _BACKOFF_MAX_S = 0.5, 30.0
#: Error types that no amount of waiting fixes.
_PERMANENT_503 = frozenset({"model_unavailable", "engine_not_installed"})


class RemoteProcessor:
    """Sends records to a server with at most ``concurrency`` requests in flight."""

    def __init__(self, base_url: str, task: Task, *, concurrency: int = 8,
                 api_key: str | None = None, timeout_s: float = 600.0,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.task = task
        self._client = httpx.AsyncClient(base_url=base_url.rstrip("/"), headers=headers,
                                         timeout=timeout_s, transport=transport)
        self._slots = asyncio.Semaphore(max(1, concurrency))

    async def process(self, text: str, fmt: str) -> dict[str, Any]:
        """Summary and translations of one record through the server."""
        out: dict[str, Any] = {}
        jobs = []
        if fmt == "html" and self.task.translate_to:
            article = await self._post("/v1/extract", {"html": text})
            out["article"] = {k: v for k, v in article.items()
                              if k not in ("text", "language", "language_confidence")}
            if self.task.output_format(fmt) == "text":
                # Translations (and the summary) of the article, as text.
                text, fmt = article["text"], "text"
        if self.task.summarize:
            jobs.append(self._summary(text, fmt, out))
        for lang in self.task.translate_to:
            jobs.append(self._translation(text, fmt, lang, out))
        await asyncio.gather(*jobs)
        out.setdefault("language_confidence", None)
        return out

    async def _summary(self, text: str, fmt: str, out: dict[str, Any]) -> None:
        task = self.task
        body = {"text": text, "source": task.source, "mode": task.mode, "format": fmt}
        for name, value in (("target", task.summary_target),
                            ("max_sentences", task.max_sentences),
                            ("max_words", task.max_words)):
            if value is not None:
                body[name] = value
        answer = await self._post("/v1/summarize", body)
        out.setdefault("language", answer.get("source_language"))
        if "article" in answer:
            out.setdefault("article", {k: v for k, v in answer["article"].items()
                                       if k not in ("text", "language",
                                                    "language_confidence")})
        merge_routes(out, summary_fields(answer))

    async def _translation(self, text: str, fmt: str, lang: str, out: dict[str, Any]) -> None:
        answer = await self._post("/v1/translate", {"text": text, "source": self.task.source,
                                                    "target": lang, "format": fmt})
        result = (answer.get("translations") or [{}])[0]
        out["language"] = result.get("source", out.get("language"))
        out["language_confidence"] = result.get("confidence")
        out.setdefault("translations", {})[lang] = result.get("text")
        route = result.get("route") or {"kind": "identity", "steps": []}
        out.setdefault("routes", {})[lang] = route

    async def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """POST with retries; the JSON answer, or :class:`RecordFailed`."""
        wait = _BACKOFF_S
        for attempt in range(1, MAX_ATTEMPTS + 1):
            last = attempt == MAX_ATTEMPTS
            try:
                async with self._slots:
                    response = await self._client.post(path, json=body)
            except httpx.TransportError as exc:
                if last:
                    raise RecordFailed("connection_error",
                                       f"{path}: {type(exc).__name__}: {exc}") from exc
                await asyncio.sleep(wait)
                wait = min(_BACKOFF_MAX_S, wait * 2)
                continue
            if response.status_code == 200:
                return response.json()
            kind, message = _error_of(response)
            retryable = response.status_code == 429 or (
                response.status_code == 503 and kind not in _PERMANENT_503)
            if not retryable or last:
                raise RecordFailed(kind, f"{path} answered {response.status_code}: {message}")
            await asyncio.sleep(_retry_after(response, wait))
            wait = min(_BACKOFF_MAX_S, wait * 2)
        raise AssertionError("unreachable")

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()


def _error_of(response: httpx.Response) -> tuple[str, str]:
    """(type, message) from the server's ``{"error": {...}}`` body, or the status."""
    try:
        error = response.json().get("error") or {}
        return str(error.get("type") or f"http_{response.status_code}"), \
            str(error.get("message") or response.reason_phrase)
    except (ValueError, AttributeError):
        return f"http_{response.status_code}", response.text[:200] or response.reason_phrase


def _retry_after(response: httpx.Response, default: float) -> float:
    """Seconds from a numeric ``Retry-After`` header (capped), else ``default``."""
    value = response.headers.get("Retry-After")
    try:
        return min(_BACKOFF_MAX_S, max(0.0, float(value))) if value else default
    except ValueError:
        return default
