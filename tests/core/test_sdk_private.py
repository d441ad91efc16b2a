"""One test per private name of the openai SDK (and the HTTP client under it) that the package
reads, all of them in ``telnyx_inference.transport.sdk_private``. CI runs these on openai 2.x
(httpx, ``httpx_aiohttp``) and 3.x (httpx2, the SDK's vendored aiohttp transport): when an SDK
upgrade moves one of them, the test named after it fails.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import openai
import pytest

from telnyx_inference.transport import sdk_private
from telnyx_inference.transport.aio import aiohttp_installed
from telnyx_inference.transport.sdk_http import http_module

needs_aiohttp = pytest.mark.skipif(
    not aiohttp_installed(), reason="the openai SDK's aiohttp extra is not installed"
)
PACKAGE = Path(__file__).resolve().parents[2] / "telnyx_inference"


def test_openai_client_keeps_its_http_client_at__client() -> None:
    http = http_module.Client()
    try:
        sdk = openai.OpenAI(api_key="k", base_url="http://127.0.0.1:9/v1", http_client=http)
        assert sdk_private.http_client_of(sdk) is http
    finally:
        http.close()


async def test_async_openai_client_keeps_its_http_client_at__client() -> None:
    http = http_module.AsyncClient()
    try:
        sdk = openai.AsyncOpenAI(api_key="k", base_url="http://127.0.0.1:9/v1", http_client=http)
        assert sdk_private.http_client_of(sdk) is http
    finally:
        await http.aclose()


def test_http_client_keeps_its_transport_and_mounts() -> None:
    default, mounted = http_module.HTTPTransport(), http_module.HTTPTransport()
    with http_module.Client(transport=default, mounts={"http://proxied.test": mounted}) as http:
        assert sdk_private.transports_of(http) == [default, mounted]


def test_http_client_picks_the_transport_for_a_url() -> None:
    default, mounted = http_module.HTTPTransport(), http_module.HTTPTransport()
    with http_module.Client(transport=default, mounts={"http://proxied.test": mounted}) as http:
        url = http_module.URL
        assert sdk_private.transport_for_url(http, url("http://proxied.test/v2")) is mounted
        assert sdk_private.transport_for_url(http, url("http://other.test/v2")) is default


@needs_aiohttp
async def test_aiohttp_transport_exposes_its_error_mapping_and_proxy() -> None:
    import aiohttp

    http = openai.DefaultAioHttpClient()
    try:
        (transport,) = [t for t in sdk_private.transports_of(http) if t is not None]
        parts = sdk_private.aiohttp_parts(transport)
        assert parts is not None, f"{type(transport).__module__}.{type(transport).__name__}"
        assert parts.proxy is None
        with pytest.raises(http_module.ReadError), parts.map_errors():
            raise aiohttp.ClientPayloadError("the body broke off")
    finally:
        await http.aclose()


@needs_aiohttp
async def test_aiohttp_transport_makes_its_session_on_first_use() -> None:
    import aiohttp

    http = openai.DefaultAioHttpClient()
    try:
        (transport,) = [t for t in sdk_private.transports_of(http) if t is not None]
        assert sdk_private.open_session_of(transport) is None  # nothing opened yet
        session = sdk_private.session_of(transport)
        assert isinstance(session, aiohttp.ClientSession)
        assert sdk_private.session_of(transport) is session
        assert sdk_private.open_session_of(transport) is session
    finally:
        await http.aclose()
    assert session.closed  # the transport closes the session it made: it is still its own


def test_a_plain_transport_is_not_taken_for_the_aiohttp_one() -> None:
    assert sdk_private.aiohttp_parts(http_module.HTTPTransport()) is None


def _private_names(tree: ast.AST) -> set[str]:
    """Private SDK names read on anything but ``self`` (our own attributes may share them)."""
    found = set()
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Attribute) and getattr(node.value, "id", None) != "self":
            name = node.attr
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", None) in ("getattr", "hasattr", "setattr")
            and len(node.args) > 1
            and isinstance(node.args[1], ast.Constant)
        ):
            name = node.args[1].value
        if isinstance(name, str) and name in _SDK_PRIVATE:
            found.add(name)
    return found


_SDK_PRIVATE = {"_client", "_transport", "_mounts", "_transport_for_url"}
"""The private names of the SDK's and the HTTP library's clients that the package needs."""


def test_no_other_module_reads_a_private_sdk_name() -> None:
    offenders: dict[str, Any] = {}
    for path in PACKAGE.rglob("*.py"):
        if path.name == "sdk_private.py" or "emulator" in path.parts:
            continue
        names = _private_names(ast.parse(path.read_text()))
        if names:
            offenders[str(path.relative_to(PACKAGE))] = sorted(names)
    assert offenders == {}
