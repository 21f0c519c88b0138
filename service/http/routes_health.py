"""Operational endpoints: ``/healthz`` (alive), ``/readyz`` (models ready) and
``/metrics`` (Prometheus). They need no API key: probes and scrapers carry none."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from service.http import schemas as s
from service.http.deps import http_state

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=s.Health, summary="Process alive",
            responses={503: {"model": s.Health,
                             "description": "A model that matters has been failing for "
                                            "longer than unhealthy_grace_s: restart me."}})
async def healthz(request: Request) -> JSONResponse:
    """A liveness probe: 200 while the process serves and its models can heal; 503
    once a required (or once loaded) model has been failing, reloads included, for
    ``unhealthy_grace_s``, so the orchestrator restarts the process. ``failing``
    names each such model and its error."""
    runtime = http_state(request).runtime
    if runtime is None:
        return JSONResponse({"status": "ok"})
    live = runtime.liveness()
    if live["alive"]:
        return JSONResponse({"status": "ok"})
    return JSONResponse({"status": "failing", "failing": live["failing"]}, status_code=503)


def _message(readiness: dict) -> str:
    parts = []
    if readiness["missing"]:
        parts.append("models not loaded: " + ", ".join(readiness["missing"]))
    if readiness["unhealthy"]:
        parts.append("models failed: " + "; ".join(
            f"{name} ({why})" for name, why in readiness["unhealthy"].items()))
    if readiness["stopping"]:
        parts.append("shutting down")
    pull = readiness.get("pull")
    if pull is not None and pull["state"] in ("probing", "pulling"):
        done = len(pull["pulled"]) + len(pull["local"])
        parts.append(f"pulling models: {done} of {pull['wanted']} local"
                     + (f", {pull['current']} downloading" if pull["current"] else ""))
    elif pull is not None and pull["state"] == "failed":
        parts.append(f"model pull failed: {pull['message']}")
    return "; ".join(parts) or "ready"


@router.get("/readyz", response_model=s.Readiness, summary="Required models loaded",
            responses={503: {"model": s.Readiness,
                             "description": "Not ready: `missing` names the required "
                                            "models not ready, `unhealthy` the failed "
                                            "models and why."}})
async def readyz(request: Request) -> JSONResponse:
    """200 only when every model the deployment requires is loaded and no model has
    failed; otherwise 503 naming what is missing and why (a readiness probe). A failed
    model is reloaded in the background once its backoff has passed."""
    runtime = http_state(request).runtime
    if runtime is None:
        body = {"ready": False, "missing": [], "unhealthy": {}, "stopping": True, "pull": None}
    else:
        body = runtime.readiness()
    body["message"] = _message(body)
    return JSONResponse(body, status_code=200 if body["ready"] else 503)


@router.get("/metrics", summary="Prometheus metrics",
            responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}},
                             "description": "Prometheus text exposition."}})
async def metrics(request: Request) -> Response:
    """Requests by route and status, latency histograms, queue depth, batch sizes,
    tokens generated and model load times."""
    runtime = http_state(request).runtime
    if runtime is None:
        return Response(b"", media_type="text/plain")
    body, content_type = runtime.metrics.render()
    return Response(body, media_type=content_type)
