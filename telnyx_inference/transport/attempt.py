"""One HTTP attempt as a flow step, sans I/O: the request as sent (URL parsed once, headers,
body bytes) with the state of its retries, and reading a whole answer's JSON. The shells in
:mod:`.shells` perform it; the other steps are in :mod:`.steps`.
"""

from __future__ import annotations

import json
import weakref
from typing import Any

from telnyx_inference._hints import key_hint
from telnyx_inference.errors import InvalidParameterError, UnexpectedResponseError
from telnyx_inference.settings import TelnyxSettings, join_url
from telnyx_inference.transport.retry import Attempts
from telnyx_inference.transport.steps import SendOptions

__all__ = ["Attempt", "parsed_url", "read_json"]


_base_headers: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def _headers_of(client: Any) -> dict[str, str]:
    """The SDK client's headers and auth, computed once per client.

    The SDK's ``X-Stainless-*`` telemetry headers mean nothing to Telnyx and cost a header
    normalisation each per request, so they are left out; the user's headers are kept.
    """
    headers = _base_headers.get(client)
    if headers is None:
        merged = {**client.default_headers, **client.auth_headers}
        headers = {
            k: v
            for k, v in merged.items()
            if isinstance(v, str) and not k.lower().startswith("x-stainless")  # and no Omit
        }
        _base_headers[client] = headers
    return headers


_urls: dict[tuple[type, str], Any] = {}


def parsed_url(http: Any, url: str) -> Any:
    """``url`` parsed once, as the HTTP client's own URL type (httpx or httpx2)."""
    key = (type(http.base_url), url)
    parsed = _urls.get(key)
    if parsed is None:
        try:
            parsed = type(http.base_url)(url)
        except Exception as exc:  # the HTTP library's InvalidURL (httpx or httpx2), ValueError
            raise InvalidParameterError(
                "base_url", f"the request URL {url!r} is not valid: {exc}"
            ) from exc
        if len(_urls) > 512:  # bounded: URLs come from a handful of base URLs and paths
            _urls.clear()
        _urls[key] = parsed
    return parsed


class Attempt:
    """One request as sent — everything that stays the same between its attempts — and the
    state of those attempts; a flow yields it for each try."""

    __slots__ = ("attempts", "content", "headers", "http", "method", "stream", "url")

    def __init__(
        self,
        client: Any,
        http: Any,
        settings: TelnyxSettings,
        method: str,
        path: str,
        body: Any,
        stream: bool,
        send: SendOptions,
    ) -> None:
        self.http = http
        self.method = method
        self.stream = stream
        absolute = path.startswith(("http://", "https://"))
        self.url = path if absolute else join_url(str(client.base_url), path)
        base = _headers_of(client)
        extra = send.get("headers")
        self.headers = {**base, **extra} if extra else base
        self.content = (
            None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        )
        timeout, max_retries = send.get("timeout"), send.get("max_retries")
        self.attempts = Attempts(
            max_retries=client.max_retries if max_retries is None else max_retries,
            timeout=client.timeout if timeout is None else timeout,
            total_timeout=settings.total_timeout,
            url=self.url,
            auth_hint=key_hint(client.api_key),
        )

    def direct(self) -> tuple[str, str, dict[str, str], bytes | None, Any]:
        """What an aiohttp route sends for the next attempt (see :mod:`.aio_send`)."""
        return self.method, self.url, self.headers, self.content, self.attempts.next_timeout()

    def build(self) -> Any:
        """The HTTP library's request for the next attempt (its timeout cut to the budget)."""
        http = self.http
        return http.build_request(
            self.method,
            parsed_url(http, self.url),
            content=self.content,
            headers=self.headers,
            timeout=self.attempts.next_timeout(),
        )


def read_json(response: Any) -> Any:
    """A whole answer's body as JSON (``None`` when empty)."""
    content = response.content
    if not content:
        return None
    try:
        return json.loads(content)
    except ValueError:
        raise UnexpectedResponseError(
            f"Telnyx answered {response.status_code} with a body that is not JSON: "
            f"{content[:200]!r}",
            body=content,
        ) from None
