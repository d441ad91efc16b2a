"""``GET /`` and ``GET`` on the base URLs: what this server is and where things are, no key.

A user who opens the printed base URL in a browser or with curl gets this index instead of a
401: the name and version, the three base URLs, and every control route.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from telnyx_inference import __version__
from telnyx_inference._constants import LEGACY_BASE_SUFFIX, NATIVE_ROOT_PATH, OPENAI_BASE_SUFFIX
from telnyx_inference.emulator import errors
from telnyx_inference.emulator.access import CONTROL_PREFIX, OPEN_CONTROL_PATHS
from telnyx_inference.emulator.serving.state import State

NAME = "telnyx-emulator"
DOCS = "docs/emulator-control-api.md in the telnyx-inference sources"
_BASES = (
    NATIVE_ROOT_PATH,
    NATIVE_ROOT_PATH + LEGACY_BASE_SUFFIX,
    NATIVE_ROOT_PATH + OPENAI_BASE_SUFFIX,
)
INDEX_PATHS = ("/", *(path for base in _BASES for path in (base, f"{base}/")))


def control_listing(request: Request) -> list[dict[str, Any]]:
    """Every ``/_emulator/`` route the app serves, read from its router (so routes added
    elsewhere are listed too)."""
    out: list[dict[str, Any]] = []
    for route in request.app.router.routes:
        path = getattr(route, "path", "")
        if not path.startswith(CONTROL_PREFIX):
            continue
        for method in sorted((getattr(route, "methods", None) or set()) - {"HEAD"}):
            out.append({"method": method, "path": path})
    return out


def index_body(request: Request, state: State) -> dict[str, Any]:
    root = str(request.base_url).rstrip("/")
    settings = state.settings
    needs_token = settings.control_token is not None
    return {
        "name": NAME,
        "version": __version__,
        "description": "A local, offline Telnyx Inference API (chat, models, embeddings, "
        "buckets) for tests and development.",
        "you_requested": request.url.path,
        "base_urls": {
            "openai": f"{root}/v2{OPENAI_BASE_SUFFIX}",
            "legacy": f"{root}/v2{LEGACY_BASE_SUFFIX}",
            "native": f"{root}/v2",
        },
        "usage": "Send 'Authorization: Bearer <key>' to the API routes: "
        + ("only the configured key is accepted." if settings.api_key else "any key works."),
        "control_routes": control_listing(request),
        "control_token_required": needs_token,
        "control_token_header": "X-Emulator-Token" if needs_token else None,
        "open_control_routes": sorted(OPEN_CONTROL_PATHS),
        "docs": DOCS,
    }


def index_routes(state: State) -> list[Route]:
    async def index(request: Request) -> Response:
        return errors.json_response(index_body(request, state))

    return [Route(path, index, methods=["GET"]) for path in INDEX_PATHS]
