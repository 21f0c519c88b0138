"""Optional API keys: where they come from, how a request presents one, and who it is.

Keys come from ``Settings.api_keys`` (env ``NEWSROOM_API_KEYS``, comma-separated) and
``Settings.api_keys_file`` (one key per line, ``#`` comments). With no keys the
service is open. A request presents its key as ``Authorization: Bearer KEY``,
``Authorization: DeepL-Auth-Key KEY`` or LibreTranslate's ``api_key`` field (the
LibreTranslate routes pass it in as ``body_key``).

Keys never reach logs or metrics: a :class:`Principal` carries only ``key_id``, a
short SHA-256 fingerprint that an operator can compute from a key to find its lines.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request

from service.errors import InvalidInput, Unauthorized
from service.settings import Settings

#: Authorization schemes accepted (case-insensitive), DeepL's included.
AUTH_SCHEMES = ("bearer", "deepl-auth-key")


def key_id(key: str) -> str:
    """Loggable fingerprint of a key (first 12 hex digits of its SHA-256)."""
    return "key-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True)
class Principal:
    """Who is calling: ``key_id`` for key holders, ``anon:<client address>`` otherwise.

    ``bucket`` is what per-caller limits count against.
    """

    bucket: str
    authenticated: bool

    @property
    def key_id(self) -> str | None:
        return self.bucket if self.authenticated else None


def read_keys_file(path: Path) -> list[str]:
    """Keys in ``path``: one per line, blank lines and ``#`` comments ignored."""
    try:
        text = path.read_text("utf-8")
    except OSError as exc:
        raise InvalidInput(f"API key file {path} cannot be read: {exc.strerror}",
                           field="api_keys_file") from exc
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def presented_key(request: Request, body_key: str | None = None) -> str | None:
    """The key a request carries: the ``Authorization`` header, else ``body_key``."""
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.strip().partition(" ")
        if scheme.lower() in AUTH_SCHEMES and value.strip():
            return value.strip()
        raise Unauthorized("Authorization header must be 'Bearer KEY' or "
                           "'DeepL-Auth-Key KEY'", field="Authorization")
    if body_key:
        return body_key
    return None


class KeyStore:
    """The accepted keys (compared in constant time, stored as fingerprints)."""

    def __init__(self, keys: list[str]) -> None:
        self._ids = {key_id(k): k for k in keys if k}

    @classmethod
    def from_settings(cls, settings: Settings) -> KeyStore:
        """Keys from the setting and the key file together."""
        keys = list(settings.api_keys)
        if settings.api_keys_file is not None:
            keys += read_keys_file(settings.api_keys_file)
        return cls(keys)

    @property
    def enabled(self) -> bool:
        """Whether keys are required at all."""
        return bool(self._ids)

    def authenticate(self, request: Request, body_key: str | None = None) -> Principal:
        """The caller's :class:`Principal`; :class:`Unauthorized` for a missing or
        unknown key when keys are configured."""
        client = request.client.host if request.client else "unknown"
        if not self.enabled:
            # Open deployment: a stray key is ignored, limits count per client address.
            return Principal(f"anon:{client}", authenticated=False)
        key = presented_key(request, body_key)
        if key is None:
            raise Unauthorized("API key required: send 'Authorization: Bearer KEY'",
                               field="Authorization")
        ident = key_id(key)
        known = self._ids.get(ident)
        if known is None or not hmac.compare_digest(known, key):
            raise Unauthorized("invalid API key", field="Authorization")
        return Principal(ident, authenticated=True)
