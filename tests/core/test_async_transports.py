"""The shared async clients' HTTP client: aiohttp by default, httpx on request, the user's own
always; and the same behaviour on both for proxies from the environment and lost connections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import openai
import pytest

from langchain_telnyx import ChatTelnyx
from telnyx_inference.chat.client import AsyncTelnyxClient
from telnyx_inference.chat.request import build_chat_request
from telnyx_inference.emulator import Emulator
from telnyx_inference.errors import InvalidParameterError, TelnyxConnectionError
from telnyx_inference.settings import TelnyxSettings
from telnyx_inference.transport import aio as _aio

BODY = build_chat_request([{"role": "user", "content": "Say hello"}])
TRANSPORTS = ("aiohttp", "httpx")
needs_aiohttp = pytest.mark.skipif(not _aio.aiohttp_installed(), reason="no aiohttp extra")


@needs_aiohttp
async def test_default_is_aiohttp(telnyx_emulator: Emulator) -> None:
    client = AsyncTelnyxClient(api_key="k", base_url=telnyx_emulator.base_url)
    assert client.settings.async_transport == "auto"
    assert (await client.chat(BODY)).first.content
    assert _aio.uses_aiohttp(client.transport.client)


@needs_aiohttp
async def test_own_clients_send_straight_on_aiohttp(telnyx_emulator: Emulator) -> None:
    """The shared aiohttp client is bypassed for its session; a user's own never is."""
    from telnyx_inference.transport.aio_send import direct_route
    from telnyx_inference.transport.shells import _parsed_url

    url = f"{telnyx_emulator.base_url}/chat/completions"
    ours = AsyncTelnyxClient(api_key="k", base_url=telnyx_emulator.base_url)
    own = openai.DefaultAioHttpClient()
    sdk = openai.AsyncOpenAI(api_key="k", base_url=telnyx_emulator.base_url, http_client=own)
    theirs = AsyncTelnyxClient(client=sdk)
    streamed = build_chat_request([{"role": "user", "content": "Say hello"}], stream=True)
    try:
        for client in (ours, theirs):
            assert (await client.chat(BODY)).first.content
        sent_through: list[str] = []
        original = type(own).send

        async def spy(self: object, *args: object, **kwargs: object) -> object:
            sent_through.append("ours" if self is not own else "theirs")
            return await original(self, *args, **kwargs)  # type: ignore[arg-type]

        type(own).send = spy  # type: ignore[method-assign]
        try:
            for client in (ours, theirs):
                assert (await client.chat(BODY)).first.content
                events = [event async for event in client.stream_chat(streamed)]
                assert events
        finally:
            type(own).send = original  # type: ignore[method-assign]
        assert sent_through == ["theirs", "theirs"]  # ours never went through httpx's send
        http = ours.transport.client._client
        assert direct_route(http, url, _parsed_url(http, url)) is not None
        assert direct_route(own, url, _parsed_url(own, url)) is None
    finally:
        await own.aclose()


@pytest.mark.parametrize("how", ["argument", "environment"])
async def test_switch_forces_httpx(
    how: str, telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    if how == "environment":
        monkeypatch.setenv("TELNYX_ASYNC_TRANSPORT", "httpx")
        model = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url)
    else:
        model = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, async_transport="httpx")
    assert (await model.ainvoke("hi")).content
    sdk = model.telnyx_async_client().transport.client
    assert not _aio.uses_aiohttp(sdk)
    # the SDK's own default httpx client (built by the package now, with the SDK's defaults)
    assert type(sdk._client).__name__ in ("AsyncHttpxClientWrapper", "_DefaultAsyncHttpxClient")


def test_bad_values_name_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match=r"async_transport(.|\n)*'auto', 'aiohttp' or 'httpx'"):
        ChatTelnyx(api_key="k", async_transport="curl")
    with pytest.raises(ValueError, match="async_transport: must be one of auto, aiohttp, httpx"):
        TelnyxSettings(async_transport="curl")
    monkeypatch.setenv("TELNYX_ASYNC_TRANSPORT", "fast")
    with pytest.raises(InvalidParameterError, match="TELNYX_ASYNC_TRANSPORT: must be one of"):
        TelnyxSettings.resolve(api_key="k")


async def test_insisting_on_aiohttp_without_it_names_the_extra(
    telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_aio, "_installed", False)
    client = AsyncTelnyxClient(
        api_key="k", base_url=telnyx_emulator.base_url, async_transport="aiohttp"
    )
    with pytest.raises(InvalidParameterError, match=r"openai\[aiohttp\]") as info:
        await client.chat(BODY)
    assert info.value.param == "async_transport"
    fallback = AsyncTelnyxClient(api_key="k", base_url=telnyx_emulator.base_url)
    assert (await fallback.chat(BODY)).first.content  # auto falls back to httpx
    assert not _aio.uses_aiohttp(fallback.transport.client)


async def _serve(handler: object) -> AsyncIterator[int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)  # type: ignore[arg-type]
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_server_hanging_up_is_a_connection_error(transport: str) -> None:
    accepted = 0

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        await reader.read(100)
        writer.close()

    async for port in _serve(hang_up):
        client = AsyncTelnyxClient(
            api_key="k",
            base_url=f"http://127.0.0.1:{port}/v2/ai/openai",
            max_retries=1,
            async_transport=transport,
        )
        with pytest.raises(TelnyxConnectionError, match="2 attempts") as info:
            await client.chat(BODY)
        assert "timeout" not in str(info.value).lower()  # a hang-up is not a slow server
    assert accepted == 2


_COMPLETION = (
    b'{"id":"x","object":"chat.completion","model":"m","choices":[{"index":0,'
    b'"message":{"role":"assistant","content":"via proxy"},"finish_reason":"stop"}]}'
)


@pytest.mark.parametrize("transport", TRANSPORTS)
async def test_proxy_from_the_environment(transport: str, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        seen.append(head.split(b"\r\n", 1)[0])
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        await reader.readexactly(length)
        writer.write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n"
            b"content-length: %d\r\n\r\n%s" % (len(_COMPLETION), _COMPLETION)
        )
        await writer.drain()
        writer.close()

    async for port in _serve(proxy):
        monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        # Nothing listens on the target: only the proxy can answer.
        client = AsyncTelnyxClient(
            api_key="k",
            base_url="http://127.0.0.1:9/v2/ai/openai",
            max_retries=0,
            async_transport=transport,
        )
        assert (await client.chat(BODY)).first.content == "via proxy"
        assert _aio.uses_aiohttp(client.transport.client) is (transport == "aiohttp")
    assert seen == [b"POST http://127.0.0.1:9/v2/ai/openai/chat/completions HTTP/1.1"]


@needs_aiohttp
def test_direct_send_maps_timeouts_as_the_sdk_transport_does() -> None:
    from telnyx_inference.transport.aio_send import _client_timeout
    from telnyx_inference.transport.sdk_http import http_module

    sdk_default = _client_timeout(http_module.Timeout(600.0, connect=5.0))
    assert (sdk_default.sock_connect, sdk_default.sock_read, sdk_default.connect) == (5, 600, 600)
    assert sdk_default.total is None  # no overall cap: a long stream is not cut
    flat = _client_timeout(2.5)
    assert (flat.sock_connect, flat.sock_read, flat.connect, flat.total) == (2.5, 2.5, 2.5, None)


def test_no_direct_route_over_an_unknown_transport() -> None:
    from telnyx_inference.transport.aio_send import DirectRoute

    class AiohttpTransport:  # the right name, but not the SDK's: no error mapping beside it
        client = None
        proxy = None

    assert DirectRoute.of(AiohttpTransport()) is None
    assert DirectRoute.of(object()) is None
