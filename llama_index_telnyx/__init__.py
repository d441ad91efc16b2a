"""LlamaIndex integration for Telnyx Inference: ``Telnyx`` (a FunctionCallingLLM) and tools."""

from llama_index_telnyx._tools import TelnyxRetrievalTool
from llama_index_telnyx.embeddings import TelnyxEmbedding
from llama_index_telnyx.llm import Telnyx
from llama_index_telnyx.retrievers import TelnyxBucketRetriever, bucket_retrieval_tool

__all__ = [
    "Telnyx",
    "TelnyxBucketRetriever",
    "TelnyxEmbedding",
    "TelnyxRetrievalTool",
    "bucket_retrieval_tool",
]
