"""A real ``python -m service serve`` subprocess on a free port, for tests that need a
live server (real clients, signals, the batch command's ``--server`` mode)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import yaml


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def run_server(env: dict[str, str], *args: str, log_path: Path | None = None
                ) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """Run ``python -m service serve`` on a free port until /healthz answers; yield the
    process and its base URL; terminate it afterwards if still running."""
    port = free_port()
    log = open(log_path, "wb") if log_path is not None else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(port),
         *args], env=env, stdout=log, stderr=log, cwd=Path(__file__).resolve().parents[1])
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(proc, base)
        yield proc, base
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if log_path is not None:
            log.close()  # type: ignore[union-attr]


def _wait_healthy(proc: subprocess.Popen[bytes], base: str, limit_s: float = 120.0) -> None:
    # Polling a start-up is not synchronising a test on a sleep: the server gives no
    # other signal that it listens, and the limit only bounds a broken start.
    give_up = time.monotonic() + limit_s
    while time.monotonic() < give_up:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} during start-up")
        try:
            if httpx.get(f"{base}/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError("server did not answer /healthz")


def catalogue_missing(tiny_dir: Path, out: Path, missing: str) -> Path:
    """The tiny catalogue (absolute paths) written to ``out``, except that ``missing`` is
    a Hub model that was never pulled (tests never reach the Hub): using it answers 503
    with the ``models pull`` command."""
    catalogue = yaml.safe_load((tiny_dir / "registry.yaml").read_text("utf-8"))
    for name, entry in catalogue["models"].items():
        if name == missing:
            del entry["path"]
            entry["hub_id"] = "newsroom-tests/never-pulled"
        else:
            entry["path"] = str(tiny_dir / entry["path"])
    path = out / "registry.yaml"
    path.write_text(yaml.safe_dump(catalogue, allow_unicode=True), "utf-8")
    return path
