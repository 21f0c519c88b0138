"""SIGTERM on a real server: requests in flight finish with 200, then the process exits 0."""

from __future__ import annotations

import re
import signal
import threading
import time

import httpx


def test_sigterm_lets_the_request_in_flight_finish(live_server, server_env, tmp_path):
    # One item per batch: a 24-paragraph request needs 24 model calls, so it is still
    # running when the signal arrives.
    env = dict(server_env, NEWSROOM_MAX_BATCH_ITEMS="1", NEWSROOM_DRAIN_TIMEOUT_S="120")
    texts = [f"Paragraph {i}: the city council met on Tuesday to discuss the budget."
             for i in range(24)]
    with live_server(env, log_path=tmp_path / "server.log") as (proc, base):
        warm = httpx.post(f"{base}/v1/translate", timeout=120,
                          json={"text": "Hello", "source": "en", "target": "uk"})
        assert warm.status_code == 200  # the model is loaded before the slow request
        before = _batches(base)

        outcome: dict[str, httpx.Response | BaseException] = {}

        def slow_request() -> None:
            try:
                outcome["response"] = httpx.post(
                    f"{base}/v1/translate", timeout=300,
                    json={"texts": texts, "source": "en", "target": "uk"})
            except BaseException as exc:  # reported by the assertion below
                outcome["response"] = exc

        client = threading.Thread(target=slow_request)
        client.start()
        while _batches(base) <= before:  # wait until the slow request is being served
            assert client.is_alive(), outcome
            time.sleep(0.02)  # poll interval only: the loop waits on the metric
        proc.send_signal(signal.SIGTERM)
        client.join(timeout=300)
        exit_code = proc.wait(timeout=300)

    response = outcome["response"]
    assert isinstance(response, httpx.Response), response
    assert response.status_code == 200
    assert len(response.json()["translations"]) == len(texts)
    assert exit_code == 0, (tmp_path / "server.log").read_text("utf-8")[-2000:]
    log = (tmp_path / "server.log").read_text("utf-8")
    assert '"msg": "service stopped"' in log


def _batches(base: str) -> float:
    text = httpx.get(f"{base}/metrics", timeout=5).text
    found = re.search(r"^newsroom_batch_size_count\{[^}]*\} (\S+)$", text, re.M)
    return float(found.group(1)) if found else 0.0
