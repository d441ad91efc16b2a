"""The framework floors: chat models that do no I/O at all.

Each answers with the same text the server sends (``" emulated"`` per chunk), through the
framework's own machinery only — callbacks, message objects, the stream contract — so the
distance between a real model and its floor is what that model adds on top of the framework.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

from benchmarks.subjects import PROMPT, Subject, chunks_in

__all__ = ["LangChainFloor", "LlamaIndexFloor"]

WORD = " emulated"


@cache
def _langchain_floor_class() -> type[Any]:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    class FloorChatModel(BaseChatModel):
        """Answers ``chunks`` words from memory."""

        chunks: int = 16

        @property
        def _llm_type(self) -> str:
            return "benchmark-floor"

        def _generate(
            self,
            messages: list[BaseMessage],
            stop: Any = None,
            run_manager: Any = None,
            **kwargs: Any,
        ) -> ChatResult:
            text = (WORD * self.chunks).strip()
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

        def _stream(
            self,
            messages: list[BaseMessage],
            stop: Any = None,
            run_manager: Any = None,
            **kwargs: Any,
        ) -> Iterator[ChatGenerationChunk]:
            for _ in range(self.chunks):
                # BaseChatModel.stream reports each token to the callbacks itself.
                yield ChatGenerationChunk(message=AIMessageChunk(content=WORD))

    return FloorChatModel


@cache
def _llama_index_floor_class() -> type[Any]:
    from llama_index.core.base.llms.types import (
        ChatMessage,
        ChatResponse,
        CompletionResponse,
        LLMMetadata,
        MessageRole,
    )
    from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
    from llama_index.core.llms.custom import CustomLLM

    class FloorLLM(CustomLLM):
        """Answers ``chunks`` words from memory, honouring LlamaIndex's stream contract
        (every response carries the message so far and the new ``delta``)."""

        chunks: int = 16

        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(is_chat_model=True, model_name="benchmark-floor")

        @llm_chat_callback()
        def chat(self, messages: Any, **kwargs: Any) -> ChatResponse:
            text = (WORD * self.chunks).strip()
            return ChatResponse(message=ChatMessage(role=MessageRole.ASSISTANT, content=text))

        @llm_chat_callback()
        def stream_chat(self, messages: Any, **kwargs: Any) -> Any:
            def gen() -> Iterator[ChatResponse]:
                content = ""
                for _ in range(self.chunks):
                    content += WORD
                    message = ChatMessage(role=MessageRole.ASSISTANT, content=content)
                    yield ChatResponse(message=message, delta=WORD)

            return gen()

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
            return CompletionResponse(text=(WORD * self.chunks).strip())

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
            raise NotImplementedError

    return FloorLLM


class LangChainFloor(Subject):
    key = "floor-lc"
    label = "LangChain floor (no I/O)"
    group = "langchain"
    requires = (("langchain_core.language_models", "BaseChatModel"),)
    dists = ("langchain-core",)
    concurrent = False

    def make(self, url: str) -> Any:
        return _langchain_floor_class()(chunks=chunks_in(url))

    def invoke(self, handle: Any) -> str:
        return str(handle.invoke(PROMPT).content)

    def stream(self, handle: Any) -> Iterator[str]:
        for chunk in handle.stream(PROMPT):
            yield chunk.content


class LlamaIndexFloor(Subject):
    key = "floor-li"
    label = "LlamaIndex floor (no I/O)"
    group = "llama-index"
    requires = (("llama_index.core.llms.custom", "CustomLLM"),)
    dists = ("llama-index-core",)
    concurrent = False

    def make(self, url: str) -> Any:
        return _llama_index_floor_class()(chunks=chunks_in(url))

    def _messages(self) -> list[Any]:
        from llama_index.core.llms import ChatMessage

        return [ChatMessage(role="user", content=PROMPT)]

    def invoke(self, handle: Any) -> str:
        return str(handle.chat(self._messages()).message.content)

    def stream(self, handle: Any) -> Iterator[str]:
        for response in handle.stream_chat(self._messages()):
            yield response.delta or ""
