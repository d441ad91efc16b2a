"""A JSON Schema nested too deeply to check is refused, naming the parameter, not a crash."""

from __future__ import annotations

from typing import Any

import pytest

from telnyx_inference.chat.request import build_chat_request
from telnyx_inference.errors import InvalidParameterError

HI = [{"role": "user", "content": "hi"}]


def _nested(depth: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(depth):
        schema = {"type": "object", "properties": {"inner": schema}}
    return schema


def _tool(schema: dict[str, Any]) -> dict[str, Any]:
    return {"type": "function", "function": {"name": "deep", "parameters": schema}}


def test_ordinary_depth_is_fine() -> None:
    build_chat_request(HI, tools=[_tool(_nested(20))], params={"guided_json": _nested(20)})


def test_too_deep_tool_schema_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="nested too deeply") as info:
        build_chat_request(HI, tools=[_tool(_nested(1000))])
    assert info.value.param.startswith("tools")


def test_too_deep_guided_json_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="nested too deeply") as info:
        build_chat_request(HI, params={"guided_json": _nested(1000)})
    assert info.value.param == "guided_json"
