"""The editor's page: ``GET /`` and its assets under ``/ui/``, shipped in the package
(``service/http/ui/``), no CDN, so it works air-gapped.

The page is plain HTML, CSS and JavaScript that calls only the public ``/v1`` API.
Every response here carries a strict Content-Security-Policy: scripts, styles and
connections from this origin only, no inline script or style, no plugins, no
framing, and Trusted Types enforced so that no script can ever assign HTML (the page
writes text with ``textContent`` only; pasted HTML and model output are never parsed).
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from service.errors import NewsroomError
from service.http.errors import HttpError

#: The page's policy (a test asserts it). ``require-trusted-types-for`` makes any
#: HTML sink (innerHTML, document.write, DOMParser) throw instead of parsing.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'; object-src 'none'; "
    "require-trusted-types-for 'script'; trusted-types 'none'")
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-cache",
}
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


def _assets() -> dict[str, tuple[bytes, str]]:
    """Every asset of the page by file name, read once: name -> (bytes, media type)."""
    folder = files("service.http") / "ui"
    out: dict[str, tuple[bytes, str]] = {}
    for item in folder.iterdir():
        suffix = "." + item.name.rsplit(".", 1)[-1]
        if item.is_file() and suffix in _TYPES:
            out[item.name] = (item.read_bytes(), _TYPES[suffix])
    return out


def install(app: FastAPI) -> None:
    """Serve the page at ``/`` and its assets at ``/ui/NAME`` (not in the API schema)."""
    assets = _assets()

    def serve(name: str) -> Response:
        try:
            body, media_type = assets[name]
        except KeyError:
            error: NewsroomError = HttpError(f"no page asset named '{name}'", status=404,
                                             error_type="not_found")
            raise error from None
        return Response(body, media_type=media_type, headers=SECURITY_HEADERS)

    @app.get("/", include_in_schema=False)
    async def page(request: Request) -> Response:
        return serve("index.html")

    @app.get("/ui/{name}", include_in_schema=False)
    async def asset(name: str) -> Response:
        return serve(name)
