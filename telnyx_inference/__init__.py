"""Telnyx Inference, framework-free: settings, request building, response and stream reading.

The LangChain and LlamaIndex integrations (``langchain_telnyx``, ``llama_index_telnyx``) are
thin translations onto this package; nothing else in the project knows the Telnyx wire format.
"""

from typing import TYPE_CHECKING

from telnyx_inference._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_CHAT_MODEL,
    DEFAULT_EMBEDDING_MODEL,
    ModelFacts,
)
from telnyx_inference._lazy import lazy_exports
from telnyx_inference.buckets import AsyncBuckets, Buckets, bucket_retrieval_tool
from telnyx_inference.embeddings import AsyncEmbedder, Embedder
from telnyx_inference.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    BucketJobError,
    BucketJobNotFoundError,
    BucketJobTimeoutError,
    BucketNotEmbeddedError,
    BucketNotFoundError,
    ContextWindowExceededError,
    InsecureTransportError,
    InvalidParameterError,
    InvalidParameterTypeError,
    MissingAPIKeyError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RequestValidationError,
    ServerError,
    StreamError,
    StreamInterruptedError,
    TelnyxConnectionError,
    TelnyxError,
    TelnyxTimeoutError,
    UnexpectedResponseError,
)
from telnyx_inference.params import ChatParamFields, ChatParams
from telnyx_inference.request import TelnyxWarning, build_chat_request
from telnyx_inference.response import Choice, Completion, ToolCall, Usage, parse_completion
from telnyx_inference.settings import TelnyxSettings
from telnyx_inference.stream import SSEDecoder, StreamAccumulator, StreamEvent
from telnyx_inference.structured import StructuredOutputError
from telnyx_inference.tools import RetrievalTool

if TYPE_CHECKING:
    from telnyx_inference.client import AsyncTelnyxClient, TelnyxClient
    from telnyx_inference.storage import (
        AsyncStorage,
        Storage,
        StorageObject,
        UploadError,
        UploadReport,
    )

__version__ = "0.1.0"

_LAZY: dict[str, tuple[str, str]] = {
    "AsyncTelnyxClient": ("telnyx_inference.client", "AsyncTelnyxClient"),
    "TelnyxClient": ("telnyx_inference.client", "TelnyxClient"),
    # Cloud Storage uploads (the ``storage`` extra: boto3, loaded on first use).
    "AsyncStorage": ("telnyx_inference.storage", "AsyncStorage"),
    "Storage": ("telnyx_inference.storage", "Storage"),
    "StorageObject": ("telnyx_inference.storage", "StorageObject"),
    "UploadError": ("telnyx_inference.storage", "UploadError"),
    "UploadReport": ("telnyx_inference.storage", "UploadReport"),
}
"""Names whose modules import the openai SDK (~0.5 s): loaded on first access, so importing the
package (and the pure wire modules) stays cheap."""

__getattr__, __dir__ = lazy_exports(__name__, _LAZY, globals())

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CHAT_MODEL",
    "DEFAULT_EMBEDDING_MODEL",
    "APIStatusError",
    "AsyncBuckets",
    "AsyncEmbedder",
    "AsyncStorage",
    "AsyncTelnyxClient",
    "AuthenticationError",
    "BadRequestError",
    "BucketJobError",
    "BucketJobNotFoundError",
    "BucketJobTimeoutError",
    "BucketNotEmbeddedError",
    "BucketNotFoundError",
    "Buckets",
    "ChatParamFields",
    "ChatParams",
    "Choice",
    "Completion",
    "ContextWindowExceededError",
    "Embedder",
    "InsecureTransportError",
    "InvalidParameterError",
    "InvalidParameterTypeError",
    "MissingAPIKeyError",
    "ModelFacts",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RequestValidationError",
    "RetrievalTool",
    "SSEDecoder",
    "ServerError",
    "Storage",
    "StorageObject",
    "StreamAccumulator",
    "StreamError",
    "StreamEvent",
    "StreamInterruptedError",
    "StructuredOutputError",
    "TelnyxClient",
    "TelnyxConnectionError",
    "TelnyxError",
    "TelnyxSettings",
    "TelnyxTimeoutError",
    "TelnyxWarning",
    "ToolCall",
    "UnexpectedResponseError",
    "UploadError",
    "UploadReport",
    "Usage",
    "__version__",
    "bucket_retrieval_tool",
    "build_chat_request",
    "parse_completion",
]
