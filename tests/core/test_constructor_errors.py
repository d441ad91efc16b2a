"""Constructors refuse values in the same style as per-call arguments: an
InvalidParameterError (a ValueError) naming the parameter, the value and the allowed range,
never pydantic's raw ValidationError with a link to pydantic's docs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from telnyx_inference import InvalidParameterError, TelnyxClient
from telnyx_inference.emulator import Emulator


def _chat(**kw: Any) -> Any:
    from langchain_telnyx import ChatTelnyx

    return ChatTelnyx(**kw)


def _li(**kw: Any) -> Any:
    from llama_index_telnyx import Telnyx

    return Telnyx(**kw)


def _lc_embeddings(**kw: Any) -> Any:
    from langchain_telnyx import TelnyxEmbeddings

    return TelnyxEmbeddings(**kw)


def _li_embedding(**kw: Any) -> Any:
    from llama_index_telnyx import TelnyxEmbedding

    return TelnyxEmbedding(**kw)


def _lc_retriever(**kw: Any) -> Any:
    from langchain_telnyx import TelnyxBucketRetriever

    return TelnyxBucketRetriever(bucket_name="docs", **kw)


def _li_retriever(**kw: Any) -> Any:
    from llama_index_telnyx import TelnyxBucketRetriever

    return TelnyxBucketRetriever("docs", **kw)


CHAT_MODELS = {"ChatTelnyx": _chat, "Telnyx": _li}
EVERY_CLASS = {
    **CHAT_MODELS,
    "TelnyxEmbeddings": _lc_embeddings,
    "TelnyxEmbedding": _li_embedding,
    "langchain TelnyxBucketRetriever": _lc_retriever,
    "llama_index TelnyxBucketRetriever": _li_retriever,
}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"temperature": 3}, "temperature: must be between 0 and 2, got 3"),
        ({"max_tokens": 0}, "max_tokens: must be at least 1, got 0"),
        ({"top_p": 0}, "top_p: must be greater than 0 and at most 1, got 0"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort: must be one of 'none', "),
        ({"mode": "strict"}, "mode: mode='strict' needs a region"),
        ({"temperature": "hot"}, "temperature: "),
    ],
)
@pytest.mark.parametrize("make", CHAT_MODELS)
def test_chat_model_values(make: str, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        CHAT_MODELS[make](**kwargs)
    assert not isinstance(info.value, ValidationError)
    assert str(info.value).startswith(message)
    assert "pydantic.dev" not in str(info.value)


@pytest.mark.parametrize("make", EVERY_CLASS)
def test_connection_values_of_every_class(make: str) -> None:
    build: Callable[..., Any] = EVERY_CLASS[make]
    with pytest.raises(InvalidParameterError, match=r"^base_url: 'http://example\.com/v2'"):
        build(api_key="k", base_url="http://example.com/v2")
    with pytest.raises(InvalidParameterError, match=r"^max_retries: must be at least 0, got -1"):
        build(max_retries=-1)
    with pytest.raises(InvalidParameterError, match=r"^timeout: must be positive seconds"):
        build(timeout=-5)


def test_unknown_constructor_argument_is_named_with_a_suggestion() -> None:
    with pytest.raises(InvalidParameterError, match="did you mean 'temperature'"):
        _chat(temprature=0.2)
    with pytest.raises(InvalidParameterError, match="did you mean 'dimensions'"):
        _lc_embeddings(dimension=3)
    with pytest.raises(InvalidParameterError, match="did you mean 'dimensions'"):
        _li_embedding(dimension=3)
    with pytest.raises(InvalidParameterError, match="did you mean 'k'"):
        _lc_retriever(kk=3)


def test_the_key_never_shows_in_the_message() -> None:
    with pytest.raises(InvalidParameterError) as info:
        _chat(api_key=["sk-secret-value"])
    assert "sk-secret-value" not in str(info.value)


def test_core_client_too() -> None:
    with pytest.raises(InvalidParameterError, match=r"^max_retries: must be at least 0, got -2"):
        TelnyxClient(api_key="k", max_retries=-2)


def test_constructor_and_per_call_say_the_same(telnyx_emulator: Emulator) -> None:
    with pytest.raises(InvalidParameterError) as built:
        _chat(temperature=3)
    llm = _chat(api_key="k", base_url=telnyx_emulator.base_url)
    with pytest.raises(InvalidParameterError) as called:
        llm.invoke("hi", temperature=3)
    assert str(built.value) == str(called.value)


def test_retrieval_tool_too() -> None:
    from langchain_telnyx import TelnyxRetrievalTool

    with pytest.raises(InvalidParameterError, match=r"^max_num_results: must be at least 1, got 0"):
        TelnyxRetrievalTool(bucket_ids=["docs"], max_num_results=0)
    with pytest.raises(InvalidParameterError, match="did you mean 'bucket_ids'"):
        TelnyxRetrievalTool(bucket_idz=["docs"])
