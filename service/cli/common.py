"""Shared CLI plumbing: settings from flags, reading inputs, printing domain errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import typer

from service.errors import NewsroomError
from service.settings import Settings, load_settings


def settings_from(ctx: typer.Context, **overrides: Any) -> Settings:
    """Settings = env, overridden by global flags (``ctx.obj``), then command flags."""
    merged = dict(ctx.obj or {}) if ctx is not None else {}
    merged.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return load_settings(**merged)
    except Exception as exc:  # pydantic ValidationError: show it as a usage error
        raise typer.BadParameter(str(exc)) from exc


def read_input(path: str | None) -> str:
    """Read FILE, or standard input for ``-``/no argument; UTF-8 required."""
    try:
        if path in (None, "-"):
            data = sys.stdin.buffer.read()
        else:
            data = Path(path).read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}", code=2)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        fail(f"{path or 'standard input'} is not valid UTF-8 (byte {exc.start})", code=2)


def read_page(path: str | None) -> str:
    """Read an HTML page from FILE or standard input, in its own encoding (declared,
    or sniffed when the page does not say)."""
    from service.text.extract import decode_html

    try:
        data = sys.stdin.buffer.read() if path in (None, "-") else Path(path).read_bytes()
    except OSError as exc:
        fail(f"cannot read {path}: {exc.strerror}", code=2)
    try:
        return decode_html(data)[0]
    except NewsroomError as exc:
        fail(f"{path or 'standard input'}: {exc.message}", code=2)


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` to stderr and exit."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def report_error(exc: NewsroomError) -> NoReturn:
    """Exit with a domain error's message (status 1; 2 for bad input)."""
    from service.errors import InvalidInput

    fail(exc.message, code=2 if isinstance(exc, InvalidInput) else 1)
