"""LlamaIndex integration for Telnyx Inference: ``Telnyx`` (a FunctionCallingLLM) and tools."""

from llama_index_telnyx._tools import TelnyxRetrievalTool
from llama_index_telnyx.llm import Telnyx

__all__ = ["Telnyx", "TelnyxRetrievalTool"]
