"""One canary key, looked for everywhere a key could escape to.

Every public object is built with the canary and used against the emulator (chat, stream,
tools, embeddings, retrieval, failures), while every log record at every level is captured,
LangChain callbacks and LangSmith parameters are recorded, and every LlamaIndex
instrumentation event is collected. Then the canary is searched in: repr/str of the objects,
``model_dump``/``to_dict``/``to_json``/``to_payload``, pickles, ``dumpd``/``dumps``, log
messages, callback and tracer payloads, instrumentation events, exception messages and
formatted tracebacks (with their causes), and the notebooks' stored outputs. A recorder
in front of an upstream that streams the key back, split across frames, writes none of it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import re
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumpd, dumps
from langchain_core.tracers.context import collect_runs
from llama_index.core.instrumentation import get_dispatcher
from llama_index.core.instrumentation.event_handlers import BaseEventHandler
from llama_index.core.instrumentation.events import BaseEvent
from llama_index.core.llms import ChatMessage

import telnyx_inference
from langchain_telnyx import ChatTelnyx, TelnyxBucketRetriever, TelnyxEmbeddings
from llama_index_telnyx import Telnyx, TelnyxEmbedding
from llama_index_telnyx import TelnyxBucketRetriever as LITelnyxBucketRetriever
from telnyx_inference.emulator import Emulator, Fault, ScriptedReply

CANARY = "KEY0CANARY5EC12E7F00D_d0n0tl3akm3pl3as3"
FRAGMENT = "CANARY5EC12E7F00D"
SPLIT_CANARY = "KEY0CANARY5EC12E7F00D_d0n0t-l3ak-m3"
"""A key whose dashes make the emulator's tokenizer stream it as five deltas."""
NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
KEY_PATTERNS = (
    re.compile(r"KEY[0-9A-F]{16,}_[A-Za-z0-9]{8,}"),  # the shape of a Telnyx API key
    re.compile(r"Bearer\s+(?!\*)[A-Za-z0-9_\-.]{16,}"),
)


class _Found:
    """Texts to scan, each with the place it came from."""

    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def add(self, where: str, value: Any) -> None:
        try:
            text = value if isinstance(value, str) else repr(value)
        except Exception as exc:  # a repr that fails is itself worth a look, not a crash
            text = f"<repr failed: {exc!r}>"
        self.texts.append((where, text))

    def add_calls(self, where: str, make: Callable[[], Any]) -> None:
        try:
            self.add(where, make())
        except Exception as exc:
            self.add_error(f"{where} raised", exc)

    def add_error(self, where: str, err: BaseException) -> None:
        self.add(f"{where}: str", str(err))
        self.add(f"{where}: repr", repr(err))
        self.add(f"{where}: traceback", "".join(traceback.format_exception(err)))
        seen: BaseException | None = err
        while seen is not None:
            self.add(f"{where}: attributes of {type(seen).__name__}", vars(seen))
            seen = seen.__cause__ or seen.__context__

    def leaks(self) -> list[str]:
        return [where for where, text in self.texts if CANARY in text or FRAGMENT in text]


class _Callbacks(BaseCallbackHandler):
    """Records every argument LangChain hands to callbacks (what a tracer would send)."""

    def __init__(self, found: _Found) -> None:
        self.found = found

    def on_chat_model_start(self, serialized: Any, messages: Any, **kw: Any) -> None:
        self.found.add("callback on_chat_model_start", (serialized, messages, kw))

    def on_llm_end(self, response: Any, **kw: Any) -> None:
        self.found.add("callback on_llm_end", (response, kw))

    def on_llm_error(self, error: BaseException, **kw: Any) -> None:
        self.found.add("callback on_llm_error", (error, kw))
        self.found.add_error("callback on_llm_error", error)


class _Events(BaseEventHandler):
    found: Any = None

    @classmethod
    def class_name(cls) -> str:
        return "CanaryEvents"

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.found.add(f"llama_index event {type(event).__name__}", event)
        self.found.add_calls(f"llama_index event {type(event).__name__} dict", event.model_dump)


@pytest.fixture
def events(found: _Found) -> Iterator[None]:
    dispatcher = get_dispatcher()  # the root: every span and event ends up here
    handler = _Events()
    handler.found = found
    dispatcher.add_event_handler(handler)
    yield
    dispatcher.event_handlers.remove(handler)


@pytest.fixture
def found() -> _Found:
    return _Found()


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)  # the root and so every logger, at every level
    for name in ("openai", "httpx", "httpcore", "httpx2", "httpcore2", "telnyx_inference"):
        caplog.set_level(logging.DEBUG, logger=name)  # restored after the test
    return caplog


def _objects(emu: Emulator) -> dict[str, Any]:
    conn = {"api_key": CANARY, "base_url": emu.base_url}
    return {
        "TelnyxSettings": telnyx_inference.TelnyxSettings.resolve(**conn),
        "TelnyxClient": telnyx_inference.TelnyxClient(**conn),
        "AsyncTelnyxClient": telnyx_inference.AsyncTelnyxClient(**conn),
        "Buckets": telnyx_inference.Buckets(**conn),
        "Embedder": telnyx_inference.Embedder(**conn),
        "ChatTelnyx": ChatTelnyx(**conn, temperature=0.2),
        "TelnyxEmbeddings": TelnyxEmbeddings(**conn),
        "TelnyxBucketRetriever(langchain)": TelnyxBucketRetriever(**conn, bucket_name="docs"),
        "Telnyx": Telnyx(**conn, temperature=0.2),
        "TelnyxEmbedding": TelnyxEmbedding(**conn),
        "TelnyxBucketRetriever(llama_index)": LITelnyxBucketRetriever("docs", **conn),
    }


def _serialised_forms(found: _Found, name: str, obj: Any) -> None:
    found.add(f"repr({name})", repr(obj))
    found.add(f"str({name})", str(obj))
    methods = ["model_dump", "model_dump_json", "to_dict", "to_json", "to_payload"]
    if not hasattr(obj, "model_dump"):
        methods.append("dict")  # (pydantic's own dict() is model_dump, deprecated)
    for method in methods:
        if callable(getattr(obj, method, None)):
            found.add_calls(f"{name}.{method}()", getattr(obj, method))
    found.add_calls(f"pickle({name})", lambda: pickle.dumps(obj))
    if callable(getattr(obj, "to_json", None)) and hasattr(obj, "lc_secrets"):
        found.add_calls(f"dumpd({name})", lambda: dumpd(obj))
        found.add_calls(f"dumps({name})", lambda: dumps(obj))


def _use_langchain(found: _Found, objs: dict[str, Any], emu: Emulator) -> None:
    llm: ChatTelnyx = objs["ChatTelnyx"]
    callbacks = {"callbacks": [_Callbacks(found)]}
    found.add("ChatTelnyx._get_ls_params()", llm._get_ls_params())
    found.add("ChatTelnyx._get_ls_params(stop)", llm._get_ls_params(stop=["x"], temperature=1))
    with collect_runs() as runs:
        llm.invoke("Say hello", config=callbacks)
        list(llm.stream("Say hello", config=callbacks))
        bound = llm.bind_tools([_add])
        _serialised_forms(found, "ChatTelnyx.bind_tools(...)", bound)
        bound.invoke("Call _add(1, 2)", config=callbacks)
        asyncio.run(llm.ainvoke("Say hello", config=callbacks))
        emu.fault(Fault(kind="status", status=401, times=1, route="chat/completions"))
        try:
            llm.invoke("Say hello", config=callbacks)
        except Exception as err:
            found.add_error("ChatTelnyx 401", err)
    for run in runs.traced_runs:
        found.add("LangChain traced run", run)
        found.add_calls("LangChain traced run json", lambda run=run: run.model_dump_json())
    emb: TelnyxEmbeddings = objs["TelnyxEmbeddings"]
    found.add("TelnyxEmbeddings.embed_query", emb.embed_query("hello")[:2])
    try:
        objs["TelnyxBucketRetriever(langchain)"].invoke("refunds")
    except Exception as err:
        found.add_error("TelnyxBucketRetriever(langchain) unknown bucket", err)


def _use_llama_index(found: _Found, objs: dict[str, Any], emu: Emulator) -> None:
    llm: Telnyx = objs["Telnyx"]
    messages = [ChatMessage(role="user", content="Say hello")]
    found.add("Telnyx.chat", llm.chat(messages))
    found.add("Telnyx.stream_chat", list(llm.stream_chat(messages))[-1])
    found.add("Telnyx.complete", llm.complete("Say hello"))
    found.add("Telnyx.metadata", llm.metadata)
    emu.fault(Fault(kind="status", status=429, times=None, route="chat/completions"))
    try:
        Telnyx(api_key=CANARY, base_url=emu.base_url, max_retries=0).chat(messages)
    except Exception as err:
        found.add_error("Telnyx 429", err)
    emu.clear_faults()
    emu.fault(Fault(kind="error_event", after=3, route="chat/completions"))
    try:
        list(llm.stream_chat(messages))
    except Exception as err:
        found.add_error("Telnyx stream error event", err)
    found.add("TelnyxEmbedding", objs["TelnyxEmbedding"].get_query_embedding("hello")[:2])
    try:
        objs["TelnyxBucketRetriever(llama_index)"].retrieve("refunds")
    except Exception as err:
        found.add_error("TelnyxBucketRetriever(llama_index) unknown bucket", err)


def _add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def _notebook_outputs(found: _Found) -> None:
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
        outputs = [cell.get("outputs", []) for cell in cells if cell.get("cell_type") == "code"]
        found.add(f"{notebook.name} stored outputs", json.dumps(outputs))


def test_the_canary_key_never_escapes(
    telnyx_emulator: Emulator,
    found: _Found,
    logs: pytest.LogCaptureFixture,
    events: None,
) -> None:
    objs = _objects(telnyx_emulator)
    _use_langchain(found, objs, telnyx_emulator)
    _use_llama_index(found, objs, telnyx_emulator)
    for name, obj in objs.items():
        _serialised_forms(found, name, obj)
    for record in logs.records:
        found.add(f"log {record.levelname} {record.name}", record.getMessage())
        found.add(f"log {record.levelname} {record.name} args", record.args)
        if record.exc_info and record.exc_info[1] is not None:
            found.add_error(f"log {record.name} exception", record.exc_info[1])
    _notebook_outputs(found)

    # The scan reached what it claims to (a scan of nothing would pass too).
    places = " | ".join(where for where, _ in found.texts)
    for expected in (
        "_get_ls_params",
        "LangChain traced run",
        "callback on_chat_model_start",
        "llama_index event LLMChatStartEvent",
        "Telnyx.to_payload()",
        "dumpd(ChatTelnyx)",
        "pickle(ChatTelnyx)",
        "ChatTelnyx 401: traceback",
        "Telnyx stream error event: traceback",
        "log DEBUG",
    ):
        assert expected in places, f"nothing scanned for {expected!r}"
    assert any(record.levelno == logging.DEBUG for record in logs.records)
    assert not found.leaks(), f"the key escaped into: {found.leaks()}"


def test_the_journal_saw_the_canary_sent_as_the_key(telnyx_emulator: Emulator) -> None:
    """The canary really is used as the key (the scan above would be empty otherwise)."""
    telnyx_emulator.configure(api_key=CANARY)
    assert ChatTelnyx(api_key=CANARY, base_url=telnyx_emulator.base_url).invoke("hi").content
    with pytest.raises(telnyx_inference.AuthenticationError):
        ChatTelnyx(api_key="KEY0WRONG", base_url=telnyx_emulator.base_url).invoke("hi")
    headers = [entry.headers for entry in telnyx_emulator.journal]
    assert all(CANARY not in json.dumps(h) for h in headers)  # the journal redacts it too


def test_notebooks_store_no_key() -> None:
    """Stored notebook outputs hold nothing shaped like a Telnyx key or a bearer token."""
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        text = notebook.read_text(encoding="utf-8")
        for pattern in KEY_PATTERNS:
            assert not pattern.search(text), f"{notebook.name}: {pattern.pattern}"


def test_pickled_chat_model_has_no_key() -> None:
    llm = ChatTelnyx(api_key=CANARY, base_url="http://127.0.0.1:9/v2/ai/openai")
    assert FRAGMENT.encode() not in pickle.dumps(llm)
    assert FRAGMENT.encode() not in pickle.dumps(llm.bind_tools([_add]))


def _streamed(base_url: str, key: str) -> tuple[list[str], list[str]]:
    """The content and reasoning deltas of one streamed answer, as the client saw them."""
    content: list[str] = []
    reasoning: list[str] = []
    for chunk in ChatTelnyx(base_url=base_url, api_key=key, max_retries=0).stream("Read it"):
        content.append(str(chunk.content))
        reasoning.append(str(chunk.additional_kwargs.get("reasoning_content", "")))
    return content, reasoning


def test_a_key_streamed_back_in_pieces_never_reaches_a_cassette(tmp_path: Path) -> None:
    said = f"Your key is {SPLIT_CANARY} - keep it."
    with Emulator() as upstream, Emulator(record=tmp_path, upstream=upstream.root) as recorder:
        upstream.script(ScriptedReply(content=said, reasoning=f"The key {SPLIT_CANARY}."))
        content, reasoning = _streamed(recorder.base_url, SPLIT_CANARY)
    # The upstream really split it: no delta holds the whole key, the joined answer does.
    assert "".join(content) == said
    assert SPLIT_CANARY in "".join(reasoning)
    assert not any(SPLIT_CANARY in piece for piece in content + reasoning)
    written = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "[REDACTED]" in written
    for piece in (FRAGMENT, "d0n0t", "l3ak"):
        assert piece not in written
    with Emulator(replay=tmp_path, replay_strict=True) as player:
        content, reasoning = _streamed(player.base_url, "replaying")
    assert "".join(content) == "Your key is [REDACTED] - keep it."
    assert "".join(reasoning) == "The key [REDACTED]."
