"""Where to send requests and with which key.

One base URL serves everything: the Telnyx-native root used by buckets (``…/v2``) is derived
from it, so pointing ``base_url`` at the emulator or a regional host moves chat, embeddings
and buckets together::

    settings = TelnyxSettings.resolve(api_key=None, base_url="http://127.0.0.1:8080/v2/ai/openai")
    settings.native_root    # "http://127.0.0.1:8080/v2"
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

from telnyx_inference._constants import (
    API_KEY_ENV,
    ASYNC_TRANSPORT_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEFAULT_TOTAL_TIMEOUT,
    LEGACY_BASE_SUFFIX,
    OPENAI_BASE_SUFFIX,
)
from telnyx_inference._validation import CheckedModel
from telnyx_inference.errors import (
    InsecureTransportError,
    InvalidParameterError,
    MissingAPIKeyError,
)

__all__ = [
    "ASYNC_TRANSPORTS",
    "AsyncTransportName",
    "TelnyxSettings",
    "check_async_transport",
    "check_url",
    "is_local_url",
    "is_loopback_url",
    "join_url",
    "native_root",
]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})


def is_loopback_url(url: str) -> bool:
    """True when the URL's host is this machine."""
    host = (urlsplit(url).hostname or "").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_LOCAL_SUFFIXES = (".local", ".internal", ".lan", ".home.arpa", ".localdomain")


def is_local_url(url: str) -> bool:
    """True when the URL's host is this machine or on a private network: loopback, private
    and link-local addresses, one-label names (a container's service name) and the suffixes
    kept for local networks. Decided from the string alone, never by a DNS lookup; a name
    that only might be local counts as local (callers use this to refuse falling back to a
    public endpoint, so erring towards local is the safe side)."""
    if is_loopback_url(url):
        return True
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host or host.endswith(_LOCAL_SUFFIXES)
    return address.is_private or address.is_link_local


def check_url(value: str, param: str = "base_url") -> str:
    """``value`` without a trailing slash; an :class:`InvalidParameterError` naming the URL
    when it is not an absolute http(s) URL with a host and a valid port."""
    problem = None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (raises for a port that is not a number in 0-65535)
    except ValueError as exc:
        problem = str(exc)
    else:
        if parts.scheme not in ("http", "https"):
            problem = "the scheme must be http:// or https://"
        elif not parts.hostname:
            problem = "it has no host"
        elif any(c.isspace() for c in value):
            problem = "it contains whitespace"
    if problem is not None:
        raise InvalidParameterError(param, f"{value!r} is not a usable URL: {problem}")
    return value.rstrip("/")


def join_url(base: str, path: str) -> str:
    """``path`` under ``base``, with exactly one slash between them, whatever ``base`` is
    (a host's root, with or without a trailing slash, or a path)."""
    return f"{base.rstrip('/')}/{path.lstrip('/')}"


def native_root(base_url: str) -> str:
    """The Telnyx-native ``…/v2`` root behind an OpenAI-compatible (or legacy) base URL."""
    base = base_url.rstrip("/")
    for suffix in (OPENAI_BASE_SUFFIX, LEGACY_BASE_SUFFIX):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


AsyncTransportName = Literal["auto", "aiohttp", "httpx"]
ASYNC_TRANSPORTS: tuple[AsyncTransportName, ...] = ("auto", "aiohttp", "httpx")


def check_async_transport(value: Any, param: str = "async_transport") -> AsyncTransportName:
    """``value`` as one of :data:`ASYNC_TRANSPORTS`, or an error naming ``param``."""
    name = value.strip().lower() if isinstance(value, str) else value
    if name not in ASYNC_TRANSPORTS:
        raise InvalidParameterError(
            param, f"must be one of {', '.join(ASYNC_TRANSPORTS)}; got {value!r}"
        )
    return name  # type: ignore[no-any-return]


class TelnyxSettings(CheckedModel, BaseModel):
    """Connection settings shared by every client of one model or retriever.

    The key is a :class:`~pydantic.SecretStr`: it never shows in ``repr``, ``str`` or
    ``model_dump``; only :meth:`require_key` reveals it, at send time.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    api_key: SecretStr | None = None
    base_url: str = DEFAULT_BASE_URL
    timeout: float | None = Field(default=DEFAULT_TIMEOUT)
    max_retries: int = Field(default=DEFAULT_MAX_RETRIES, ge=0)
    total_timeout: float | None = Field(default=DEFAULT_TOTAL_TIMEOUT)
    """Budget for every attempt of one request together, backoff included; ``None``: no cap."""
    default_headers: Mapping[str, str] | None = None
    allow_insecure_http: bool = False
    async_transport: AsyncTransportName = "auto"
    """The HTTP client of the shared async clients: ``auto`` (aiohttp when installed),
    ``aiohttp`` or ``httpx``; ``TELNYX_ASYNC_TRANSPORT`` when not given (see :mod:`telnyx_inference.transport.aio`)."""

    @field_validator("base_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("timeout", "total_timeout")
    @classmethod
    def _check_timeout(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is not None and value <= 0:
            raise InvalidParameterError(
                str(info.field_name), f"must be positive seconds or None, got {value}"
            )
        return value

    @field_validator("async_transport", mode="before")
    @classmethod
    def _check_async_transport(cls, value: Any) -> AsyncTransportName:
        return check_async_transport(value)

    @classmethod
    def resolve(
        cls,
        *,
        api_key: str | SecretStr | None = None,
        base_url: str | None = None,
        **kw: Any,
    ) -> TelnyxSettings:
        """Fill unset values from ``TELNYX_API_KEY`` / ``TELNYX_API_BASE`` /
        ``TELNYX_ASYNC_TRANSPORT`` and the defaults."""
        key = api_key if api_key is not None else os.environ.get(API_KEY_ENV) or None
        if isinstance(key, str):
            key = SecretStr(key)
        url = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
        if kw.get("async_transport") is None and os.environ.get(ASYNC_TRANSPORT_ENV):
            kw["async_transport"] = check_async_transport(
                os.environ[ASYNC_TRANSPORT_ENV], ASYNC_TRANSPORT_ENV
            )
        settings = cls(api_key=key, base_url=url, **{k: v for k, v in kw.items() if v is not None})
        settings.check_secure()
        return settings

    def check_secure(self) -> None:
        """Refuse plain http:// to anything but loopback unless explicitly allowed."""
        if (
            urlsplit(self.base_url).scheme == "http"
            and not self.allow_insecure_http
            and not is_loopback_url(self.base_url)
        ):
            raise InsecureTransportError(self.base_url)

    def require_key(self) -> str:
        """The key in clear, for the Authorization header; raises when there is none.

        Falls back to ``TELNYX_API_KEY`` so that an unpickled copy (which never carries the
        key) works where the environment provides it.
        """
        key = self.api_key.get_secret_value() if self.api_key is not None else None
        key = key or os.environ.get(API_KEY_ENV)
        if not key:
            raise MissingAPIKeyError()
        return key

    def __getstate__(self) -> dict[Any, Any]:
        state = super().__getstate__()
        state["__dict__"] = {**state["__dict__"], "api_key": None}
        return state

    @property
    def native_root(self) -> str:
        return native_root(self.base_url)

    def __repr_args__(self) -> Any:
        for name, value in super().__repr_args__():
            yield name, ("**********" if name == "api_key" and value is not None else value)
