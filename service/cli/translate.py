"""``newsroom-mt translate`` and ``newsroom-mt detect``."""

from __future__ import annotations

import asyncio
import json
from typing import Optional

import typer

from service.workflows.runtime import Runtime
from service.workflows.translation import TranslationService
from service.cli.common import read_input, report_error, settings_from
from service.errors import NewsroomError
from service.settings import Settings


def translate(ctx: typer.Context,
              file: Optional[str] = typer.Argument(None, help="Article file, or - for stdin."),
              to: str = typer.Option(..., "--to", "-t", help="Target language (en, uk, ru, ko)."),
              source: str = typer.Option("auto", "--from", "-f", help="Source language or auto."),
              html: bool = typer.Option(False, "--html", help="Input is HTML: keep the markup."),
              show_route: bool = typer.Option(False, "--route",
                                              help="Print the route used to stderr."),
              ) -> None:
    """Translate an article (paragraphs and line breaks kept) and print it to stdout."""
    settings = settings_from(ctx)
    text = read_input(file)

    async def run() -> None:
        runtime = Runtime(settings)
        try:
            result = await TranslationService(runtime).translate(
                text, source=source, target=to, fmt="html" if html else "text")
        finally:
            await runtime.close()
        typer.echo(result.text, nl=not result.text.endswith("\n"))
        if show_route:
            typer.echo(json.dumps({"source": result.source,
                                   "confidence": round(result.confidence, 4),
                                   "route": result.route_steps()}), err=True)

    try:
        asyncio.run(run())
    except NewsroomError as exc:
        report_error(exc)


def detect(ctx: typer.Context,
           file: Optional[str] = typer.Argument(None, help="Text file, or - for stdin."),
           paragraphs: bool = typer.Option(False, "--paragraphs", "-p",
                                           help="One result per paragraph."),
           ) -> None:
    """Identify the language of a text (JSON on stdout)."""
    settings: Settings = settings_from(ctx)
    text = read_input(file)
    runtime_detector = Runtime.detector_only(settings)
    if paragraphs:
        from service.text.paragraphs import split_paragraphs

        bodies = split_paragraphs(text).paragraphs
        for body, det in zip(bodies, runtime_detector.detect_paragraphs(text)):
            typer.echo(json.dumps({"language": det.language,
                                   "confidence": round(det.confidence, 4),
                                   "text": body[:60]}, ensure_ascii=False))
        return
    det = runtime_detector.detect_article(text)
    typer.echo(json.dumps({"language": det.language, "confidence": round(det.confidence, 4),
                           **({"reason": det.reason} if det.reason else {})}))
