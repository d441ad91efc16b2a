"""The core's grounding rules: what retrieval= accepts, and which tools go with structured output."""

from __future__ import annotations

from typing import Any

import pytest

from telnyx_inference.chat.grounding import retrieval_tools, structured_tools
from telnyx_inference.chat.tools import RetrievalTool
from telnyx_inference.errors import InvalidParameterError

WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {}}}


def _tool(*names: str, k: int | None = None) -> dict[str, Any]:
    inner: dict[str, Any] = {"bucket_ids": list(names)}
    if k is not None:
        inner["max_num_results"] = k
    return {"type": "retrieval", "retrieval": inner}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (None, []),
        ("kb", [_tool("kb")]),
        (["kb", "faq"], [_tool("kb", "faq")]),
        (RetrievalTool(bucket_ids=["kb"], max_num_results=2), [_tool("kb", k=2)]),
        (_tool("kb", k=1), [_tool("kb", k=1)]),
        (
            ["faq", RetrievalTool(bucket_ids=["kb"], max_num_results=2)],
            [_tool("faq"), _tool("kb", k=2)],
        ),
    ],
)
def test_retrieval_accepts_names_and_tools(given: Any, expected: list[dict[str, Any]]) -> None:
    assert retrieval_tools(given) == expected


class _Wrapper:  # like the LlamaIndex TelnyxRetrievalTool, which carries the core model
    spec = RetrievalTool(bucket_ids=["kb"])


def test_framework_wrappers_are_read_through_their_spec() -> None:
    assert retrieval_tools([_Wrapper()]) == [_tool("kb")]


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ([], "retrieval: must name at least one bucket"),
        ([""], r"retrieval: a bucket name must not be empty"),
        (["kb", 3], r"retrieval\[1\]: expected a bucket name or a retrieval tool"),
        ({"type": "retrieval", "retrieval": {"bucket_ids": []}}, "retrieval"),
    ],
)
def test_bad_retrieval_is_refused_naming_it(given: Any, match: str) -> None:
    with pytest.raises((InvalidParameterError, TypeError), match=match):
        retrieval_tools(given)


def test_structured_output_goes_with_retrieval_tools_only() -> None:
    assert structured_tools([_tool("kb")]) == [_tool("kb")]
    assert structured_tools(None) == []
    with pytest.raises(InvalidParameterError, match=r"tools: .*function tools \['get_weather'\]"):
        structured_tools([_tool("kb"), WEATHER])
