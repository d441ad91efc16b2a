"""The subjects of the async-at-scale figures (issue 16): every one answers ``ainvoke`` and
``astream`` (200-chunk streams), many at once, in one event loop.

Raw rows are the limits: aiohttp + ``json.loads``, the openai SDK's own
``DefaultAioHttpClient`` (an httpx / httpx2 client on an aiohttp transport) and the SDK's
HTTP library alone. Ours run twice: on the default transport (aiohttp) and with
``async_transport="httpx"`` (the switch, and what every async call cost before). Floors are
chat models doing no I/O, async all the way (LangChain's default ``_agenerate`` would hop to
a thread). Imports happen inside the methods (see :mod:`.subjects`).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from functools import cache
from typing import Any

from benchmarks.floors import WORD, LangChainFloor, LlamaIndexFloor, _langchain_floor_class
from benchmarks.framework_subjects import LangChainModel, LlamaIndexModel
from benchmarks.subjects import API_KEY, PROMPT, RawHTTP, Subject, _body, chunks_in

__all__ = ["scale_registry"]


def _text_of(line: bytes | str) -> str:
    if isinstance(line, bytes):
        line = line.decode()
    line = line.strip()
    if not line.startswith("data: ") or line == "data: [DONE]":
        return ""
    parts = []
    for choice in json.loads(line[6:])["choices"]:
        content = choice["delta"].get("content")
        if content:
            parts.append(content)
    return "".join(parts)


class RawAiohttp(Subject):
    """aiohttp's own session, ``json.loads`` on the body and on each SSE line: the limit."""

    key = "raw-aiohttp"
    label = "raw aiohttp + json"
    group = "raw"
    requires = (("aiohttp", "ClientSession"),)
    dists = ("aiohttp",)

    async def amake(self, url: str) -> Any:
        import aiohttp

        connector = aiohttp.TCPConnector(limit=1000)
        headers = {"Authorization": f"Bearer {API_KEY}"}
        return aiohttp.ClientSession(connector=connector, headers=headers), url

    async def ainvoke(self, handle: Any) -> str:
        session, url = handle
        async with session.post(f"{url}/chat/completions", json=_body(False)) as response:
            response.raise_for_status()
            data = json.loads(await response.read())
        return str(data["choices"][0]["message"]["content"])

    async def astream(self, handle: Any) -> AsyncIterator[str]:
        session, url = handle
        async with session.post(f"{url}/chat/completions", json=_body(True)) as response:
            response.raise_for_status()
            async for line in response.content:
                text = _text_of(line)
                if text:
                    yield text

    async def aclose(self, handle: Any) -> None:
        await handle[0].close()


class AsyncRaw(RawHTTP):
    """:class:`RawHTTP` with a streamed async answer too (``aiter_lines`` + ``json.loads``)."""

    async def astream(self, handle: Any) -> AsyncIterator[str]:
        client, url = handle
        async with client.stream("POST", url, json=_body(True)) as response:
            response.raise_for_status()
            async for line in response.aiter_lines():
                text = _text_of(line)
                if text:
                    yield text


class SDKAioHttp(AsyncRaw):
    """``openai.DefaultAioHttpClient`` used directly: its raw ``post`` / ``stream``."""

    def __init__(self) -> None:
        super().__init__("httpx2")
        self.key = "sdk-aiohttp"
        self.label = "openai DefaultAioHttpClient, raw post"
        self.requires = (("openai", "DefaultAioHttpClient"), ("aiohttp", "ClientSession"))
        self.dists = ("openai", "aiohttp", "httpx-aiohttp")

    async def amake(self, url: str) -> Any:
        import openai

        headers = {"Authorization": f"Bearer {API_KEY}"}
        return openai.DefaultAioHttpClient(headers=headers), f"{url}/chat/completions"


def sdk_http_module() -> str:
    """The HTTP library under the installed SDK (httpx2 from openai 3.0 on)."""
    from importlib import metadata

    return "httpx2" if int(metadata.version("openai").split(".")[0]) >= 3 else "httpx"


class SDKLibrary(AsyncRaw):
    """The SDK's own HTTP library alone (httpx2 on openai 3.x, httpx on 2.x)."""

    def __init__(self) -> None:
        super().__init__(sdk_http_module())
        self.key = "raw-sdk-http"
        self.dists = (self.module, "openai")  # the label follows the worker's openai major


@cache
def _async_langchain_floor_class() -> type[Any]:
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    class AsyncFloorChatModel(_langchain_floor_class()):  # type: ignore[misc]
        """The LangChain floor with native async methods (no thread hop)."""

        async def _agenerate(self, messages: Any, stop: Any = None, **kwargs: Any) -> ChatResult:
            text = (WORD * self.chunks).strip()
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

        async def _astream(
            self, messages: Any, stop: Any = None, **kwargs: Any
        ) -> AsyncIterator[ChatGenerationChunk]:
            for _ in range(self.chunks):
                yield ChatGenerationChunk(message=AIMessageChunk(content=WORD))

    return AsyncFloorChatModel


class AsyncLangChainFloor(LangChainFloor):
    label = "LangChain async floor (no I/O)"

    def make(self, url: str) -> Any:
        return _async_langchain_floor_class()(chunks=chunks_in(url))

    async def ainvoke(self, handle: Any) -> str:
        return str((await handle.ainvoke(PROMPT)).content)

    async def astream(self, handle: Any) -> AsyncIterator[str]:
        async for chunk in handle.astream(PROMPT):
            yield chunk.content


class AsyncLlamaIndexFloor(LlamaIndexFloor):
    label = "LlamaIndex async floor (no I/O)"

    async def ainvoke(self, handle: Any) -> str:
        return str((await handle.achat(self._messages())).message.content)

    async def astream(self, handle: Any) -> AsyncIterator[str]:
        async for response in await handle.astream_chat(self._messages()):
            yield response.delta or ""


class OursLangChain(LangChainModel):
    """ChatTelnyx on one async transport."""

    def __init__(self, transport: str, label: str) -> None:
        super().__init__(
            "ours-lc" if transport == "auto" else f"ours-lc-{transport}",
            label,
            "langchain_telnyx",
            "ChatTelnyx",
            ("telnyx-inference", "langchain-core", "openai", "aiohttp", "httpx", "httpx2"),
        )
        self.transport = transport

    def make(self, url: str) -> Any:
        from langchain_telnyx import ChatTelnyx

        return ChatTelnyx(model="m", api_key=API_KEY, base_url=url, async_transport=self.transport)

    async def astream(self, handle: Any) -> AsyncIterator[str]:
        async for chunk in handle.astream(PROMPT):
            yield chunk.content

    def batch(self, handle: Any, requests: int, concurrency: int) -> list[str]:
        answers = handle.batch([PROMPT] * requests, config={"max_concurrency": concurrency})
        return [str(a.content) for a in answers]


class OursLlamaIndex(LlamaIndexModel):
    """LlamaIndex ``Telnyx`` on one async transport."""

    def __init__(self, transport: str, label: str) -> None:
        super().__init__(
            "ours-li" if transport == "auto" else f"ours-li-{transport}",
            label,
            "llama_index_telnyx",
            "Telnyx",
            ("telnyx-inference", "llama-index-core", "openai", "aiohttp", "httpx", "httpx2"),
            url_field="base_url",
            async_transport=transport,
        )

    async def astream(self, handle: Any) -> AsyncIterator[str]:
        async for response in await handle.astream_chat(self._messages()):
            yield response.delta or ""


def scale_registry() -> dict[str, Subject]:
    """The async-at-scale subjects, by key, in table order."""
    subjects: list[Subject] = [
        RawAiohttp(),
        SDKAioHttp(),
        SDKLibrary(),
        AsyncLangChainFloor(),
        OursLangChain("auto", "ChatTelnyx (ours, default: aiohttp)"),
        OursLangChain("httpx", "ChatTelnyx (ours, async_transport=httpx)"),
        AsyncLlamaIndexFloor(),
        OursLlamaIndex("auto", "Telnyx (ours, LlamaIndex, default: aiohttp)"),
        OursLlamaIndex("httpx", "Telnyx (ours, LlamaIndex, async_transport=httpx)"),
    ]
    return {s.key: s for s in subjects}
