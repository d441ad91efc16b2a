"""Connection fields for framework models: key, base URL, timeouts, retries, user clients.

A pydantic mixin, so LangChain and LlamaIndex classes declare these fields once and get the
same resolution order everywhere — an explicit argument, then the user's own ``openai``
client, then ``TELNYX_API_KEY`` / ``TELNYX_API_BASE``, then the default::

    class TelnyxEmbeddings(ConnectionFields, Embeddings):
        model: str = DEFAULT_EMBEDDING_MODEL

    emb = TelnyxEmbeddings(api_key="...", base_url="http://127.0.0.1:8080/v2/ai/openai")
    emb.telnyx_client().transport       # shared pool, built on first use

The key is excluded from ``model_dump`` and pickles, and masked in ``repr``; the core clients
are built lazily, so construction never touches the network.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
    model_validator,
)

from telnyx_inference._closing import AsyncClosing, Closing
from telnyx_inference._constants import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL
from telnyx_inference._validation import CheckedModel, field_names, unknown_parameter
from telnyx_inference.errors import InvalidParameterTypeError
from telnyx_inference.settings import TelnyxSettings

if TYPE_CHECKING:  # the SDK loads on first use, keeping framework imports light
    from telnyx_inference.chat.client import AsyncTelnyxClient, TelnyxClient

__all__ = ["ConnectionFields"]


class ConnectionFields(Closing, AsyncClosing, CheckedModel, BaseModel):
    """Where requests go and how: mix into a framework model (see the module docstring).

    A refused value raises :class:`~telnyx_inference.errors.InvalidParameterError` (a
    ``ValueError``) naming the parameter, the value and the allowed range.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True, populate_by_name=True)

    api_key: SecretStr | None = Field(
        default=None,
        exclude=True,
        validation_alias=AliasChoices("api_key", "telnyx_api_key", "openai_api_key"),
        description="Telnyx API key; defaults to the TELNYX_API_KEY environment variable.",
    )
    base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("base_url", "telnyx_api_base", "api_base", "openai_api_base"),
        description="OpenAI-compatible base URL; defaults to TELNYX_API_BASE, then Telnyx.",
    )
    timeout: float | None = Field(
        default=None,
        validation_alias=AliasChoices("timeout", "request_timeout"),
        description="Seconds per attempt and per streamed chunk (60 when None).",
    )
    max_retries: int | None = Field(default=None, ge=0)
    total_timeout: float | None = Field(
        default=None,
        description="Seconds for all attempts of one request together, backoff included "
        "(the core's default when None).",
    )
    default_headers: dict[str, str] | None = None
    allow_insecure_http: bool = False
    async_transport: Literal["auto", "aiohttp", "httpx"] | None = Field(
        default=None,
        description="HTTP client of the shared async clients: auto (aiohttp when installed), "
        "aiohttp or httpx; defaults to TELNYX_ASYNC_TRANSPORT, then auto.",
    )
    client: Any = Field(default=None, exclude=True, repr=False)
    """Your own ``openai.OpenAI`` client (its key and base URL are used when none is given)."""
    async_client: Any = Field(default=None, exclude=True, repr=False)
    """Your own ``openai.AsyncOpenAI`` client."""
    http_client: Any = Field(default=None, exclude=True, repr=False)
    """Your own ``httpx.Client`` (openai 2.x) / ``httpx2.Client`` (openai 3.x): proxies,
    certificates, transports. Used when no ``client`` is given."""
    http_async_client: Any = Field(default=None, exclude=True, repr=False)
    """The async counterpart of ``http_client``."""
    budget: Any = Field(default=None, exclude=True, repr=False)
    """A :class:`~telnyx_inference.budget.TokenBudget` shared by every client that holds it:
    each request reserves its tokens first and waits while the budget is full."""

    @field_validator("budget")
    @classmethod
    def _check_budget(cls, value: Any) -> Any:
        from telnyx_inference.budget import TokenBudget

        if value is not None and not isinstance(value, TokenBudget):
            raise InvalidParameterTypeError(
                "budget",
                f"must be a telnyx_inference.budget.TokenBudget, got {type(value).__name__}",
            )
        return value

    _telnyx: Any = PrivateAttr(default=None)
    _atelnyx: Any = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _resolve_connection(self) -> Any:
        source = self.client or self.async_client
        if self.api_key is None:
            key = (source.api_key if source is not None else None) or os.environ.get(API_KEY_ENV)
            self.api_key = SecretStr(key) if key else None
        self.base_url = self.resolved_base_url()
        self.telnyx_settings()  # refuse a bad or insecure base URL at construction
        return self

    @classmethod
    def from_settings(cls, **settings: Any) -> ConnectionFields:
        """Connection settings on their own, for a class that is not a pydantic model (the
        LlamaIndex retriever); a name that is not a setting is refused, naming it."""
        known = field_names(ConnectionFields)
        for name in settings:
            if name not in known:
                raise unknown_parameter(name, known, "a connection setting")
        return cls(**settings)

    def resolved_base_url(self) -> str:
        """The base URL in use: the argument, the user's client's, ``TELNYX_API_BASE``, or
        the default (also while the model is still being validated)."""
        url = self.base_url
        if url is None:
            source = self.client or self.async_client
            url = str(source.base_url) if source is not None else None
            url = url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
        return url.rstrip("/")

    def telnyx_settings(self) -> TelnyxSettings:
        return TelnyxSettings.resolve(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            total_timeout=self.total_timeout,
            default_headers=self.default_headers,
            allow_insecure_http=self.allow_insecure_http,
            async_transport=self.async_transport,
        )

    def _sdk_client(self, given: Any, http_client: Any, kind: str) -> Any:
        """The user's SDK client, else one of ours around the user's HTTP client, else None."""
        if given is not None or http_client is None:
            return given
        import openai

        settings = self.telnyx_settings()
        return getattr(openai, kind)(
            api_key=settings.require_key(),
            base_url=settings.base_url,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
            default_headers=dict(settings.default_headers or {}),
            http_client=http_client,
        )

    def telnyx_client(self) -> TelnyxClient:
        """The core sync client for these settings (built once, on first use)."""
        if self._telnyx is None:
            from telnyx_inference.chat.client import TelnyxClient

            sdk = self._sdk_client(self.client, self.http_client, "OpenAI")
            self._telnyx = TelnyxClient(
                settings=self.telnyx_settings(), client=sdk, budget=self.budget
            )
        return self._telnyx  # type: ignore[no-any-return]

    def telnyx_async_client(self) -> AsyncTelnyxClient:
        """The core async client for these settings (built once, on first use)."""
        if self._atelnyx is None:
            from telnyx_inference.chat.client import AsyncTelnyxClient

            sdk = self._sdk_client(self.async_client, self.http_async_client, "AsyncOpenAI")
            self._atelnyx = AsyncTelnyxClient(
                settings=self.telnyx_settings(), client=sdk, budget=self.budget
            )
        return self._atelnyx  # type: ignore[no-any-return]

    def close(self) -> None:
        """Hand back the connections of the sync client built here (a later call builds a new
        one); your own ``client`` / ``http_client`` stay open. ``with model:`` does it too."""
        client, self._telnyx = self._telnyx, None
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """:meth:`close`, and the same for the async client (``async with model:``)."""
        client, self._atelnyx = self._atelnyx, None
        if client is not None:
            await client.aclose()
        self.close()

    @property
    def telnyx_api_key(self) -> SecretStr | None:
        """The official ``langchain-telnyx`` name for :attr:`api_key`."""
        return self.api_key

    @property
    def telnyx_api_base(self) -> str | None:
        """The official ``langchain-telnyx`` name for :attr:`base_url`."""
        return self.base_url

    def __getstate__(self) -> dict[Any, Any]:
        # A pickle never carries the key (it is read again from TELNYX_API_KEY) nor live
        # clients, which are rebuilt on first use.
        state = super().__getstate__()
        state["__dict__"] = {
            **state["__dict__"],
            "api_key": None,
            "client": None,
            "async_client": None,
            "http_client": None,
            "http_async_client": None,
        }
        private = state.get("__pydantic_private__")
        if private:
            state["__pydantic_private__"] = {**private, "_telnyx": None, "_atelnyx": None}
        return state
