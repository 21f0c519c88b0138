"""The ``newsroom-mt`` command line (typer). Global flags override ``NEWSROOM_*``
environment variables; each command builds its settings from both."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from service.cli import batch as batch_cli
from service.cli import models as models_cli
from service.cli import serve as serve_cli
from service.cli import summarize as summarize_cli
from service.cli import translate as translate_cli
from service.logs import configure_logging, quiet_hf_progress

app = typer.Typer(name="newsroom-mt", no_args_is_help=True, add_completion=False,
                  help="Translate news articles (en, uk, ru, ko) and write neutral summaries.")


@app.callback()
def main_options(
    ctx: typer.Context,
    registry: Optional[Path] = typer.Option(None, "--registry", help="Model catalogue file "
                                            "[env NEWSROOM_REGISTRY]."),
    models_dir: Optional[Path] = typer.Option(None, "--models-dir",
                                              help="Pulled weights folder."),
    device: Optional[str] = typer.Option(None, help="auto, cpu, cuda or mps."),
    engine: Optional[str] = typer.Option(None, help="transformers or ctranslate2."),
    threads: Optional[int] = typer.Option(None, help="Intra-op threads (0 = default)."),
    log_level: Optional[str] = typer.Option(None, help="Log level."),
) -> None:
    """Global options shared by every command."""
    ctx.obj = {k: v for k, v in dict(registry=registry, models_dir=models_dir, device=device,
                                     engine=engine, threads=threads,
                                     log_level=log_level).items() if v is not None}
    quiet_hf_progress()
    configure_logging(log_level or "warning", json_lines=True)


app.command("translate")(translate_cli.translate)
app.command("detect")(translate_cli.detect)
app.command("extract")(translate_cli.extract)
app.command("summarize")(summarize_cli.summarize)
app.command("serve")(serve_cli.serve)
app.add_typer(models_cli.app, name="models")
app.add_typer(batch_cli.app, name="batch")


def main() -> None:
    """Console-script entry point."""
    app()
