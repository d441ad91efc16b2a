"""max_tokens beside function tools: dropped only for Telnyx-hosted models, said once per
model at the caller's line, logged at debug."""

from __future__ import annotations

import logging
import warnings

import pytest

from telnyx_inference import TelnyxWarning, build_chat_request
from telnyx_inference.chat.catalog import is_hosted_model
from telnyx_inference.emulator.serving.validation import chat_quirk

USER = [{"role": "user", "content": "weather?"}]
WEATHER = {
    "type": "function",
    "function": {"name": "weather", "parameters": {"type": "object", "properties": {}}},
}


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
    body = build_chat_request(
        USER, model=model, params={"max_tokens": 50}, tools=[WEATHER], max_tokens_with_tools="keep"
    )
    assert (chat_quirk(body) is not None) is hosted
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        dropped = build_chat_request(
            USER, model=model, params={"max_tokens": 50, "api_key_ref": "ref"}, tools=[WEATHER]
        )
    assert ("max_tokens" in dropped) is not hosted  # proxied models keep their cap
    assert chat_quirk(dropped) is None


def test_proxied_model_keeps_max_tokens_even_with_error_policy() -> None:
    body = build_chat_request(
        USER,
        model="openai/gpt-5",
        params={"max_tokens": 50, "api_key_ref": "my-openai-key"},
        tools=[WEATHER],
        max_tokens_with_tools="error",
    )
    assert body["max_tokens"] == 50


def test_warned_once_per_model_at_the_callers_line(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="telnyx_inference")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for _ in range(5):
            build_chat_request(USER, model="org/a", params={"max_tokens": 9}, tools=[WEATHER])
        build_chat_request(USER, model="org/b", params={"max_tokens": 9}, tools=[WEATHER])
    ours = [w for w in seen if issubclass(w.category, TelnyxWarning)]
    assert [str(w.message).split(":")[0] for w in ours] == [
        "max_tokens=9 was not sent to org/a",
        "max_tokens=9 was not sent to org/b",
    ]
    assert {w.filename for w in ours} == {__file__}
    records = [r for r in caplog.records if "max_tokens" in r.getMessage()]
    assert len(records) == 6
    assert {r.levelno for r in records} == {logging.DEBUG}
