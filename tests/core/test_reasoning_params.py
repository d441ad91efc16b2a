"""reasoning_history (which turns send their reasoning back) and reasoning_effort (Telnyx's own
levels, sent as they are, apart from enable_thinking), both decided once in the core."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from telnyx_inference import InvalidParameterError, build_chat_request
from telnyx_inference._constants import REASONING_EFFORTS
from telnyx_inference.chat.messages import join_text
from telnyx_inference.chat.params import overlay_params

CALL = {"id": "c1", "type": "function", "function": {"name": "add", "arguments": "{}"}}
HISTORY: list[dict[str, Any]] = [
    {"role": "user", "content": "hi"},
    {"role": "assistant", "content": "hello", "reasoning_content": "greet back"},
    {"role": "user", "content": "add"},
    {"role": "assistant", "content": "", "tool_calls": [CALL], "reasoning_content": "use add"},
    {"role": "tool", "tool_call_id": "c1", "content": "3"},
]


def _reasoning(body: dict[str, Any]) -> list[str | None]:
    return [m.get("reasoning_content") for m in body["messages"]]


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (None, [None, None, None, "use add", None]),
        ("tool_turns", [None, None, None, "use add", None]),
        ("all", [None, "greet back", None, "use add", None]),
        ("never", [None, None, None, None, None]),
    ],
)
def test_reasoning_history_policies(policy: str | None, expected: list[str | None]) -> None:
    params = {"reasoning_history": policy} if policy else {}
    body = build_chat_request(HISTORY, params=params)
    assert _reasoning(body) == expected
    assert "reasoning_history" not in body


def test_reasoning_history_is_checked_and_reasoning_must_be_text() -> None:
    with pytest.raises(InvalidParameterError) as caught:
        build_chat_request(HISTORY, params={"reasoning_history": "some"})
    assert caught.value.param == "reasoning_history"
    bad = [{"role": "assistant", "content": "", "tool_calls": [CALL], "reasoning_content": 3}]
    with pytest.raises(TypeError, match=r"messages\[0\]\.reasoning_content"):
        build_chat_request(bad)


def test_only_assistant_turns_carry_reasoning() -> None:
    body = build_chat_request(
        [{"role": "user", "content": "x", "reasoning_content": "not mine"}],
        params={"reasoning_history": "all"},
    )
    assert "reasoning_content" not in body["messages"][0]


@pytest.mark.parametrize("effort", REASONING_EFFORTS)
def test_every_reasoning_effort_is_sent_as_is(effort: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no notice any more: the level is Telnyx's own
        body = build_chat_request(HISTORY[:1], params={"reasoning_effort": effort})
    assert body["reasoning_effort"] == effort
    assert "enable_thinking" not in body


def test_seven_levels_named_once() -> None:
    assert REASONING_EFFORTS == ("none", "minimal", "low", "medium", "high", "xhigh", "max")


def test_reasoning_effort_and_enable_thinking_are_separate_switches() -> None:
    body = build_chat_request(
        HISTORY[:1], params={"reasoning_effort": "none", "enable_thinking": True}
    )
    assert (body["reasoning_effort"], body["enable_thinking"]) == ("none", True)
    with pytest.raises(InvalidParameterError) as caught:
        build_chat_request(HISTORY[:1], params={"reasoning_effort": "extreme"})
    assert caught.value.param == "reasoning_effort"
    assert "'xhigh'" in str(caught.value)
    assert "'max'" in str(caught.value)


def test_a_calls_effort_leaves_the_models_thinking_switch_alone() -> None:
    assert overlay_params({"enable_thinking": False}, {"reasoning_effort": "high"}) == {
        "enable_thinking": False,
        "reasoning_effort": "high",
    }


def test_text_parts_join_with_a_newline() -> None:
    assert join_text(["a", "b"]) == "a\nb"
    assert join_text([]) == ""
