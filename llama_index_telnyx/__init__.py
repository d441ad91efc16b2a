"""LlamaIndex integration for Telnyx Inference: LLM, embeddings, retrievers, managed index.
Imports llama-index-core and the core (``telnyx_inference``), never the emulator or LangChain.

```python
from llama_index_telnyx import Telnyx

llm = Telnyx()              # key from TELNYX_API_KEY, model moonshotai/Kimi-K2.6
llm.complete("Hello")
```

Names are loaded on first use (PEP 562), so importing the LLM does not load the retriever,
the embedding model or the openai SDK. One line per name below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telnyx_inference._coexist import check_package_owner
from telnyx_inference._lazy import lazy_exports

check_package_owner(__name__, __file__)  # another distribution's files mixed into ours?

if TYPE_CHECKING:
    from llama_index_telnyx._tools import TelnyxRetrievalTool
    from llama_index_telnyx.embeddings import TelnyxEmbedding
    from llama_index_telnyx.indices import TelnyxIndex
    from llama_index_telnyx.llm import Telnyx
    from llama_index_telnyx.retrievers import TelnyxBucketRetriever, bucket_retrieval_tool
    from telnyx_inference.chat.tracking import telnyx_usage

_EXPORTS: dict[str, tuple[str, str]] = {
    "Telnyx": ("llama_index_telnyx.llm", "Telnyx"),
    "TelnyxEmbedding": ("llama_index_telnyx.embeddings", "TelnyxEmbedding"),
    "TelnyxBucketRetriever": ("llama_index_telnyx.retrievers", "TelnyxBucketRetriever"),
    "bucket_retrieval_tool": ("llama_index_telnyx.retrievers", "bucket_retrieval_tool"),
    "TelnyxRetrievalTool": ("llama_index_telnyx._tools", "TelnyxRetrievalTool"),
    "TelnyxIndex": ("llama_index_telnyx.indices", "TelnyxIndex"),
    "telnyx_usage": ("telnyx_inference.chat.tracking", "telnyx_usage"),
}

__all__ = [
    "Telnyx",
    "TelnyxBucketRetriever",
    "TelnyxEmbedding",
    "TelnyxIndex",
    "TelnyxRetrievalTool",
    "bucket_retrieval_tool",
    "telnyx_usage",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
