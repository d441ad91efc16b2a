"""What ``ChatTelnyx.bind_tools`` returns: a ``RunnableBinding`` that keeps its tools for
``with_structured_output``.

langchain-core's binding forwards ``with_structured_output`` to the bare model, so the tools
bound before vanish without a word: ``llm.bind_tools([retrieval]).with_structured_output(S)``
would search nothing. Here the bound retrieval tools travel with the structured output (a grounded
answer in one request) and bound function tools are refused naming ``tools``.
"""

from __future__ import annotations

from typing import Any

from langchain_core.language_models import LanguageModelInput
from langchain_core.runnables import Runnable, RunnableBinding

from telnyx_inference.errors import InvalidParameterError

__all__ = ["ToolBinding"]

# Bound keys that only make sense for a tool call; structured output replaces them.
_TOOL_KEYS = frozenset({"tools", "tool_choice"})


class ToolBinding(RunnableBinding[LanguageModelInput, Any]):
    """A tool binding of :class:`~langchain_telnyx.ChatTelnyx` (serialises as a plain one)."""

    @classmethod
    def lc_id(cls) -> list[str]:
        return RunnableBinding.lc_id()

    def with_structured_output(
        self, schema: Any = None, **kwargs: Any
    ) -> Runnable[LanguageModelInput, Any]:
        from langchain_telnyx.chat_models import ChatTelnyx

        model = self.bound
        if not isinstance(model, ChatTelnyx):  # pragma: no cover - bind_tools builds these
            raise InvalidParameterError("bound", "is not a ChatTelnyx")
        others = {k: v for k, v in self.kwargs.items() if k not in _TOOL_KEYS}
        structured = model.with_structured_output(
            schema, _bound_tools=list(self.kwargs.get("tools") or ()), _bound=others, **kwargs
        )
        return structured.with_config(self.config) if self.config else structured
