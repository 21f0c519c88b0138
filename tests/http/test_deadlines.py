"""One deadline per request, through every stage: it keeps running across the legs of
a pivot and the rounds of a map-reduce summary; when it passes the client gets 504 and
the request's queued inputs leave the scheduler. Time is a fake clock moved by the
test while the engines are held at a gate."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml
from fake_clock import FakeClock
from fastapi.testclient import TestClient

from service.engines.loader import PlacementChooser, load_engine
from service.http.app import create_app
from service.registry import ModelEntry, Registry
from service.workflows.runtime import Runtime
from service.workflows.summarization import _chunk

TIMEOUT_S = 100.0
MESSAGE = "the request did not finish within its deadline of 100 s (request_timeout_s)"
KO_PARAGRAPHS = ["시의회는 화요일에 새 예산을 승인했다. 관계자들은 다리가 다음 달에 다시 개통될 것이라고 밝혔다.",
                 "경찰은 목격자들에게 연락해 달라고 요청했다. 조사는 아직 진행 중이다.",
                 "농민들은 수확이 줄어들까 걱정하고 있다. 비가 계속 내리고 있다."]


class Gate:
    """Holds the listed generate calls of one engine until the test releases them."""

    def __init__(self, hold: set[int]) -> None:
        self.hold = hold
        self.calls = 0
        self.arrived: queue.Queue[int] = queue.Queue()
        self._release = threading.Semaphore(0)

    def wrap(self, engine):
        generate = engine.generate

        def gated(texts, key):
            self.calls += 1
            if self.calls in self.hold:
                self.arrived.put(self.calls)
                assert self._release.acquire(timeout=60), "the test never released"
            return generate(texts, key)

        engine.generate = gated
        return engine

    def next_held(self) -> int:
        return self.arrived.get(timeout=60)

    def release(self, calls: int = 1) -> None:
        for _ in range(calls):
            self._release.release()


@pytest.fixture()
def gated_client(tiny_settings) -> Iterator:
    """``make(registry=None, **gates)``: a started TestClient on a fake clock whose
    engines named in ``gates`` are wrapped by those gates."""
    opened: list[tuple[TestClient, list[Gate]]] = []

    def make(gates: dict[str, Gate], registry: Path | None = None):
        settings = tiny_settings.model_copy(update={
            "request_timeout_s": TIMEOUT_S, "max_batch_items": 1, "max_wait_ms": 0.0,
            "batch_regroup_ms": 0.0, "bulk_batch_items_while_interactive": 0,
            **({"registry": registry} if registry is not None else {})})
        clock = FakeClock()
        placement = PlacementChooser(settings)

        def loader(entry: ModelEntry):
            engine = load_engine(entry, settings, placement())
            gate = gates.get(entry.name)
            return gate.wrap(engine) if gate is not None else engine

        runtime = Runtime(settings, clock=clock, loader=loader)
        client = TestClient(create_app(settings, runtime=runtime))
        client.__enter__()
        opened.append((client, list(gates.values())))
        return client, runtime, clock

    yield make
    for client, gates in opened:
        for gate in gates:
            gate.release(100)
        client.__exit__(None, None, None)


def _catalogue_without_m2m100(tiny_registry: Path, tmp_path: Path) -> Path:
    """ko -> uk then has no direct or multilingual model: it pivots through English."""
    catalogue = yaml.safe_load(tiny_registry.read_text("utf-8"))
    del catalogue["models"]["tiny-m2m100"]
    for body in catalogue["models"].values():
        body["path"] = str(tiny_registry.parent / body["path"])
    path = tmp_path / "registry.yaml"
    path.write_text(yaml.safe_dump(catalogue), "utf-8")
    return path


def test_deadline_passing_in_the_second_leg_of_a_pivot_is_504_and_drops_its_queue(
        gated_client, tiny_registry: Path, tmp_path: Path) -> None:
    registry = _catalogue_without_m2m100(tiny_registry, tmp_path)
    route = Registry.load(registry).route_translation("ko", "uk")
    assert route.kind == "pivot" and route.models == ["tiny-marian-ko-en", "tiny-marian-en-uk"]
    first, second = Gate({1}), Gate({1})
    client, runtime, clock = gated_client(
        {"tiny-marian-ko-en": first, "tiny-marian-en-uk": second}, registry)
    body = {"text": "\n\n".join(KO_PARAGRAPHS), "source": "ko", "target": "uk"}
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(client.post, "/v1/translate", json=body)
        first.next_held()
        client.portal.call(clock.advance, 60.0)  # the first leg is slow...
        first.release()
        second.next_held()
        leg2 = runtime.models.handle("tiny-marian-en-uk")
        assert leg2.queue_depth >= 2  # one segment in the engine, the others queued
        client.portal.call(clock.advance, 50.0)  # ...and the second leg passes 100 s
        response = pending.result(timeout=60)
    assert response.status_code == 504
    assert response.json()["error"] == {"type": "timeout", "message": MESSAGE}
    assert leg2.queue_depth == 0
    assert runtime.models.handle("tiny-marian-ko-en").queue_depth == 0
    second.release(100)


def test_deadline_passing_in_a_map_reduce_round_is_504_and_drops_its_queue(
        gated_client) -> None:
    article = " ".join(f"Sentence number {i} reports that the council met officials in "
                       f"the north of the region." for i in range(40))
    client, runtime, clock = gated_client({})
    handle = runtime.models.handle("tiny-mt5-summarize")
    client.portal.call(handle.ensure_ready)
    chunks = len(_chunk(handle, article, "en")[0])
    assert chunks >= 3
    # Hold every batch of the map round and the first of the reduce round. The map
    # round takes 30 s in all, spread over its batches (the scheduler's cost model
    # sees batches as long as they are); the reduce round then passes 100 s.
    gate = Gate(set(range(1, chunks + 2)))
    gate.wrap(handle.engine)
    body = {"text": article, "source": "en", "mode": "abstractive"}
    with ThreadPoolExecutor(1) as pool:
        pending = pool.submit(client.post, "/v1/summarize", json=body)
        for call in range(1, chunks + 1):
            assert gate.next_held() == call
            assert handle.queue_depth == chunks - call
            client.portal.call(clock.advance, 30.0 / chunks)
            gate.release()
        assert gate.next_held() == chunks + 1
        client.portal.call(clock.advance, 75.0)
        response = pending.result(timeout=60)
    assert response.status_code == 504
    assert response.json()["error"] == {"type": "timeout", "message": MESSAGE}
    assert handle.queue_depth == 0
    gate.release(100)
