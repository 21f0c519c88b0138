"""``newsroom-mt serve``: run the HTTP API under uvicorn.

Shutdown is graceful: on SIGTERM/SIGINT uvicorn stops accepting connections and
lets requests in flight finish for up to ``drain_timeout_s``; then the app's
lifespan closes the runtime (queued batches finish, models are freed) and the
process exits 0.
"""

from __future__ import annotations

import signal
import sys
from typing import Optional

import typer

from service.cli.common import fail, settings_from
from service.errors import NewsroomError
from service.logs import configure_logging

#: The GIL switch interval of a serving process (see ``serve``).
GIL_SWITCH_INTERVAL_S = 0.001


def serve(ctx: typer.Context,
          host: Optional[str] = typer.Option(None, help="Bind address [env NEWSROOM_HOST]."),
          port: Optional[int] = typer.Option(None, help="Port [env NEWSROOM_PORT]."),
          preload: Optional[bool] = typer.Option(
              None, "--preload/--no-preload",
              help="Load the required models at start-up [env NEWSROOM_PRELOAD]."),
          required_models: Optional[str] = typer.Option(
              None, "--require", help="Models /readyz waits for, comma-separated "
                                      "[env NEWSROOM_REQUIRED_MODELS]."),
          api_keys_file: Optional[str] = typer.Option(
              None, "--api-keys-file", help="File of accepted API keys, one per line."),
          pull: Optional[bool] = typer.Option(
              None, "--pull/--no-pull",
              help="Pull the default catalogue's missing models in the background while "
                   "serving; each is usable as it lands [env NEWSROOM_PULL]."),
          drain_timeout: Optional[float] = typer.Option(
              None, "--drain-timeout", help="Seconds allowed for requests in flight on "
                                            "SIGTERM [env NEWSROOM_DRAIN_TIMEOUT_S]."),
          ) -> None:
    """Serve the HTTP API (native /v1, LibreTranslate and DeepL routes, /docs)."""
    import uvicorn

    from service.http.app import create_app
    from service.http.auth import KeyStore
    from service.registry import Registry

    settings = settings_from(ctx, host=host, port=port, preload=preload,
                             required_models=required_models, api_keys_file=api_keys_file,
                             drain_timeout_s=drain_timeout, pull=pull)
    configure_logging(settings.log_level, json_lines=settings.log_json)
    try:
        # Fail fast, with a clear message, on a bad catalogue or key file.
        Registry.from_settings(settings)
        KeyStore.from_settings(settings)
    except NewsroomError as exc:
        fail(exc.message, code=2)
    # Text work and engines run in threads beside the event loop; each time the loop
    # thread wants the GIL back it waits up to the switch interval (5 ms by default)
    # behind them, several times per request. 1 ms keeps probes and small requests
    # quick while an article is being segmented.
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    app = create_app(settings)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, log_config=None,
        # The middleware writes one structured line per request.
        access_log=False, timeout_graceful_shutdown=settings.drain_timeout_s,
        proxy_headers=True, server_header=False)
    # uvicorn re-raises the signal that stopped it once shutdown is complete; with the
    # default SIGTERM disposition the process would then die "killed by SIGTERM"
    # (exit 143) after a clean drain. A no-op handler makes a drained stop exit 0.
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    uvicorn.Server(config).run()
