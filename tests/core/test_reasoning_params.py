"""reasoning_history (which turns send their reasoning back) and reasoning_effort (OpenAI's
spelling of Telnyx's enable_thinking), both decided once in the core."""

from __future__ import annotations

import warnings
from typing import Any

import pytest

from telnyx_inference import InvalidParameterError, TelnyxWarning, _hints, build_chat_request
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


@pytest.mark.parametrize(
    ("effort", "thinking"),
    [("none", False), ("minimal", False), ("low", True), ("medium", True), ("high", True)],
)
def test_reasoning_effort_maps_onto_enable_thinking(effort: str, thinking: bool) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        body = build_chat_request(HISTORY[:1], params={"reasoning_effort": effort})
    assert body["enable_thinking"] is thinking
    assert "reasoning_effort" not in body


def test_reasoning_effort_notes_once_that_telnyx_has_no_levels(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_hints, "_effort_noted", False)
    with pytest.warns(TelnyxWarning, match="no reasoning effort levels"):
        build_chat_request(HISTORY[:1], params={"reasoning_effort": "high"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        build_chat_request(HISTORY[:1], params={"reasoning_effort": "low"})


def test_reasoning_effort_and_enable_thinking_must_agree() -> None:
    with pytest.raises(InvalidParameterError) as caught:
        build_chat_request(
            HISTORY[:1], params={"reasoning_effort": "none", "enable_thinking": True}
        )
    assert caught.value.param == "reasoning_effort"
    with pytest.raises(InvalidParameterError, match="reasoning_effort"):
        build_chat_request(HISTORY[:1], params={"reasoning_effort": "extreme"})


def test_a_calls_spelling_replaces_the_models() -> None:
    assert overlay_params({"enable_thinking": False}, {"reasoning_effort": "high"}) == {
        "reasoning_effort": "high"
    }
    assert overlay_params({"reasoning_effort": "none"}, {"enable_thinking": True}) == {
        "enable_thinking": True
    }


def test_text_parts_join_with_a_newline() -> None:
    assert join_text(["a", "b"]) == "a\nb"
    assert join_text([]) == ""
