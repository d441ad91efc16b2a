"""LangChain integration for Telnyx Inference: chat model, embeddings, retrievers, vector store.
Imports langchain-core and the core (``telnyx_inference``), never the emulator or LlamaIndex.

```python
from langchain_telnyx import ChatTelnyx

llm = ChatTelnyx()          # key from TELNYX_API_KEY, model moonshotai/Kimi-K2.6
llm.invoke("Hello")
```

Names are loaded on first use (PEP 562), so ``import langchain_telnyx`` stays cheap and
``from langchain_telnyx import ChatTelnyx`` loads only the chat model. One line per name below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from telnyx_inference._coexist import check_package_owner
from telnyx_inference._lazy import lazy_exports

check_package_owner(__name__, __file__)  # another distribution's files mixed into ours?

if TYPE_CHECKING:
    from langchain_telnyx.chat_models import ChatTelnyx
    from langchain_telnyx.embeddings import TelnyxEmbeddings
    from langchain_telnyx.rate_limiters import TelnyxRateLimiter
    from langchain_telnyx.retrievers import TelnyxBucketRetriever, bucket_retrieval_tool
    from langchain_telnyx.vectorstores import TelnyxVectorStore
    from telnyx_inference.budget import TokenBudget
    from telnyx_inference.chat.structured import Regex
    from telnyx_inference.chat.tools import RetrievalTool as TelnyxRetrievalTool
    from telnyx_inference.chat.tracking import telnyx_usage

_EXPORTS: dict[str, tuple[str, str]] = {
    "ChatTelnyx": ("langchain_telnyx.chat_models", "ChatTelnyx"),
    "TelnyxEmbeddings": ("langchain_telnyx.embeddings", "TelnyxEmbeddings"),
    "TelnyxBucketRetriever": ("langchain_telnyx.retrievers", "TelnyxBucketRetriever"),
    "TelnyxRateLimiter": ("langchain_telnyx.rate_limiters", "TelnyxRateLimiter"),
    "TokenBudget": ("telnyx_inference.budget", "TokenBudget"),
    "bucket_retrieval_tool": ("langchain_telnyx.retrievers", "bucket_retrieval_tool"),
    "Regex": ("telnyx_inference.chat.structured", "Regex"),
    "TelnyxRetrievalTool": ("telnyx_inference.chat.tools", "RetrievalTool"),
    "TelnyxVectorStore": ("langchain_telnyx.vectorstores", "TelnyxVectorStore"),
    "telnyx_usage": ("telnyx_inference.chat.tracking", "telnyx_usage"),
}

__all__ = [
    "ChatTelnyx",
    "Regex",
    "TelnyxBucketRetriever",
    "TelnyxEmbeddings",
    "TelnyxRateLimiter",
    "TelnyxRetrievalTool",
    "TelnyxVectorStore",
    "TokenBudget",
    "bucket_retrieval_tool",
    "telnyx_usage",
]

__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
