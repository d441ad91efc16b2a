"""max_tokens beside function tools: sent; only the exact 400 (code 10015) makes the client send
the request once more without it, said once per model at the caller's line. The emulator
answers that 400 only when asked to (today's docs no longer mention it)."""

from __future__ import annotations

import warnings

import pytest

from telnyx_inference import (
    AsyncTelnyxClient,
    BadRequestError,
    InvalidParameterError,
    TelnyxClient,
    TelnyxWarning,
    build_chat_request,
)
from telnyx_inference.chat.catalog import is_hosted_model
from telnyx_inference.emulator import Emulator, Fault
from telnyx_inference.emulator.serving.validation import chat_quirk

USER = [{"role": "user", "content": "weather in Oslo?"}]
WEATHER = {
    "type": "function",
    "function": {"name": "weather", "parameters": {"type": "object", "properties": {}}},
}


def _chat_bodies(emu: Emulator) -> list[dict[str, object]]:
    return [e.json for e in emu.journal if e.path.endswith("chat/completions")]


@pytest.mark.parametrize(
    ("model", "hosted"),
    [
        ("moonshotai/Kimi-K2.6", True),
        ("zai-org/GLM-5.2", True),
        ("openai/gpt-5", False),
        ("anthropic/claude-sonnet-5", False),
    ],
)
def test_one_hosted_predicate_for_builder_and_emulator(model: str, hosted: bool) -> None:
    assert is_hosted_model(model) is hosted
    body = build_chat_request(USER, model=model, params={"max_tokens": 50}, tools=[WEATHER])
    assert body["max_tokens"] == 50  # kept by default, hosted or not
    assert chat_quirk(body) is None  # today's contract: accepted
    refused = chat_quirk(body, refuse_max_tokens_with_tools=True)
    assert (refused is not None and refused[0] == "10015") is hosted
    dropped = build_chat_request(
        USER, model=model, params={"max_tokens": 50}, tools=[WEATHER], max_tokens_with_tools="drop"
    )
    assert ("max_tokens" in dropped) is not hosted  # proxied models keep their cap


def test_the_cap_is_sent_and_kept_when_accepted(telnyx_emulator: Emulator) -> None:
    client = TelnyxClient(api_key="k", base_url=telnyx_emulator.base_url)
    body = build_chat_request(USER, params={"max_tokens": 50}, tools=[WEATHER])
    with warnings.catch_warnings():
        warnings.simplefilter("error", TelnyxWarning)
        client.chat(body)
    assert [b.get("max_tokens") for b in _chat_bodies(telnyx_emulator)] == [50]


def test_refused_cap_is_retried_once_without_it_warned_once(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.configure(refuse_max_tokens_with_tools=True)
    client = TelnyxClient(api_key="k", base_url=telnyx_emulator.base_url)
    body = build_chat_request(USER, params={"max_tokens": 50}, tools=[WEATHER])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for _ in range(3):
            answer = client.chat(body)
    assert answer.first.tool_calls or answer.first.content
    ours = [w for w in seen if issubclass(w.category, TelnyxWarning)]
    assert len(ours) == 1
    assert ours[0].filename == __file__
    assert "refused max_tokens=50 beside function tools" in str(ours[0].message)
    assert [b.get("max_tokens") for b in _chat_bodies(telnyx_emulator)] == [50, None] * 3
    assert [e.status for e in telnyx_emulator.journal] == [400, 200] * 3


def test_streams_retry_too(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.configure(refuse_max_tokens_with_tools=True)
    client = TelnyxClient(api_key="k", base_url=telnyx_emulator.base_url)
    body = build_chat_request(USER, params={"max_tokens": 50}, tools=[WEATHER], stream=True)
    with pytest.warns(TelnyxWarning, match="sent again without it"):
        events = list(client.stream_chat(body))
    assert events
    assert [b.get("max_tokens") for b in _chat_bodies(telnyx_emulator)] == [50, None]


async def test_async_twin_retries(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.configure(refuse_max_tokens_with_tools=True)
    client = AsyncTelnyxClient(api_key="k", base_url=telnyx_emulator.base_url)
    body = build_chat_request(USER, params={"max_tokens": 50}, tools=[WEATHER])
    with pytest.warns(TelnyxWarning, match="sent again without it"):
        await client.chat(body)
    stream = build_chat_request(USER, params={"max_tokens": 50}, tools=[WEATHER], stream=True)
    assert [event async for event in client.stream_chat(stream)]
    assert [b.get("max_tokens") for b in _chat_bodies(telnyx_emulator)] == [50, None, 50, None]


def test_keep_raises_the_refusal_and_other_400s_are_never_retried(
    telnyx_emulator: Emulator,
) -> None:
    telnyx_emulator.configure(refuse_max_tokens_with_tools=True)
    client = TelnyxClient(api_key="k", base_url=telnyx_emulator.base_url)
    body = build_chat_request(USER, params={"max_tokens": 50}, tools=[WEATHER])
    with pytest.raises(BadRequestError) as caught:
        client.chat(body, retry_without_max_tokens=False)
    assert caught.value.code == "10015"
    assert "drop max_tokens" in str(caught.value)
    telnyx_emulator.configure(refuse_max_tokens_with_tools=False)
    telnyx_emulator.fault(Fault(kind="status", status=400, message="something else"))
    with pytest.raises(BadRequestError, match="something else"):
        client.chat(body)
    assert len(_chat_bodies(telnyx_emulator)) == 2  # one each: nothing retried


def test_an_unknown_policy_is_refused_by_name() -> None:
    with pytest.raises(InvalidParameterError) as caught:
        build_chat_request(USER, tools=[WEATHER], max_tokens_with_tools="error")  # type: ignore[arg-type]
    assert caught.value.param == "max_tokens_with_tools"
    assert "'retry'" in str(caught.value)
