"""The peers' way of serving, for comparison: one request at a time.

A minimal HTTP server on the same model and engine as the real one (loaded through
the same catalogue and :func:`~service.engines.loader.load_by_name`): each
``POST /v1/translate`` runs ``engine.generate`` on that request's texts, under one
lock, so requests never share a batch. A request of several texts is one
``generate`` call (EasyNMT's way; LibreTranslate loops over the texts, which is the
same for one-sentence requests and slower otherwise). No sentence splitting,
language id or limits: it does strictly less work per request than the real server.

Run by ``bench/serving.py``; ``GET /readyz`` answers once the model is loaded.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import uvicorn  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.requests import Request  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Route  # noqa: E402

from service.engines.base import BatchKey, Engine  # noqa: E402
from service.engines.loader import load_by_name  # noqa: E402
from service.registry import Registry  # noqa: E402
from service.settings import Settings  # noqa: E402


def build_app(engine: Engine) -> Starlette:
    """The one-at-a-time app around a loaded ``engine``."""
    lock = asyncio.Lock()

    async def translate(request: Request) -> JSONResponse:
        body = await request.json()
        texts = [body["text"]] if "text" in body else list(body["texts"])
        key = BatchKey(body.get("source"), body["target"])
        async with lock:  # one request at a time
            outputs = await asyncio.to_thread(engine.generate, texts, key)
        return JSONResponse({"translations": [{"text": o.text} for o in outputs]})

    async def readyz(request: Request) -> JSONResponse:
        return JSONResponse({"ready": True})

    return Starlette(routes=[Route("/v1/translate", translate, methods=["POST"]),
                             Route("/readyz", readyz)])


def main() -> None:
    """Load the model, then serve on 127.0.0.1."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = Settings(registry=args.registry)
    engine = load_by_name(Registry.from_settings(settings), settings, args.model)
    uvicorn.run(build_app(engine), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
