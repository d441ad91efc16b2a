"""Telnyx Inference, framework-free: the only code that knows the Telnyx wire protocol. Imports
no framework; its rooms (chat, transport, buckets, emulator) import only the rooms below them.

Rooms, top to bottom: ``emulator/`` (a local Telnyx API), ``buckets/`` (storage, bucket jobs and
search), ``embeddings``, ``chat/`` (requests, answers, streams, structured output, the clients),
``transport/`` (the I/O on the openai SDK), then the foundation every room stands on:
``settings``, ``errors``, ``_constants`` (Telnyx facts, named once) and small helpers. The rules
are import-linter contracts in ``pyproject.toml``.

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
from telnyx_inference.buckets.bucket_api import AsyncBuckets, Buckets, bucket_retrieval_tool
from telnyx_inference.budget import Limits, TokenBudget
from telnyx_inference.chat.cost import Cost
from telnyx_inference.chat.guards import RegionUnavailableError
from telnyx_inference.chat.params import ChatParamFields, ChatParams
from telnyx_inference.chat.request import build_chat_request
from telnyx_inference.chat.response import Choice, Completion, ToolCall, Usage, parse_completion
from telnyx_inference.chat.stream import StreamAccumulator, StreamEvent
from telnyx_inference.chat.structured import MissingDependencyError, StructuredOutputError
from telnyx_inference.chat.tools import RetrievalTool
from telnyx_inference.chat.tracking import UsageTracker, telnyx_usage
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
    TelnyxWarning,
    UnexpectedResponseError,
)
from telnyx_inference.settings import TelnyxSettings
from telnyx_inference.transport.sse import SSEDecoder

if TYPE_CHECKING:
    from telnyx_inference.buckets.storage import (
        AsyncStorage,
        Storage,
        StorageObject,
        UploadError,
        UploadReport,
    )
    from telnyx_inference.chat.client import AsyncTelnyxClient, TelnyxClient

__version__ = "0.2.0"

_LAZY: dict[str, tuple[str, str]] = {
    "AsyncTelnyxClient": ("telnyx_inference.chat.client", "AsyncTelnyxClient"),
    "TelnyxClient": ("telnyx_inference.chat.client", "TelnyxClient"),
    # Cloud Storage uploads (the ``storage`` extra: boto3, loaded on first use).
    "AsyncStorage": ("telnyx_inference.buckets.storage", "AsyncStorage"),
    "Storage": ("telnyx_inference.buckets.storage", "Storage"),
    "StorageObject": ("telnyx_inference.buckets.storage", "StorageObject"),
    "UploadError": ("telnyx_inference.buckets.storage", "UploadError"),
    "UploadReport": ("telnyx_inference.buckets.storage", "UploadReport"),
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
    "Cost",
    "Embedder",
    "InsecureTransportError",
    "InvalidParameterError",
    "InvalidParameterTypeError",
    "Limits",
    "MissingAPIKeyError",
    "MissingDependencyError",
    "ModelFacts",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "RegionUnavailableError",
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
    "TokenBudget",
    "ToolCall",
    "UnexpectedResponseError",
    "UploadError",
    "UploadReport",
    "Usage",
    "UsageTracker",
    "__version__",
    "bucket_retrieval_tool",
    "build_chat_request",
    "parse_completion",
    "telnyx_usage",
]
