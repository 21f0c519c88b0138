"""The Prometheus metrics the service exposes at /metrics."""

from __future__ import annotations

from service.metrics import ServiceMetrics


def test_each_instance_has_its_own_registry():
    first, second = ServiceMetrics(), ServiceMetrics()  # no "Duplicated timeseries"
    first.observe_request("/v1/translate", 200, 0.5)
    assert first.registry.get_sample_value(
        "newsroom_requests_total", {"route": "/v1/translate", "status": "200"}) == 1
    assert second.registry.get_sample_value(
        "newsroom_requests_total", {"route": "/v1/translate", "status": "200"}) is None


def test_render_exposes_every_collector_as_prometheus_text():
    metrics = ServiceMetrics()
    metrics.observe_request("/v1/translate", 429, 0.02)
    metrics.set_model_load_seconds("opus-mt-en-uk", 3.5)
    metrics.set_queue_depth("opus-mt-en-uk", 12)
    metrics.set_worker_up("opus-mt-en-uk", True)
    metrics.observe_waits("opus-mt-en-uk", [0.004, 0.02])
    metrics.observe_batch("opus-mt-en-uk", size=8, padding_ratio=0.25,
                          generated_tokens=256, seconds=2.0)

    payload, content_type = metrics.render()
    text = payload.decode()
    assert content_type.startswith("text/plain")
    for line in [
        'newsroom_requests_total{route="/v1/translate",status="429"} 1.0',
        'newsroom_request_seconds_count{route="/v1/translate"} 1.0',
        'newsroom_model_load_seconds{model="opus-mt-en-uk"} 3.5',
        'newsroom_queue_depth{model="opus-mt-en-uk"} 12.0',
        'newsroom_worker_up{model="opus-mt-en-uk"} 1.0',
        'newsroom_queue_wait_seconds_count{model="opus-mt-en-uk"} 2.0',
        'newsroom_batch_size_sum{model="opus-mt-en-uk"} 8.0',
        'newsroom_batch_padding_ratio_sum{model="opus-mt-en-uk"} 0.25',
        'newsroom_generated_tokens_total{model="opus-mt-en-uk"} 256.0',
        'newsroom_tokens_per_second{model="opus-mt-en-uk"} 128.0',
    ]:
        assert line in text.splitlines(), line
