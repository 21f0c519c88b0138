"""Batch test helpers: small article corpora, reading outputs, running the real CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from server_process import run_server

ROOT = Path(__file__).resolve().parents[2]

#: Sentences per language; articles are built from rotations of them so every
#: article differs.
SENTENCES: dict[str, list[str]] = {
    "en": ["The city council approved the new budget on Tuesday.",
           "Officials said the bridge would reopen next month.",
           "The ministry reported that exports grew by three percent.",
           "Residents told reporters that the water supply had been restored.",
           "The mayor said the plan would be reviewed in the autumn."],
    "uk": ["Міська рада ухвалила новий бюджет у вівторок.",
           "Чиновники заявили, що міст знову відкриють наступного місяця.",
           "Міністерство повідомило, що експорт зріс на три відсотки.",
           "Мешканці розповіли журналістам, що водопостачання відновлено."],
    "ru": ["Городской совет утвердил новый бюджет во вторник.",
           "Чиновники заявили, что мост откроют в следующем месяце.",
           "Министерство сообщило, что экспорт вырос на три процента."],
}


def article(lang: str, index: int, sentences: int = 3) -> str:
    """A short article in ``lang``, different for each ``index``."""
    pool = SENTENCES[lang]
    body = [pool[(index + k) % len(pool)] for k in range(sentences)]
    return f"Report number {index}.\n\n" + "\n\n".join(body) if lang == "en" \
        else "\n\n".join(body)


def write_folder(root: Path, count: int, lang: str = "en") -> list[str]:
    """``count`` articles spread over sub-folders; returns their ids (relative paths)."""
    ids = []
    for i in range(count):
        rel = Path(f"day{i % 3}") / f"story{i:03d}.txt"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(article(lang, i), "utf-8")
        ids.append(rel.as_posix())
    return ids


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every line of ``path`` parsed (fails the test on a line that does not parse)."""
    if not path.exists():
        return []
    data = path.read_bytes()
    assert not data or data.endswith(b"\n"), f"{path} ends with a partial line"
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


def cli(args: list[str], env: dict[str, str], stdin: str | None = None,
        cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m service ARGS`` to completion."""
    return subprocess.run([sys.executable, "-m", "service", *args], input=stdin, env=env,
                          capture_output=True, text=True, timeout=600, cwd=cwd)


def popen(args: list[str], env: dict[str, str], cwd: Path | None = None
          ) -> subprocess.Popen[str]:
    """Start ``python -m service ARGS`` in the background."""
    return subprocess.Popen([sys.executable, "-m", "service", *args], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@contextmanager
def live_server(env: dict[str, str]) -> Iterator[str]:
    """A running ``newsroom-mt serve`` on a free port; yields its base URL."""
    with run_server(env) as (_proc, base):
        yield base
