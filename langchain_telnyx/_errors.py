"""Core errors re-raised as langchain-core's ``Model*Error`` types.

Each class below subclasses both the langchain-core type and the ``telnyx_inference`` type
it stands for, so either ``except`` clause catches it::

    try:
        llm.invoke("hi")
    except ModelRateLimitError as err:          # langchain_core.exceptions
        ...
    except telnyx_inference.RateLimitError:     # the same error, caught by the core's type
        ...

:func:`translated_errors` wraps the send and the chunk loop of every call.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAPIError,
    ModelAuthenticationError,
    ModelConnectionError,
    ModelInvalidRequestError,
    ModelNotFoundError,
    ModelPermissionDeniedError,
    ModelRateLimitError,
    ModelTimeoutError,
)

from telnyx_inference import errors as core
from telnyx_inference.chat.guards import RegionUnavailableError

__all__ = [
    "TelnyxAPIError",
    "TelnyxAuthenticationError",
    "TelnyxBadRequestError",
    "TelnyxConnectionError",
    "TelnyxContextOverflowError",
    "TelnyxMissingAPIKeyError",
    "TelnyxNotFoundError",
    "TelnyxPermissionDeniedError",
    "TelnyxRateLimitError",
    "TelnyxRegionUnavailableError",
    "TelnyxServerError",
    "TelnyxStreamError",
    "TelnyxStreamInterruptedError",
    "TelnyxTimeoutError",
    "TelnyxUnexpectedResponseError",
    "TelnyxValidationError",
    "translate",
    "translated_errors",
]


class TelnyxAuthenticationError(ModelAuthenticationError, core.AuthenticationError):
    """401 from Telnyx."""


class TelnyxMissingAPIKeyError(ModelAuthenticationError, core.MissingAPIKeyError):
    """No key was configured; raised before anything is sent."""


class TelnyxPermissionDeniedError(ModelPermissionDeniedError, core.PermissionDeniedError):
    """403 from Telnyx."""


class TelnyxNotFoundError(ModelNotFoundError, core.NotFoundError):
    """404 from Telnyx (unknown model)."""


class TelnyxRateLimitError(ModelRateLimitError, core.RateLimitError):
    """429 from Telnyx; ``retry_after`` holds the seconds until the window resets."""


class TelnyxContextOverflowError(ContextOverflowError, core.ContextWindowExceededError):
    """The prompt does not fit the model's context window."""


class TelnyxBadRequestError(ModelInvalidRequestError, core.BadRequestError):
    """400 from Telnyx."""


class TelnyxValidationError(ModelInvalidRequestError, core.RequestValidationError):
    """422 from Telnyx; ``fields`` maps each offending field to its problem."""


class TelnyxRegionUnavailableError(TelnyxValidationError, RegionUnavailableError):
    """422 to ``mode="strict"``: the model cannot be served from that region."""


class TelnyxServerError(ModelAPIError, core.ServerError):
    """5xx from Telnyx."""


class TelnyxStreamError(ModelAPIError, core.StreamError):
    """An error event in the middle of a stream."""


class TelnyxAPIError(ModelAPIError, core.APIStatusError):
    """Any other error status."""


class TelnyxUnexpectedResponseError(ModelAPIError, core.UnexpectedResponseError):
    """A successful answer this client cannot read (no choices, not JSON, …)."""


class TelnyxTimeoutError(ModelTimeoutError, core.TelnyxTimeoutError):
    """No answer, or no next chunk, within the timeout."""


class TelnyxStreamInterruptedError(ModelConnectionError, core.StreamInterruptedError):
    """The stream broke off; ``partial`` holds what had arrived."""


class TelnyxConnectionError(ModelConnectionError, core.TelnyxConnectionError):
    """Telnyx could not be reached."""


# Most specific first: the first core type an error is an instance of decides.
_MAPPING: tuple[tuple[type[core.TelnyxError], type[Exception]], ...] = (
    (core.ContextWindowExceededError, TelnyxContextOverflowError),
    (core.BadRequestError, TelnyxBadRequestError),
    (core.AuthenticationError, TelnyxAuthenticationError),
    (core.PermissionDeniedError, TelnyxPermissionDeniedError),
    (core.NotFoundError, TelnyxNotFoundError),
    (RegionUnavailableError, TelnyxRegionUnavailableError),
    (core.RequestValidationError, TelnyxValidationError),
    (core.RateLimitError, TelnyxRateLimitError),
    (core.ServerError, TelnyxServerError),
    (core.StreamError, TelnyxStreamError),
    (core.APIStatusError, TelnyxAPIError),
    (core.UnexpectedResponseError, TelnyxUnexpectedResponseError),
    (core.TelnyxTimeoutError, TelnyxTimeoutError),
    (core.StreamInterruptedError, TelnyxStreamInterruptedError),
    (core.TelnyxConnectionError, TelnyxConnectionError),
    (core.MissingAPIKeyError, TelnyxMissingAPIKeyError),
)

_TRANSLATED = tuple(cls for _, cls in _MAPPING)


def translate(err: core.TelnyxError) -> Exception | None:
    """The LangChain-typed twin of ``err`` (same message and attributes), or ``None``."""
    if isinstance(err, _TRANSLATED):
        return None
    for core_type, lc_type in _MAPPING:
        if isinstance(err, core_type):
            twin = lc_type.__new__(lc_type)
            twin.args = err.args
            twin.__dict__.update(err.__dict__)
            return twin
    return None


@contextlib.contextmanager
def translated_errors() -> Iterator[None]:
    """Re-raise the core's errors as their LangChain-typed twins.

    Parameter errors (``InvalidParameterError`` …) stay as they are: they are the caller's
    ``ValueError`` / ``TypeError`` and are raised before anything is sent.
    """
    try:
        yield
    except core.TelnyxError as err:
        twin = translate(err)
        if twin is None:
            raise
        raise twin.with_traceback(err.__traceback__) from err.__cause__
