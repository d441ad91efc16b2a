"""Errors surface as langchain-core's Model*Error types that are also the core's types."""

from __future__ import annotations

import pytest
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

import telnyx_inference as core
from langchain_telnyx import ChatTelnyx
from langchain_telnyx._errors import translate
from telnyx_inference.emulator import Emulator, Fault


@pytest.fixture
def llm(telnyx_emulator: Emulator) -> ChatTelnyx:
    return ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, max_retries=0, timeout=30)


@pytest.mark.parametrize(
    ("status", "lc_type", "core_type"),
    [
        (401, ModelAuthenticationError, core.AuthenticationError),
        (403, ModelPermissionDeniedError, core.PermissionDeniedError),
        (404, ModelNotFoundError, core.NotFoundError),
        (429, ModelRateLimitError, core.RateLimitError),
        (400, ModelInvalidRequestError, core.BadRequestError),
        (500, ModelAPIError, core.ServerError),
    ],
)
def test_status_errors(
    llm: ChatTelnyx, telnyx_emulator: Emulator, status: int, lc_type: type, core_type: type
) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=status))
    with pytest.raises(core_type) as info:
        llm.invoke("hi")
    assert isinstance(info.value, lc_type)
    assert f"Telnyx API error {status}" in str(info.value)


def test_rate_limit_keeps_retry_after_and_is_retryable(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=429))
    with pytest.raises(ModelRateLimitError) as info:
        llm.invoke("hi")
    assert info.value.is_retryable
    assert isinstance(info.value, core.RateLimitError)
    assert info.value.status == 429


def test_unknown_model_names_it(llm: ChatTelnyx) -> None:
    with pytest.raises(ModelNotFoundError, match="no/such-model"):
        llm.invoke("hi", model="no/such-model")


def test_validation_errors_name_the_field(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=422, body="fastapi"))
    with pytest.raises(ModelInvalidRequestError) as info:
        llm.invoke("hi")
    assert isinstance(info.value, core.RequestValidationError)


def test_context_overflow() -> None:
    err = core.ContextWindowExceededError(
        "Telnyx API error 400: maximum context length", status=400
    )
    twin = translate(err)
    assert isinstance(twin, ContextOverflowError)
    assert isinstance(twin, core.ContextWindowExceededError)
    assert str(twin) == str(err)
    assert twin.status == 400  # type: ignore[attr-defined]


def test_server_errors_are_retried_by_the_sdk(telnyx_emulator: Emulator) -> None:
    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, max_retries=2)
    telnyx_emulator.fault(Fault(kind="status", status=503, times=2))
    assert llm.invoke("hi").content
    assert [e.status for e in telnyx_emulator.journal] == [503, 503, 200]


def test_stream_errors(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="drop_after", after=2))
    with pytest.raises(ModelConnectionError) as dropped:
        list(llm.stream("Tell me a long story"))
    assert isinstance(dropped.value, core.TelnyxConnectionError)
    telnyx_emulator.fault(Fault(kind="error_event", after=2, shape="flat"))
    with pytest.raises(ModelAPIError) as event:
        list(llm.stream("Tell me a long story"))
    assert isinstance(event.value, core.StreamError)


def test_stalled_stream_times_out(telnyx_emulator: Emulator) -> None:
    # The stall lasts an hour (until the client hangs up): only the timeout can end the call.
    telnyx_emulator.fault(Fault(kind="stall_after", after=2, seconds=3600))
    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, max_retries=0, timeout=0.5)
    with pytest.raises(ModelTimeoutError) as info:
        list(llm.stream("Tell me a long story"))
    assert isinstance(info.value, TimeoutError)


async def test_async_errors(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=401))
    with pytest.raises(ModelAuthenticationError):
        await llm.ainvoke("hi")
    telnyx_emulator.fault(Fault(kind="drop_after", after=2))
    with pytest.raises(ModelConnectionError):
        [c async for c in llm.astream("Tell me a long story")]


def test_unreachable_server() -> None:
    llm = ChatTelnyx(api_key="k", base_url="http://127.0.0.1:9/v2/ai/openai", max_retries=0)
    with pytest.raises(ModelConnectionError):
        llm.invoke("hi")
