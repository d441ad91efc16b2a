"""LangChain integration for Telnyx Inference.

```python
from langchain_telnyx import ChatTelnyx

llm = ChatTelnyx()          # key from TELNYX_API_KEY, model moonshotai/Kimi-K2.6
llm.invoke("Hello")
```
"""

from langchain_telnyx.chat_models import ChatTelnyx
from langchain_telnyx.embeddings import TelnyxEmbeddings
from langchain_telnyx.retrievers import TelnyxBucketRetriever, bucket_retrieval_tool
from telnyx_inference.structured import Regex
from telnyx_inference.tools import RetrievalTool as TelnyxRetrievalTool

__all__ = [
    "ChatTelnyx",
    "Regex",
    "TelnyxBucketRetriever",
    "TelnyxEmbeddings",
    "TelnyxRetrievalTool",
    "bucket_retrieval_tool",
]
