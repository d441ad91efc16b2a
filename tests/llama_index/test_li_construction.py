"""Construction, the Telnyx extensions as fields, connection options and secrecy of the key."""

from __future__ import annotations

import pickle
from typing import Any

import openai
import pytest
from li_support import KEY, PLAIN, chat_bodies, make_llm
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.callbacks import CallbackManager
from llama_index.core.callbacks.base_handler import BaseCallbackHandler
from llama_index.core.callbacks.schema import CBEventType
from llama_index_instrumentation import get_dispatcher
from llama_index_instrumentation.base.event import BaseEvent
from llama_index_instrumentation.event_handlers import BaseEventHandler

from llama_index_telnyx import Telnyx
from telnyx_inference import DEFAULT_CHAT_MODEL, InvalidParameterError, MissingAPIKeyError
from telnyx_inference.emulator import Emulator

HELLO = [ChatMessage(role="user", content="Hello there")]


def test_defaults_need_no_key_and_no_network() -> None:
    llm = Telnyx()
    assert llm.model == DEFAULT_CHAT_MODEL
    assert llm.api_key is None
    assert llm.api_base == "https://api.telnyx.com/v2/ai/openai"
    assert llm.metadata.is_function_calling_model  # offline: the fallback table answers
    with pytest.raises(MissingAPIKeyError, match="TELNYX_API_KEY"):
        llm.complete("hi")


def test_env_vars_and_api_base_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", "from-env")
    monkeypatch.setenv("TELNYX_API_BASE", "http://127.0.0.1:9/v2/ai/openai")
    llm = Telnyx()
    assert llm.api_key is not None
    assert llm.api_key.get_secret_value() == "from-env"
    assert llm.base_url == "http://127.0.0.1:9/v2/ai/openai"
    assert Telnyx(api_base="http://localhost:1/v2/ai").base_url == "http://localhost:1/v2/ai"


def test_bad_values_fail_at_construction_naming_the_field() -> None:
    with pytest.raises(ValueError, match="min_p"):
        Telnyx(min_p=1.5)
    with pytest.raises(ValueError, match="top_logprobs: requires logprobs"):
        Telnyx(top_logprobs=3)
    with pytest.raises(ValueError, match="guided"):
        Telnyx(guided_regex="a+", guided_choice=["a"])
    with pytest.raises(ValueError, match="json_schema"):
        Telnyx(response_format={"type": "json_schema"})
    with pytest.raises(ValueError, match="base_url"):
        Telnyx(base_url="not a url")
    with pytest.raises(InvalidParameterError, match=r"temprature.*did you mean 'temperature'"):
        Telnyx(temprature=0.1)  # type: ignore[call-arg]


def test_plain_http_to_a_remote_host_is_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        Telnyx(api_key=KEY, base_url="http://example.com/v2/ai/openai")


def test_every_extension_reaches_the_body(emu: Emulator) -> None:
    llm = make_llm(
        emu,
        temperature=0.3,
        max_tokens=50,
        top_p=0.9,
        min_p=0.05,
        frequency_penalty=0.1,
        presence_penalty=0.2,
        seed=7,
        stop=["END"],
        logprobs=True,
        top_logprobs=2,
        enable_thinking=False,
        api_key_ref="my-secret-ref",
        service_tier="flex",
        reasoning_effort="xhigh",
        region="EU",
        mode="strict",
        additional_kwargs={"repetition_penalty": 1.1, "n": 1},
    )
    llm.chat(HELLO)
    body = chat_bodies(emu)[-1]
    expected = {
        "model": PLAIN,
        "temperature": 0.3,
        "max_tokens": 50,
        "top_p": 0.9,
        "min_p": 0.05,
        "frequency_penalty": 0.1,
        "presence_penalty": 0.2,
        "seed": 7,
        "stop": ["END"],
        "logprobs": True,
        "top_logprobs": 2,
        "enable_thinking": False,
        "api_key_ref": "my-secret-ref",
        "service_tier": "flex",
        "reasoning_effort": "xhigh",
        "region": "EU",
        "mode": "strict",
        "repetition_penalty": 1.1,
        "n": 1,
    }
    assert {k: body[k] for k in expected} == expected


def test_beam_search_knobs_and_per_call_overrides(emu: Emulator) -> None:
    llm = make_llm(emu, use_beam_search=True, best_of=2, length_penalty=1.2, temperature=0.5)
    llm.chat(HELLO, temperature=0.0, model="zai-org/GLM-5.2", extra_body={"top_k": 5})
    body = chat_bodies(emu)[-1]
    assert body["use_beam_search"] is True
    assert (body["best_of"], body["length_penalty"]) == (2, 1.2)
    assert body["temperature"] == 0.0
    assert body["model"] == "zai-org/GLM-5.2"
    assert body["top_k"] == 5


def test_per_call_values_are_checked_before_sending(emu: Emulator) -> None:
    llm = make_llm(emu)
    with pytest.raises(InvalidParameterError, match="min_p"):
        llm.chat(HELLO, min_p=3)
    with pytest.raises(InvalidParameterError, match="temprature"):
        llm.chat(HELLO, temprature=0.2)
    assert chat_bodies(emu) == []


def test_user_supplied_openai_clients_are_used(emu: Emulator) -> None:
    sync = openai.OpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0)
    llm = Telnyx(client=sync, model=PLAIN)
    assert llm.base_url == emu.base_url.rstrip("/")
    assert llm.telnyx_client().transport.client is sync
    assert llm.complete("Hello there").text


async def test_user_supplied_async_client_is_used(emu: Emulator) -> None:
    aclient = openai.AsyncOpenAI(base_url=emu.base_url, api_key=KEY, max_retries=0)
    llm = Telnyx(async_client=aclient, model=PLAIN)
    assert llm.telnyx_async_client().transport.client is aclient
    assert (await llm.acomplete("Hello there")).text


def test_connection_options(emu: Emulator) -> None:
    llm = make_llm(emu, timeout=12.5, default_headers={"x-team": "search"})
    settings = llm.telnyx_settings()
    assert (settings.timeout, settings.max_retries) == (12.5, 0)
    llm.chat(HELLO)
    assert emu.journal[-1].headers["x-team"] == "search"
    assert llm.telnyx_client() is llm.telnyx_client()  # built once, not per call


# -- the key never leaks -------------------------------------------------------------------


class _Callbacks(BaseCallbackHandler):
    def __init__(self) -> None:
        super().__init__([], [])
        self.payloads: list[Any] = []

    def on_event_start(self, event_type: CBEventType, payload: Any = None, **kw: Any) -> str:
        self.payloads.append(payload)
        return kw.get("event_id", "")

    def on_event_end(self, event_type: CBEventType, payload: Any = None, **kw: Any) -> None:
        self.payloads.append(payload)

    def start_trace(self, trace_id: str | None = None) -> None:
        return None

    def end_trace(self, trace_id: str | None = None, trace_map: Any = None) -> None:
        return None


class _Events(BaseEventHandler):
    events: list[BaseEvent] = []

    def handle(self, event: BaseEvent, **kwargs: Any) -> None:
        self.events.append(event)


def test_key_never_in_serialised_forms() -> None:
    # a closed loopback port: to_payload() reads the catalog, which must stay offline
    llm = Telnyx(
        api_key=KEY,
        base_url="http://127.0.0.1:9/v2/ai/openai",
        max_retries=0,
        default_headers={"x-a": "b"},
    )
    for text in (
        repr(llm),
        str(llm),
        str(llm.to_dict()),
        llm.to_json(),
        str(llm.to_payload()),
        str(llm.model_dump()),
        llm.model_dump_json(),
    ):
        assert KEY not in text
    assert KEY.encode() not in pickle.dumps(llm)
    copy = pickle.loads(pickle.dumps(llm))
    assert copy.api_key is None
    assert copy.base_url == llm.base_url


def test_key_never_in_callback_or_instrumentation_events(emu: Emulator) -> None:
    callbacks = _Callbacks()
    events = _Events(events=[])
    root = get_dispatcher()
    root.add_event_handler(events)
    try:
        llm = make_llm(emu, callback_manager=CallbackManager([callbacks]))
        llm.chat(HELLO)
        list(llm.stream_chat(HELLO))
        llm.complete("Hello there")
        list(llm.stream_complete("Hello there"))
    finally:
        root.event_handlers.remove(events)
    assert len(callbacks.payloads) >= 8
    assert len(events.events) >= 8
    assert any("model_dict" in e.model_dump() for e in events.events)
    for item in [*callbacks.payloads, *events.events]:
        text = repr(item) + (item.model_dump_json() if isinstance(item, BaseEvent) else "")
        assert KEY not in text
