"""Every error body shape becomes one readable exception type per meaning."""

from __future__ import annotations

from typing import Any

import pytest

from telnyx_inference import errors as e
from telnyx_inference.error_bodies import (
    error_from_body,
    error_from_stream_event,
)


@pytest.mark.parametrize(
    ("status", "body", "cls", "needle"),
    [
        (
            422,
            {
                "detail": [
                    {
                        "type": "missing",
                        "loc": ["body", "messages", 2, "content"],
                        "msg": "Field required",
                        "input": {},
                    }
                ]
            },
            e.RequestValidationError,
            "messages[2].content: Field required",
        ),
        (
            401,
            {
                "errors": [
                    {
                        "code": "10009",
                        "title": "Authentication failed",
                        "detail": "The API key is invalid.",
                    }
                ]
            },
            e.AuthenticationError,
            "Authentication failed: The API key is invalid.",
        ),
        (
            403,
            {"errors": [{"code": "10010", "title": "Forbidden"}]},
            e.PermissionDeniedError,
            "Forbidden",
        ),
        (
            404,
            {
                "detail": [
                    {
                        "code": "10005",
                        "title": "Resource not found",
                        "detail": "Bucket 'docs' not found",
                    }
                ]
            },
            e.NotFoundError,
            "Bucket 'docs' not found",
        ),
        (
            400,
            {
                "errors": [
                    {
                        "code": "10015",
                        "title": "Bad Request",
                        "detail": "max_tokens is not supported with tools",
                    }
                ]
            },
            e.BadRequestError,
            "drop max_tokens",
        ),
        (
            400,
            {
                "error": {
                    "message": "This model's maximum context length is 8192 tokens",
                    "type": "invalid_request_error",
                    "param": "messages",
                }
            },
            e.ContextWindowExceededError,
            "messages: This model's maximum context length",
        ),
        (503, "upstream connect error", e.ServerError, "upstream connect error"),
        (500, b"", e.ServerError, "no details given"),
        (418, {"message": "teapot"}, e.APIStatusError, "teapot"),
    ],
)
def test_shapes(status: int, body: Any, cls: type[e.APIStatusError], needle: str) -> None:
    err = error_from_body(status, body)
    assert type(err) is cls
    assert err.status == status
    assert needle in str(err)
    assert str(err).startswith(f"Telnyx API error {status}")


def test_validation_error_lists_every_field() -> None:
    body = {
        "detail": [
            {
                "type": "less_than_equal",
                "loc": ["body", "min_p"],
                "msg": "Input should be less than or equal to 1",
                "input": 1.5,
            },
            {
                "type": "literal_error",
                "loc": ["body", "tool_choice"],
                "msg": "Input should be 'none', 'auto' or 'required'",
                "input": {},
            },
        ]
    }
    err = error_from_body(422, body)
    assert isinstance(err, e.RequestValidationError)
    assert err.fields == {
        "min_p": "Input should be less than or equal to 1",
        "tool_choice": "Input should be 'none', 'auto' or 'required'",
    }


def test_rate_limit_reads_reset_header() -> None:
    err = error_from_body(
        429,
        {"errors": [{"code": "10011", "title": "Too many requests"}]},
        {"x-ratelimit-limit": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": "7"},
    )
    assert isinstance(err, e.RateLimitError)
    assert err.retry_after == 7.0
    assert err.code == "10011"
    assert err.is_retryable


def test_json_text_body_is_parsed() -> None:
    err = error_from_body(401, '{"errors": [{"title": "Unauthorized"}]}')
    assert isinstance(err, e.AuthenticationError)
    assert "Unauthorized" in str(err)


def test_ordinary_chunk_is_not_an_error() -> None:
    assert error_from_stream_event({"choices": []}) is None


def test_type_hierarchy_fits_builtin_handlers() -> None:
    assert issubclass(e.InvalidParameterError, ValueError)
    assert issubclass(e.InvalidParameterTypeError, TypeError)
    assert issubclass(e.TelnyxTimeoutError, TimeoutError)
    assert issubclass(e.StreamInterruptedError, ConnectionError)
    assert issubclass(e.MissingAPIKeyError, ValueError)
