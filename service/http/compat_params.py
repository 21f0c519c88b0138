"""Request parameters the way LibreTranslate and DeepL read them.

Both APIs take the same fields as a JSON object or as a form (``application/x-www-
form-urlencoded`` or ``multipart/form-data``), and their official clients send some
fields in places FastAPI's declared bodies would not look: the ``deepl`` client sends
``type=target`` as a form body on ``GET /v2/languages`` and repeats ``text=`` for many
texts in a form; ``libretranslatepy`` sends ``api_key`` as a form body on
``GET /languages``. :func:`read_params` gathers query string and body into one
:class:`Params` so the routes read a field the same way whatever the client did.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from service.errors import InvalidInput

#: Values that DeepL and LibreTranslate forms use for ``true``.
_TRUE = frozenset({"1", "true", "yes", "on"})


@dataclass
class Params:
    """Fields of one request: body fields win over query-string fields.

    ``values`` maps a name to every value given for it (a JSON list counts as many
    values, a JSON scalar as one); ``is_json`` says whether the body was JSON.
    """

    values: dict[str, list[Any]] = field(default_factory=dict)
    is_json: bool = False
    #: The raw JSON value of each JSON field (to tell a string from a list).
    raw: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        """The first value of ``name`` (``None`` when absent)."""
        found = self.values.get(name)
        return found[0] if found else None

    def getlist(self, name: str) -> list[Any]:
        """Every value of ``name`` in order (``[]`` when absent)."""
        return list(self.values.get(name, []))

    def has(self, name: str) -> bool:
        """Whether ``name`` was given at all (even empty)."""
        return name in self.values

    def flag(self, name: str) -> bool:
        """``name`` as a boolean: JSON ``true`` or a form ``1``/``true``/``on``."""
        value = self.get(name)
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        return str(value).strip().lower() in _TRUE


def _from_mapping(items: Mapping[str, Any]) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for key, value in items.items():
        out[key] = list(value) if isinstance(value, list) else [value]
    return out


async def read_params(request: Request) -> Params:
    """Query string and body (JSON or form) of ``request`` as :class:`Params`.

    A body that claims to be JSON but is not, or is JSON but not an object, is an
    :class:`InvalidInput` (LibreTranslate answers such bodies with 400
    ``Invalid JSON format``).
    """
    params = Params()
    for key, value in request.query_params.multi_items():
        params.values.setdefault(key, []).append(value)

    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        raw = await request.body()
        if not raw.strip():
            return params
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InvalidInput("Invalid JSON format", field="body") from exc
        if not isinstance(data, dict):
            raise InvalidInput("Invalid JSON format", field="body")
        params.is_json = True
        params.raw = dict(data)
        params.values.update(_from_mapping(data))
    elif content_type == "application/x-www-form-urlencoded":
        # Parsed here rather than by Starlette, which decodes bytes that were not
        # percent-encoded as Latin-1: `curl -d q=Київ` would arrive as mojibake.
        # Both originals read such bodies as UTF-8.
        raw = await request.body()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput("form body is not valid UTF-8", field="body") from exc
        body: dict[str, list[Any]] = {}
        for key, value in parse_qsl(text, keep_blank_values=True):
            body.setdefault(key, []).append(value)
        # Body fields replace query fields of the same name rather than merging.
        params.values.update(body)
    elif content_type == "multipart/form-data":
        form = await request.form()
        parts: dict[str, list[Any]] = {}
        for key, value in form.multi_items():
            if isinstance(value, str):
                parts.setdefault(key, []).append(value)
        params.values.update(parts)
    return params
