"""A successful answer with no choices is one typed "unexpected response" error everywhere
(LangChain's the LangChain-typed twin); a stream keeps StreamError."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from canned_server import canned_server

from telnyx_inference import TelnyxClient, build_chat_request
from telnyx_inference.chat.response import parse_completion
from telnyx_inference.errors import UnexpectedResponseError

EMPTY = {"id": "c-empty", "model": "m", "choices": [], "usage": {"prompt_tokens": 3}}


@pytest.fixture
def url() -> Iterator[str]:
    with canned_server(EMPTY) as (root, _):
        yield root


@pytest.mark.parametrize(
    "body",
    [EMPTY, {"id": "x"}, [1, 2], {"choices": [None]}, {"choices": "none"}],
)
def test_core_reader(body: Any) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        parse_completion(body)
    assert info.value.body == body


def test_core_client(url: str) -> None:
    with pytest.raises(UnexpectedResponseError, match="c-empty"):
        TelnyxClient(api_key="k", base_url=url).chat(
            build_chat_request([{"role": "user", "content": "hi"}])
        )


def test_langchain_gets_its_own_typed_error(url: str) -> None:
    from langchain_core.exceptions import ModelAPIError

    from langchain_telnyx import ChatTelnyx

    llm = ChatTelnyx(api_key="k", base_url=url)
    with pytest.raises(UnexpectedResponseError) as info:
        llm.invoke("hi")
    assert isinstance(info.value, ModelAPIError)


async def test_langchain_async(url: str) -> None:
    from langchain_core.exceptions import ModelAPIError

    from langchain_telnyx import ChatTelnyx

    with pytest.raises(ModelAPIError):
        await ChatTelnyx(api_key="k", base_url=url).ainvoke("hi")


def test_llama_index_does_not_return_an_empty_answer(url: str) -> None:
    from llama_index.core.llms import ChatMessage

    from llama_index_telnyx import Telnyx

    llm = Telnyx(api_key="k", base_url=url, context_window=1000, max_tokens=10)
    with pytest.raises(UnexpectedResponseError):
        llm.chat([ChatMessage(role="user", content="hi")])
    with pytest.raises(UnexpectedResponseError):
        llm.complete("hi")
