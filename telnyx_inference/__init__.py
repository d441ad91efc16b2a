"""Telnyx Inference, framework-free: settings, request building, response and stream reading.

The LangChain and LlamaIndex integrations (``langchain_telnyx``, ``llama_index_telnyx``) are
thin translations onto this package; nothing else in the project knows the Telnyx wire format.
"""

from telnyx_inference._constants import (
    DEFAULT_BASE_URL,
    DEFAULT_CHAT_MODEL,
    DEFAULT_EMBEDDING_MODEL,
    ModelFacts,
)
from telnyx_inference.client import AsyncTelnyxClient, TelnyxClient
from telnyx_inference.errors import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
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
)
from telnyx_inference.params import ChatParamFields, ChatParams
from telnyx_inference.request import TelnyxWarning, build_chat_request
from telnyx_inference.response import Choice, Completion, ToolCall, Usage, parse_completion
from telnyx_inference.settings import TelnyxSettings
from telnyx_inference.stream import SSEDecoder, StreamAccumulator, StreamEvent
from telnyx_inference.tools import RetrievalTool

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_BASE_URL",
    "DEFAULT_CHAT_MODEL",
    "DEFAULT_EMBEDDING_MODEL",
    "APIStatusError",
    "AsyncTelnyxClient",
    "AuthenticationError",
    "BadRequestError",
    "ChatParamFields",
    "ChatParams",
    "Choice",
    "Completion",
    "ContextWindowExceededError",
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
    "StreamAccumulator",
    "StreamError",
    "StreamEvent",
    "StreamInterruptedError",
    "TelnyxClient",
    "TelnyxConnectionError",
    "TelnyxError",
    "TelnyxSettings",
    "TelnyxTimeoutError",
    "TelnyxWarning",
    "ToolCall",
    "Usage",
    "__version__",
    "build_chat_request",
    "parse_completion",
]
