"""A completion body whose choices have an unexpected shape is a ``StreamError``, not a crash."""

from __future__ import annotations

from typing import Any

import pytest

from telnyx_inference.errors import StreamError
from telnyx_inference.response import parse_completion


@pytest.mark.parametrize(
    "choices",
    [[None], [1], ["text"], [{"message": "text"}], [{"message": {"tool_calls": [None]}}]],
)
def test_odd_choices_are_a_stream_error(choices: list[Any]) -> None:
    with pytest.raises(StreamError, match="unexpected shape"):
        parse_completion({"choices": choices})
