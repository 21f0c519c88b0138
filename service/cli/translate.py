"""``newsroom-mt translate`` and ``newsroom-mt detect``."""

from __future__ import annotations

import asyncio
import json
from typing import Optional

import typer

from service.cli.common import fail, read_input, read_page, report_error, settings_from
from service.errors import NewsroomError
from service.settings import Settings
from service.workflows.runtime import Runtime
from service.workflows.translation import TranslationService


def translate(ctx: typer.Context,
              file: Optional[str] = typer.Argument(None, help="Article file, or - for stdin."),
              to: str = typer.Option(..., "--to", "-t", help="Target language (en, uk, ru, ko)."),
              source: str = typer.Option("auto", "--from", "-f", help="Source language or auto."),
              html: bool = typer.Option(False, "--html", help="Input is an HTML page or "
                                        "fragment (in any encoding): translated sentence "
                                        "by sentence, markup kept."),
              article: bool = typer.Option(False, "--article", help="With --html: translate "
                                           "only the page's main article, as text."),
              show_route: bool = typer.Option(False, "--route",
                                              help="Print the route used to stderr."),
              ) -> None:
    """Translate an article (paragraphs and line breaks kept) and print it to stdout."""
    settings = settings_from(ctx)
    text = read_page(file) if html else read_input(file)
    fmt = "html" if html and not article else "text"

    async def run() -> None:
        runtime = Runtime(settings)
        try:
            source_text = text
            if html and article:
                from service.workflows.extraction import ExtractionService

                source_text = (await ExtractionService(runtime).extract(text)).article.text
            result = await TranslationService(runtime).translate(
                source_text, source=source, target=to, fmt=fmt)
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


def extract(file: Optional[str] = typer.Argument(None, help="HTML page, or - for stdin."),
            url: Optional[str] = typer.Option(None, "--url", help="Where the page came from."),
            as_json: bool = typer.Option(False, "--json", help="Print text and metadata as "
                                         "JSON."),
            ) -> None:
    """Print the main article of a web page (navigation, comments and ads left out)."""
    from service.text.extract import extract_article

    article = extract_article(read_page(file), url=url)
    if not article.text.strip():
        fail("no article text found in the page", code=1)
    if as_json:
        typer.echo(json.dumps(article.to_dict(), ensure_ascii=False, indent=2))
        return
    typer.echo(article.text)


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
