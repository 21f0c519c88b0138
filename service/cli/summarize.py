"""``newsroom-mt summarize``: a short neutral summary of one article."""

from __future__ import annotations

import asyncio
import json
from typing import Optional

import typer

from service.cli.common import read_input, read_page, report_error, settings_from
from service.errors import NewsroomError
from service.workflows.runtime import Runtime
from service.workflows.summarization import SummarizationService


def summarize(ctx: typer.Context,
              file: Optional[str] = typer.Argument(None, help="Article file, or - for stdin."),
              to: Optional[str] = typer.Option(None, "--to", "-t",
                                               help="Summary language (default: the article's)."),
              source: str = typer.Option("auto", "--from", "-f", help="Article language or auto."),
              mode: str = typer.Option("auto", "--mode", "-m",
                                       help="auto, extractive or abstractive."),
              max_sentences: Optional[int] = typer.Option(None, "--max-sentences", min=1),
              max_words: Optional[int] = typer.Option(None, "--max-words", min=5),
              enforcement: Optional[str] = typer.Option(
                  None, "--enforcement", help="repair, fallback or report-only."),
              report: bool = typer.Option(False, "--report",
                                          help=("Also print the neutrality report, the claims table "
                                                "and the page furniture left out (stderr).")),
              as_json: bool = typer.Option(False, "--json",
                                           help="Print the whole result as JSON."),
              html: bool = typer.Option(False, "--html", help="Input is a web page: its "
                                        "main article is extracted and summarised."),
              ) -> None:
    """Summarise an article; the summary states only what the article says and keeps
    every quoted side with its attribution."""
    settings = settings_from(ctx, summary_enforcement=enforcement)
    text = read_page(file) if html else read_input(file)

    async def run() -> dict:
        runtime = Runtime(settings)
        try:
            article = None
            if html:
                from service.workflows.extraction import ExtractionService

                article = await ExtractionService(runtime).extract(text)
            result = await SummarizationService(runtime).summarize(
                article.article.text if article else text, source=source, target=to,
                mode=mode, max_sentences=max_sentences, max_words=max_words)
        finally:
            await runtime.close()
        body = result.to_dict()
        if article is not None:
            body["article"] = article.to_dict()
        return body

    try:
        body = asyncio.run(run())
    except NewsroomError as exc:
        report_error(exc)
    if as_json:
        typer.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return
    typer.echo(body["summary"])
    if report:
        typer.echo(json.dumps({"mode_used": body["mode_used"], "model_route": body["model_route"],
                               "enforcement": {k: v for k, v in body["enforcement"].items()
                                               if k in ("policy", "action")},
                               "over_limit": body["over_limit"],
                               "neutrality": body["neutrality"],
                               "claims": body["claims"], "disputes": body["disputes"],
                               "furniture": body["furniture"]},
                              ensure_ascii=False, indent=2), err=True)
