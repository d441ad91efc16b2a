"""What differs between openai 2.x (httpx) and 3.x (httpx2), and the one error-mapping seam."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

import openai

from telnyx_inference.errors import (
    StreamInterruptedError,
    TelnyxConnectionError,
    TelnyxError,
    TelnyxTimeoutError,
    error_from_body,
)

__all__ = ["OPENAI_MAJOR", "RawResponse", "http_module", "translate_errors"]

OPENAI_MAJOR = int(openai.__version__.split(".", 1)[0])
http_module: Any = importlib.import_module("httpx2" if OPENAI_MAJOR >= 3 else "httpx")
RawResponse: Any = http_module.Response
"""The response class the SDK returns untouched when asked for it as ``cast_to``."""


def _exception_types(name: str) -> tuple[type[BaseException], ...]:
    found: list[type[BaseException]] = []
    for module_name in ("httpx2", "httpx"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        found.append(getattr(module, name))
    return tuple(found)


_TIMEOUTS = _exception_types("TimeoutException")
_TRANSPORT = _exception_types("TransportError") + _exception_types("StreamError")


def _status_error(err: openai.APIStatusError) -> TelnyxError:
    response = err.response
    try:
        body: Any = response.content
    except Exception:  # the body could not be read; fall back to what the SDK parsed
        body = err.body
    return error_from_body(
        response.status_code,
        body,
        response.headers,
        request_id=response.headers.get("x-request-id"),
    )


@contextlib.contextmanager
def translate_errors() -> Iterator[None]:
    """Turn the SDK's and the HTTP library's exceptions into this package's types.

    Wraps both the request and the chunk loop, so a failure mid-stream reads the same as one
    before the answer. The original exception stays reachable as ``__cause__``.
    """
    try:
        yield
    except TelnyxError:
        raise
    except openai.APIStatusError as err:
        raise _status_error(err) from err
    except openai.APITimeoutError as err:
        raise TelnyxTimeoutError("Telnyx did not answer within the timeout") from err
    except openai.APIConnectionError as err:
        cause = err.__cause__
        detail = f": {type(cause).__name__}" if cause is not None else ""
        raise TelnyxConnectionError(f"could not reach Telnyx{detail}") from err
    except _TIMEOUTS as err:
        raise TelnyxTimeoutError(
            "the stream stalled: no data from Telnyx within the timeout"
        ) from err
    except _TRANSPORT as err:
        raise StreamInterruptedError(
            f"the connection broke mid-stream ({type(err).__name__}); the answer is incomplete"
        ) from err
