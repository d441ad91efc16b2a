"""What is measured: one small adapter per client, all behind the same four calls.

A subject turns a base URL into a handle (``make`` / ``amake``) and then answers one chat
turn with it, plainly (``invoke``), streamed (``stream``: yields the text pieces) or with
``await`` (``ainvoke``). Every subject sends the same one-message conversation, so the only
difference between two rows of a table is the client library.

This module imports nothing but the standard library at import time: it also runs inside
the official ``langchain-telnyx`` virtualenv, where neither this project nor most peers exist.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from importlib import metadata
from typing import Any

__all__ = ["API_KEY", "MODEL", "PROMPT", "Subject", "chunks_in", "registry", "unavailable"]

API_KEY = "benchmark-key"
MODEL = "benchmark-model"
PROMPT = "Say hello"
_CHUNKS = re.compile(r"/n/(\d+)/")


def chunks_in(url: str) -> int:
    """The stream length the server was asked for in ``url`` (floors read it too)."""
    match = _CHUNKS.search(url)
    return int(match.group(1)) if match else 16


def unavailable(requires: Iterable[tuple[str, str]]) -> str | None:
    """Why a subject cannot run here (a peer not installed), or None.

    Only a missing top-level module or a missing exported name means "skip"; any other
    import failure is a real error and propagates, so a broken adapter fails the run.
    """
    for module, attr in requires:
        try:
            loaded = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
                return f"{module} is not installed"
            raise
        if attr and not hasattr(loaded, attr):
            return f"{module}.{attr} is not in this checkout yet"
    return None


class Subject:
    """One client under test; subclasses fill in the calls they support."""

    key = ""
    label = ""
    group = ""  # "raw", "langchain" or "llama-index": which peer it is compared with
    env = "main"  # "official": runs in the official package's own virtualenv
    requires: tuple[tuple[str, str], ...] = ()
    dists: tuple[str, ...] = ()
    concurrent = True  # takes part in the concurrency figure

    def versions(self) -> dict[str, str]:
        found: dict[str, str] = {}
        for dist in self.dists:
            try:
                found[dist] = metadata.version(dist)
            except metadata.PackageNotFoundError:
                continue
        return found

    def make(self, url: str) -> Any:
        raise NotImplementedError

    def invoke(self, handle: Any) -> str:
        raise NotImplementedError

    def stream(self, handle: Any) -> Iterator[str]:
        raise NotImplementedError

    async def amake(self, url: str) -> Any:
        return self.make(url)

    async def ainvoke(self, handle: Any) -> str:
        raise NotImplementedError

    def astream(self, handle: Any) -> AsyncIterator[str]:
        raise NotImplementedError

    async def aclose(self, handle: Any) -> None:
        return None

    def batch(self, handle: Any, requests: int, concurrency: int) -> list[str]:
        """``requests`` sync calls on a pool of ``concurrency`` threads (LangChain's ``batch``)."""
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(concurrency) as pool:
            return list(pool.map(lambda _: self.invoke(handle), range(requests)))


# --- raw HTTP: the limit ----------------------------------------------------------------------


def _body(stream: bool) -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}], "stream": stream}


def _sse_text(lines: Iterable[str]) -> Iterator[str]:
    for line in lines:
        if line.startswith("data: ") and line != "data: [DONE]":
            for choice in json.loads(line[6:])["choices"]:
                content = choice["delta"].get("content")
                if content:
                    yield content


class RawHTTP(Subject):
    """``client.post(json=...)`` and ``iter_lines()`` + ``json.loads``: what hand-written code does."""

    group = "raw"
    module = "httpx"

    def __init__(self, module: str) -> None:
        self.module = module
        self.key = f"raw-{module}"
        self.label = f"raw {module} + json"
        self.requires = ((module, "Client"),)
        self.dists = (module,)

    def _lib(self) -> Any:
        return importlib.import_module(self.module)

    def make(self, url: str) -> Any:
        headers = {"Authorization": f"Bearer {API_KEY}"}
        return self._lib().Client(headers=headers), f"{url}/chat/completions"

    def invoke(self, handle: Any) -> str:
        client, url = handle
        response = client.post(url, json=_body(False))
        response.raise_for_status()
        return str(response.json()["choices"][0]["message"]["content"])

    def stream(self, handle: Any) -> Iterator[str]:
        client, url = handle
        with client.stream("POST", url, json=_body(True)) as response:
            response.raise_for_status()
            yield from _sse_text(response.iter_lines())

    async def amake(self, url: str) -> Any:
        lib = self._lib()
        limits = lib.Limits(max_connections=1000, max_keepalive_connections=100)
        headers = {"Authorization": f"Bearer {API_KEY}"}
        return lib.AsyncClient(headers=headers, limits=limits), f"{url}/chat/completions"

    async def ainvoke(self, handle: Any) -> str:
        client, url = handle
        response = await client.post(url, json=_body(False))
        response.raise_for_status()
        return str(response.json()["choices"][0]["message"]["content"])

    async def aclose(self, handle: Any) -> None:
        await handle[0].aclose()


class OpenAISDK(Subject):
    """The official SDK's typed ``chat.completions.create()`` (a pydantic object per chunk)."""

    key = "openai-sdk"
    label = "openai SDK create()"
    group = "raw"
    requires = (("openai", "OpenAI"),)
    dists = ("openai", "httpx", "httpx2")

    def make(self, url: str) -> Any:
        import openai

        return openai.OpenAI(base_url=url, api_key=API_KEY)

    def _messages(self) -> list[dict[str, Any]]:
        return [{"role": "user", "content": PROMPT}]

    def invoke(self, handle: Any) -> str:
        done = handle.chat.completions.create(model=MODEL, messages=self._messages())
        return str(done.choices[0].message.content)

    def stream(self, handle: Any) -> Iterator[str]:
        chunks = handle.chat.completions.create(model=MODEL, messages=self._messages(), stream=True)
        for chunk in chunks:
            for choice in chunk.choices:
                if choice.delta.content:
                    yield choice.delta.content

    async def amake(self, url: str) -> Any:
        import openai

        return openai.AsyncOpenAI(base_url=url, api_key=API_KEY)

    async def ainvoke(self, handle: Any) -> str:
        done = await handle.chat.completions.create(model=MODEL, messages=self._messages())
        return str(done.choices[0].message.content)

    async def aclose(self, handle: Any) -> None:
        await handle.close()


def registry() -> dict[str, Subject]:
    """Every subject, by key, in the order the tables list them."""
    from benchmarks import floors, framework_subjects

    subjects: list[Subject] = [
        RawHTTP("httpx2"),
        RawHTTP("httpx"),
        OpenAISDK(),
        *framework_subjects.langchain_subjects(),
        floors.LangChainFloor(),
        *framework_subjects.llama_index_subjects(),
        floors.LlamaIndexFloor(),
    ]
    return {s.key: s for s in subjects}
