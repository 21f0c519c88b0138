"""``newsroom-mt batch summarize|translate INPUT... --out OUT.jsonl``.

Exit status: 0 every record done (or already done), 1 some records failed (see the
errors file), 2 usage error (bad input, bad option, output locked or corrupt),
130 interrupted (SIGINT/SIGTERM; the records in flight were finished and written).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Optional

import typer

from service.batch_jobs.inputs import InputOptions, RecordRef, check_inputs, iter_records
from service.batch_jobs.journal import Journal, JournalError
from service.batch_jobs.processors import LocalProcessor, Processor, Task, languages_arg
from service.batch_jobs.progress import Progress, RunStats, make_progress
from service.batch_jobs.runner import BatchRunner, RunConfig, exit_code
from service.batch_jobs.sharding import Shard
from service.cli.common import fail, settings_from
from service.errors import NewsroomError
from service.settings import Settings

app = typer.Typer(no_args_is_help=True, help="Summarise or translate many articles: "
                  "folders (.txt/.md/.html), JSONL, CSV, or - for JSONL on stdin. "
                  "Re-running with the same --out resumes.")

# Options shared by both commands (typer reads them as defaults).
_INPUTS = typer.Argument(..., help="Folders, .jsonl/.csv files, article files, or - (stdin).")
_OUT = typer.Option(..., "--out", "-o", help="Output JSONL (appended; resumed).")
_ERRORS = typer.Option(None, "--errors", help="Errors JSONL (default: OUT.errors.jsonl).")
_MIRROR = typer.Option(None, "--mirror", help="Also write per-record files into this "
                       "folder, mirroring the input tree.")
_SOURCE = typer.Option("auto", "--from", "-f", help="Source language of every record, or auto.")
_ID_FIELD = typer.Option("id", "--id-field", help="JSONL/CSV field holding the record id.")
_TEXT_FIELD = typer.Option("text", "--text-field", help="JSONL/CSV field holding the text.")
_HTML = typer.Option(False, "--html", help="JSONL/CSV/stdin texts are HTML pages (files go "
                     "by suffix): their main article is extracted and used.")
_WHOLE_PAGE = typer.Option(False, "--whole-page", help="HTML records: translate the whole "
                           "page, markup kept, instead of the extracted article.")
_MAX_CHARS = typer.Option(None, "--max-chars", help="Longest text accepted "
                          "(default: NEWSROOM_MAX_CHARS_PER_TEXT).")
_SHARD = typer.Option(None, "--shard", help="Process shard i of N (e.g. 0/4): a stable "
                      "hash of the id splits the input with no overlap and no gap.")
_CONCURRENCY = typer.Option(None, "--concurrency", "-j", help="Records in flight "
                            "(default: 2 x max batch items).")
_SERVER = typer.Option(None, "--server", help="Send records to a running server at this URL "
                       "instead of loading models here.")
_API_KEY = typer.Option(None, "--api-key", envvar="NEWSROOM_API_KEY",
                        help="API key for --server.")
_TIMEOUT = typer.Option(3600.0, "--timeout", help="Seconds allowed per record.")
_QUIET = typer.Option(False, "--quiet", "-q", help="No progress bar.")


def _errors_path(out: Path, errors: Path | None) -> Path:
    if errors is not None:
        return errors
    if out.suffix == ".jsonl":
        return out.with_suffix(".errors.jsonl")
    return out.with_name(out.name + ".errors.jsonl")


def _run(ctx: typer.Context, task: Task, inputs: list[str], out: Path,
         errors: Path | None, mirror: Path | None, id_field: str, text_field: str,
         html: bool, max_chars: int | None, shard: str | None, concurrency: int | None,
         server: str | None, api_key: str | None, timeout: float, quiet: bool) -> None:
    """Shared body of both commands: check, open the journals, run, report, exit."""
    settings = settings_from(ctx, request_timeout_s=timeout)
    try:
        check_inputs(inputs)
        shard_spec = Shard.parse(shard)
    except ValueError as exc:
        fail(str(exc), code=2)
    if out == Path("-") or (out.exists() and not out.is_file()):
        fail("--out must be a file (it is appended to and read back on resume)", code=2)
    config = RunConfig(task=task, shard=shard_spec, mirror=mirror,
                       concurrency=concurrency or 2 * settings.max_batch_items,
                       max_chars=max_chars or settings.max_chars_per_text)
    options = InputOptions(id_field=id_field, text_field=text_field, html=html,
                           max_chars=config.max_chars)
    errors_path = _errors_path(out, errors)
    if errors_path.resolve() == out.resolve():
        fail("--errors must differ from --out", code=2)
    try:
        output = Journal.open(out)
        errors_journal = Journal.open(errors_path, fresh=True)
    except JournalError as exc:
        fail(exc.message, code=2)
    if output.dropped_bytes:
        typer.echo(f"note: removed a partial last line ({output.dropped_bytes} bytes) "
                   f"from {out}", err=True)
    label = task.describe() + (f" shard {shard_spec}" if shard_spec.count > 1 else "")
    progress = make_progress(label, quiet=quiet)
    try:
        refs = list(iter_records(inputs, options))
        stats = asyncio.run(_execute(settings, task, config, output, errors_journal,
                                     progress, refs, server, api_key))
    except ValueError as exc:  # e.g. a CSV without the id/text column
        fail(str(exc), code=2)
    except NewsroomError as exc:  # a bad --to/--from, before any record
        fail(exc.message, code=2)
    except JournalError as exc:
        fail(exc.message, code=1)
    except KeyboardInterrupt:  # before the runner took over SIGINT (loading, scanning)
        fail("interrupted before any record was processed", code=130)
    finally:
        output.close()
        errors_journal.close()
    typer.echo(stats.summary_line(str(errors_path)), err=True)
    raise typer.Exit(exit_code(stats))


async def _execute(settings: Settings, task: Task, config: RunConfig, output: Journal,
                   errors: Journal, progress: Progress, refs: list[RecordRef],
                   server: str | None, api_key: str | None) -> RunStats:
    """Build the processor inside the loop (the runtime must be), run, release it."""
    processor: Processor
    if server:
        from service.batch_jobs.remote import RemoteProcessor

        processor = RemoteProcessor(server, task, concurrency=config.concurrency,
                                    api_key=api_key, timeout_s=settings.request_timeout_s)
    else:
        from service.workflows.runtime import Runtime

        processor = LocalProcessor(Runtime(settings), task)
    try:
        return await BatchRunner(processor, config, output, errors, progress).run(refs)
    finally:
        await processor.aclose()


@app.command("summarize")
def summarize(ctx: typer.Context, inputs: list[str] = _INPUTS, out: Path = _OUT,
              to: Optional[str] = typer.Option(None, "--to", "-t", help="Summary language "
                                               "(default: the article's)."),
              translate_to: Optional[str] = typer.Option(
                  None, "--translate-to", help="Also translate the article (e.g. uk,ru)."),
              mode: str = typer.Option("auto", "--mode", help="auto, extractive or "
                                       "abstractive."),
              max_sentences: Optional[int] = typer.Option(None, "--max-sentences"),
              max_words: Optional[int] = typer.Option(None, "--max-words"),
              source: str = _SOURCE, errors: Optional[Path] = _ERRORS,
              mirror: Optional[Path] = _MIRROR, id_field: str = _ID_FIELD,
              text_field: str = _TEXT_FIELD, html: bool = _HTML,
              whole_page: bool = _WHOLE_PAGE,
              max_chars: Optional[int] = _MAX_CHARS, shard: Optional[str] = _SHARD,
              concurrency: Optional[int] = _CONCURRENCY, server: Optional[str] = _SERVER,
              api_key: Optional[str] = _API_KEY, timeout: float = _TIMEOUT,
              quiet: bool = _QUIET) -> None:
    """Write a neutral summary of every record (with its neutrality report)."""
    task = Task(summarize=True, summary_target=to, mode=mode, max_sentences=max_sentences,
                max_words=max_words, translate_to=languages_arg(translate_to), source=source,
                html_mode="page" if whole_page else "article")
    _run(ctx, task, inputs, out, errors, mirror, id_field, text_field, html, max_chars,
         shard, concurrency, server, api_key, timeout, quiet)


@app.command("translate")
def translate(ctx: typer.Context, inputs: list[str] = _INPUTS, out: Path = _OUT,
              to: str = typer.Option(..., "--to", "-t", help="Target languages, "
                                     "comma-separated (e.g. uk,ru,ko)."),
              summarize: bool = typer.Option(False, "--summarize", help="Also summarise "
                                             "each record (in its own language)."),
              source: str = _SOURCE, errors: Optional[Path] = _ERRORS,
              mirror: Optional[Path] = _MIRROR, id_field: str = _ID_FIELD,
              text_field: str = _TEXT_FIELD, html: bool = _HTML,
              whole_page: bool = _WHOLE_PAGE,
              max_chars: Optional[int] = _MAX_CHARS, shard: Optional[str] = _SHARD,
              concurrency: Optional[int] = _CONCURRENCY, server: Optional[str] = _SERVER,
              api_key: Optional[str] = _API_KEY, timeout: float = _TIMEOUT,
              quiet: bool = _QUIET) -> None:
    """Translate every record into each target language."""
    targets = languages_arg(to)
    if not targets:
        fail("--to needs at least one language", code=2)
    task = Task(summarize=summarize, translate_to=targets, source=source,
                html_mode="page" if whole_page else "article")
    _run(ctx, task, inputs, out, errors, mirror, id_field, text_field, html, max_chars,
         shard, concurrency, server, api_key, timeout, quiet)
