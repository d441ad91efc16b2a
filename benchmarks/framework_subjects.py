"""The framework chat models under test: LangChain's and LlamaIndex's, ours and the peers'.

Imports happen inside the methods, so this module loads anywhere (see :mod:`.subjects`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from benchmarks.subjects import API_KEY, MODEL, PROMPT, Subject

__all__ = ["LangChainModel", "LlamaIndexModel", "langchain_subjects", "llama_index_subjects"]


class LangChainModel(Subject):
    """A LangChain chat model built as ``cls(model=..., api_key=..., base_url=...)``."""

    group = "langchain"

    def __init__(
        self, key: str, label: str, module: str, cls: str, dists: tuple[str, ...], env: str = "main"
    ) -> None:
        self.key, self.label, self.env = key, label, env
        self.module, self.cls = module, cls
        self.requires = ((module, cls),)
        self.dists = dists

    def make(self, url: str) -> Any:
        import importlib

        cls = getattr(importlib.import_module(self.module), self.cls)
        return cls(model=MODEL, api_key=API_KEY, base_url=url)

    def invoke(self, handle: Any) -> str:
        return str(handle.invoke(PROMPT).content)

    def stream(self, handle: Any) -> Iterator[str]:
        for chunk in handle.stream(PROMPT):
            yield chunk.content

    async def ainvoke(self, handle: Any) -> str:
        return str((await handle.ainvoke(PROMPT)).content)


class LlamaIndexModel(Subject):
    """A LlamaIndex LLM driven through ``chat`` / ``stream_chat`` / ``achat``."""

    group = "llama-index"

    def __init__(
        self,
        key: str,
        label: str,
        module: str,
        cls: str,
        dists: tuple[str, ...],
        url_field: str,
        **extra: Any,
    ) -> None:
        self.key, self.label = key, label
        self.module, self.cls, self.url_field, self.extra = module, cls, url_field, extra
        self.requires = ((module, cls),)
        self.dists = dists

    def make(self, url: str) -> Any:
        import importlib

        cls = getattr(importlib.import_module(self.module), self.cls)
        return cls(model=MODEL, api_key=API_KEY, **{self.url_field: url}, **self.extra)

    def _messages(self) -> list[Any]:
        from llama_index.core.llms import ChatMessage

        return [ChatMessage(role="user", content=PROMPT)]

    def invoke(self, handle: Any) -> str:
        return str(handle.chat(self._messages()).message.content)

    def stream(self, handle: Any) -> Iterator[str]:
        for response in handle.stream_chat(self._messages()):
            yield response.delta or ""

    async def ainvoke(self, handle: Any) -> str:
        return str((await handle.achat(self._messages())).message.content)


_LC = ("langchain-core", "openai", "httpx", "httpx2", "pydantic")
_LI = ("llama-index-core", "openai", "httpx", "httpx2", "pydantic")


def langchain_subjects() -> list[Subject]:
    return [
        LangChainModel(
            "chatopenai",
            "ChatOpenAI (langchain-openai)",
            "langchain_openai",
            "ChatOpenAI",
            ("langchain-openai", *_LC),
        ),
        LangChainModel(
            "official",
            "official ChatTelnyx (langchain-telnyx 1.0)",
            "langchain_telnyx",
            "ChatTelnyx",
            ("langchain-telnyx", "langchain-openai", *_LC),
            env="official",
        ),
        LangChainModel(
            "ours-lc",
            "ChatTelnyx (ours)",
            "langchain_telnyx",
            "ChatTelnyx",
            ("telnyx-inference", *_LC),
        ),
    ]


def llama_index_subjects() -> list[Subject]:
    return [
        LlamaIndexModel(
            "openailike",
            "OpenAILike (llama-index-llms-openai-like)",
            "llama_index.llms.openai_like",
            "OpenAILike",
            ("llama-index-llms-openai-like", "llama-index-llms-openai", *_LI),
            url_field="api_base",
            is_chat_model=True,
            context_window=131072,
        ),
        LlamaIndexModel(
            "ours-li",
            "Telnyx (ours, LlamaIndex)",
            "llama_index_telnyx",
            "Telnyx",
            ("telnyx-inference", *_LI),
            url_field="base_url",
        ),
    ]
