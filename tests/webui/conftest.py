"""Browser fixtures: Debian's chromium driven by Playwright (no browser download)
against real ``python -m service serve`` processes on the tiny catalogue.

Screenshots go to ``$NEWSROOM_ARTEFACTS`` or ``<pytest tmp>/artefacts`` (the path is
printed); look at them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api
from server_process import catalogue_missing, run_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]



def _env(registry: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSROOM_")}
    env.update(NEWSROOM_REGISTRY=str(registry), HF_HUB_OFFLINE="1", PYTHONUNBUFFERED="1",
               TOKENIZERS_PARALLELISM="false", NEWSROOM_MAX_WAIT_MS="2",
               PYTHONPATH=os.pathsep.join(filter(None, [
                   str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH")])))
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def servers(tiny_dir: Path, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Callable[..., str]]:
    """``servers(name)``: the base URL of a server started once per module:
    ``main`` (small batches, so long articles stream in many waves; summaries in
    report-only, so their findings stay), ``missing`` (en->uk model never pulled),
    ``keys`` (API key ``s3cret`` required)."""
    logs = tmp_path_factory.mktemp("server-logs")
    configs: dict[str, Callable[[], dict[str, str]]] = {
        "main": lambda: _env(tiny_dir / "registry.yaml", NEWSROOM_MAX_BATCH_ITEMS="4",
                             NEWSROOM_SUMMARY_ENFORCEMENT="report-only"),
        "missing": lambda: _env(catalogue_missing(tiny_dir, logs, "tiny-marian-en-uk")),
        "keys": lambda: _env(tiny_dir / "registry.yaml", NEWSROOM_API_KEYS="s3cret"),
    }
    started: dict[str, str] = {}
    with ExitStack() as stack:
        def get(name: str) -> str:
            if name not in started:
                _proc, base = stack.enter_context(
                    run_server(configs[name](), log_path=logs / f"{name}.log"))
                started[name] = base
            return started[name]

        yield get


@pytest.fixture(scope="session")
def artefacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Folder for screenshots (printed so a person can look at them): ``$NEWSROOM_ARTEFACTS``
    when set (CI keeps it), else a pytest temporary folder."""
    chosen = os.environ.get("NEWSROOM_ARTEFACTS")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("artefacts")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nbrowser screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Fail, not skip: a missing browser must not pass as a green run (.ci/run installs it).
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: apt-get install -y chromium fonts-nanum")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Watched:
    """A page with every dialog, console message and page error recorded."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.dialogs: list[str] = []
        self.console: list[tuple[str, str]] = []
        self.errors: list[str] = []

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("console", lambda m: self.console.append((m.type, m.text)))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def console_errors(self) -> list[str]:
        return [text for kind, text in self.console if kind == "error"]


@pytest.fixture()
def open_page(browser: Any) -> Iterator[Callable[..., Watched]]:
    """``open_page(base_url, width=1280, height=900)``: a fresh context at ``/``, ready
    when the target languages are listed (or an error is shown)."""
    contexts: list[Any] = []

    def open_(base: str, width: int = 1280, height: int = 900) -> Watched:
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        watched = Watched(context.new_page())
        watched.page.goto(base + "/")
        watched.page.wait_for_function(
            "() => document.querySelectorAll('#target option').length > 0"
            " || !document.getElementById('alert').hidden")
        return watched

    yield open_
    for context in contexts:
        context.close()

