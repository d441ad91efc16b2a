"""Request URLs are joined correctly for any base URL, and a bad URL is this package's error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from canned_server import canned_server

from telnyx_inference import InvalidParameterError, TelnyxClient, build_chat_request
from telnyx_inference.settings import TelnyxSettings, join_url

COMPLETION = {
    "id": "c1",
    "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "hi"}}],
}


@pytest.fixture
def root_server() -> Iterator[tuple[str, list[str]]]:
    """A server that answers at its root (no ``/v2/ai/openai``), recording request paths."""
    models = {"data": [{"id": "m", "context_length": 12_345}]}
    with canned_server(COMPLETION, models) as served:
        yield served


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("http://h:8765", "http://h:8765/chat/completions"),
        ("http://h:8765/", "http://h:8765/chat/completions"),
        ("http://h/v2/ai/openai", "http://h/v2/ai/openai/chat/completions"),
        ("http://h/v2/ai/openai/", "http://h/v2/ai/openai/chat/completions"),
    ],
)
def test_join_url(base: str, expected: str) -> None:
    assert join_url(base, "chat/completions") == expected


@pytest.mark.parametrize("suffix", ["", "/"])
def test_chat_and_models_at_a_hosts_root(root_server: tuple[str, list[str]], suffix: str) -> None:
    url, paths = root_server
    client = TelnyxClient(api_key="k", base_url=url + suffix)
    assert client.chat(build_chat_request([{"role": "user", "content": "hi"}])).first.content
    assert client.models(refresh=True)["m"].context_length == 12_345
    assert paths == ["/chat/completions", "/models"]


def test_chat_telnyx_and_llama_index_at_a_hosts_root(root_server: tuple[str, list[str]]) -> None:
    from langchain_telnyx import ChatTelnyx
    from llama_index_telnyx import Telnyx

    url, paths = root_server
    assert ChatTelnyx(base_url=url, api_key="k").invoke("hi").content == "hi"
    llm = Telnyx(base_url=url + "/", api_key="k", model="m")
    assert llm.metadata.context_window == 12_345
    assert "/models" in paths
    assert "/chat/completions" in paths


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:99999", "http://127.0.0.1:port", "http:///path", "ftp://h/x", "http://a b/"],
)
def test_bad_base_url_is_refused_naming_it(url: str) -> None:
    with pytest.raises(InvalidParameterError, match="base_url") as info:
        TelnyxSettings.resolve(api_key="k", base_url=url)
    assert repr(url) in str(info.value)


def test_url_the_http_library_refuses_is_a_typed_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from telnyx_inference.transport.attempt import Attempt

    client = TelnyxClient(api_key="k", base_url="http://127.0.0.1:1")
    sdk = client.transport.client
    request = Attempt(sdk, sdk._client, client.settings, "GET", "http://[::1", None, False, {})
    with pytest.raises(InvalidParameterError, match=r"base_url: .*'http://\[::1'"):
        request.build()
