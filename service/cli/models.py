"""``newsroom-mt models list|pull|tiny``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from service.cli.common import fail, report_error, settings_from
from service.engines.loader import local_weights
from service.errors import NewsroomError
from service.registry import Registry

app = typer.Typer(help="List, pull and build models.", no_args_is_help=True)


def _registry(ctx: typer.Context) -> tuple[Registry, object]:
    settings = settings_from(ctx.parent if ctx.parent is not None else ctx)
    try:
        return Registry.from_settings(settings), settings
    except NewsroomError as exc:
        report_error(exc)


@app.command("list")
def list_models(ctx: typer.Context,
                as_json: bool = typer.Option(False, "--json", help="JSON lines output.")) -> None:
    """Every catalogue entry: task, directions, licence and attribution, published scores,
    local or not, usable or why not."""
    registry, settings = _registry(ctx)
    models_dir = settings.resolved_models_dir()  # type: ignore[attr-defined]
    rows = []
    for entry in registry.all_entries():
        local = local_weights(entry, models_dir)
        rows.append({
            "name": entry.name, "task": entry.task, "family": entry.family,
            "source": entry.hub_id or entry.path,
            "directions": entry.directions or [f"{'/'.join(entry.languages)} (any)"],
            "licence": entry.licence, "commercial": entry.commercial,
            "local": str(local) if local else None,
            "usable": registry.usable(entry), "why_not": registry.why_unusable(entry),
            "target_tokens": entry.target_tokens, "attribution": entry.attribution,
            "scores": [score.model_dump() for score in entry.scores]})
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    from rich.console import Console
    from rich.table import Column, Table

    # The name is what every other command takes: never truncate it.
    table = Table(Column("name", no_wrap=True), "task", "directions", "licence", "chrF*",
                  "local", "routing")
    for row in rows:
        table.add_row(row["name"], row["task"], ", ".join(row["directions"]),
                      row["licence"] + ("" if row["commercial"] else " (non-commercial)"),
                      _scores_cell(row["scores"]), "yes" if row["local"] else "no",
                      "on" if row["usable"] else f"off: {row['why_not']}")
    console = Console()
    console.print(table)
    console.print("* published chrF (FLORES devtest), not measured here: see --json for "
                  "test sets and sources, docs/models.md for the table.")
    console.print("Attribution (required by the licences; also in NOTICE):")
    for row in rows:
        if row["attribution"]:
            console.print(f"- {row['name']}: {row['attribution']}", soft_wrap=True)


def _scores_cell(scores: list[dict[str, object]]) -> str:
    """Published chrF per direction ('en-uk 60.1'); test sets, other metrics and sources
    are in --json and docs/models.md."""
    return "\n".join(f"{s['direction']} {s['value']}" for s in scores
                     if s["metric"] == "chrF") or "-"


@app.command()
def pull(ctx: typer.Context,
         names: Optional[list[str]] = typer.Argument(
             None, help="Models to pull (default: every model routing uses)."),
         revision: Optional[str] = typer.Option(None, help="Override the catalogue revision."),
         ) -> None:
    """Download models from the Hugging Face Hub into models/<name>/ for offline use.

    One request checks the Hub first; when it cannot be reached the command stops at
    once with what to do (HF_ENDPOINT, HF_HUB_OFFLINE, the offline copy procedure)."""
    from service.workflows.pulling import ModelPuller, default_pull_list

    registry, settings = _registry(ctx)
    models_dir: Path = settings.resolved_models_dir()  # type: ignore[attr-defined]
    wanted = list(names or []) or default_pull_list(
        registry, settings.languages)  # type: ignore[attr-defined]
    puller = ModelPuller(registry, models_dir,
                         notify=lambda line, error: typer.echo(line, err=error))
    try:
        progress = puller.run(wanted, revision=revision)
    except NewsroomError as exc:  # an unknown model name
        report_error(exc)
    if progress.state == "failed" and progress.message and not progress.failed:
        fail(progress.message)  # the Hub probe: nothing was tried
    if progress.failed:
        fail(f"{len(progress.failed)} of {len(progress.wanted)} models could not be pulled")


@app.command()
def tiny(out: Path = typer.Option(..., "--out", "-o", help="Folder to write the models to."),
         seed: int = typer.Option(0, help="Random seed of the weights."),
         layout: str = typer.Option(
             "per-direction", help="per-direction (one Marian model per direction, M2M100) "
                                   "or tc-big (multi-target Marian models with target "
                                   "tokens, Korean<->Slavic through English, as catalogue v2)."),
         ) -> None:
    """Write tiny RANDOM-WEIGHT models of each family and OUT/registry.yaml routing every
    direction and task to them (meaningless output; for tests, demos, smoke tests)."""
    from service.tiny_models import LAYOUTS, WARNING, write_tiny_models

    if layout not in LAYOUTS:
        fail(f"unknown layout '{layout}'; choose one of: {', '.join(LAYOUTS)}", code=2)
    registry = write_tiny_models(out, seed=seed, layout=layout)
    typer.echo(WARNING, err=True)
    typer.echo(f"Wrote {registry}. Use it with: NEWSROOM_REGISTRY={registry} newsroom-mt ...")


@app.command()
def convert(ctx: typer.Context,
            names: Optional[list[str]] = typer.Argument(
                None, help="Models to convert (default: every local Marian/M2M100/NLLB model)."),
            quantization: str = typer.Option(
                "int8", "--quantization", "-q",
                help="Stored weights: int8 (CPU), int8_float16 or float16 (GPU), float32."),
            force: bool = typer.Option(False, "--force", help="Replace an existing conversion."),
            ) -> None:
    """Convert pulled (or tiny) models for the CTranslate2 engine into
    <model folder>-ct2-<quantization>/ (needs: pip install 'newsroom-mt[ct2]')."""
    from service.engines.ct2_convert import CT2_FAMILIES, QUANTIZATIONS, convert_model

    if quantization not in QUANTIZATIONS:
        fail(f"unknown quantization '{quantization}'; choose one of: {', '.join(QUANTIZATIONS)}",
             code=2)
    registry, settings = _registry(ctx)
    models_dir: Path = settings.resolved_models_dir()  # type: ignore[attr-defined]
    try:
        entries = ([registry.get(name) for name in names] if names else
                   [e for e in registry.all_entries()
                    if e.family in CT2_FAMILIES and local_weights(e, models_dir) is not None])
    except NewsroomError as exc:
        report_error(exc)
    failed = 0
    for entry in entries:
        try:
            out = convert_model(entry, local_weights(entry, models_dir), quantization, force=force)
        except ImportError:
            fail("the CTranslate2 engine is not installed: pip install 'newsroom-mt[ct2]'")
        except NewsroomError as exc:
            failed += 1
            typer.echo(f"{entry.name}: {exc.message}", err=True)
            continue
        typer.echo(f"{entry.name}: {quantization} -> {out}")
    if failed:
        fail(f"{failed} of {len(entries)} models could not be converted")
