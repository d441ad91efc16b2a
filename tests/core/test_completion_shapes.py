"""A completion body whose choices have an unexpected shape is an ``UnexpectedResponseError``,
not a crash."""

from __future__ import annotations

from typing import Any

import pytest

from telnyx_inference.chat.response import parse_completion
from telnyx_inference.errors import UnexpectedResponseError


@pytest.mark.parametrize(
    "choices",
    [[None], [1], ["text"], [{"message": "text"}], [{"message": {"tool_calls": [None]}}]],
)
def test_odd_choices_are_an_unexpected_response(choices: list[Any]) -> None:
    with pytest.raises(UnexpectedResponseError, match="unexpected shape"):
        parse_completion({"choices": choices})
