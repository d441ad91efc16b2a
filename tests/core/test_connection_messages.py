"""A request that gets no answer says which host:port it tried and why, never the key."""

from __future__ import annotations

import socket
import ssl

import pytest

from telnyx_inference import (
    AsyncTelnyxClient,
    TelnyxClient,
    TelnyxConnectionError,
    TelnyxTimeoutError,
    build_chat_request,
)
from telnyx_inference.transport.conn_errors import describe_target, failure_message, root_cause
from telnyx_inference.transport.sdk_http import http_module

KEY = "KEYsecret-do-not-print-0123456789"
HELLO = [{"role": "user", "content": "hello"}]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_refused_connection_names_host_port_and_cause() -> None:
    port = _closed_port()
    client = TelnyxClient(
        api_key=KEY, base_url=f"http://127.0.0.1:{port}/v2/ai/openai", max_retries=1
    )
    with pytest.raises(TelnyxConnectionError) as caught:
        client.chat(build_chat_request(HELLO))
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message
    assert "Connection refused" in message
    assert "2 attempts" in message
    assert KEY not in message
    assert "v2/ai/openai" not in message


async def test_async_refused_connection_names_host_port_and_cause() -> None:
    port = _closed_port()
    client = AsyncTelnyxClient(
        api_key=KEY, base_url=f"http://127.0.0.1:{port}/v2/ai/openai", max_retries=0
    )
    with pytest.raises(TelnyxConnectionError) as caught:
        await client.chat(build_chat_request(HELLO))
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert "refused" in str(caught.value).lower()
    assert KEY not in str(caught.value)


def _wrapped(cause: BaseException) -> BaseException:
    """An HTTP library's error wrapping ``cause`` the way httpx/httpx2 do (twice)."""
    request = http_module.Request("POST", "https://user:pw@api.telnyx.eu/v2/ai/openai/chat?x=1")
    try:
        try:
            raise cause
        except OSError as os_err:
            raise RuntimeError(str(os_err)) from os_err
    except RuntimeError as inner:
        outer = http_module.ConnectError(str(inner), request=request)
        outer.__cause__ = inner
        return outer


def test_dns_failure_names_the_host_and_the_resolver_words() -> None:
    exc = _wrapped(socket.gaierror(-2, "Name or service not known"))
    message = failure_message(exc, attempts="3 attempts", target=None, timed_out=False)
    assert message == (
        "could not reach Telnyx at api.telnyx.eu:443 "
        "(Name or service not known; ConnectError; 3 attempts)"
    )
    assert "pw" not in message
    assert "user" not in message
    assert "x=1" not in message


def test_root_cause_keeps_tls_words_and_plain_messages() -> None:
    words = "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"
    assert root_cause(_wrapped(ssl.SSLCertVerificationError(1, words))) == words
    assert root_cause(_wrapped(OSError("no errno here"))) == "no errno here"
    assert root_cause(ValueError("no OS error below")) is None


def test_timeouts_name_the_host_too() -> None:
    message = failure_message(
        TimeoutError(), attempts="1 attempt", target="127.0.0.1:9", timed_out=True
    )
    assert message == "Telnyx at 127.0.0.1:9 did not answer within the timeout (1 attempt)"
    assert issubclass(TelnyxTimeoutError, TimeoutError)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.telnyx.com/v2/ai/openai", "api.telnyx.com:443"),
        ("http://127.0.0.1:8765", "127.0.0.1:8765"),
        ("http://[::1]:8080/v2", "[::1]:8080"),
        ("https://KEY:secret@host.example/v2", "host.example:443"),
        ("not a url", None),
    ],
)
def test_describe_target(url: str, expected: str | None) -> None:
    assert describe_target(url) == expected
