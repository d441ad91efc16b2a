"""ConnectionFields, the mixin behind the embeddings and retriever classes of both frameworks."""

from __future__ import annotations

import pickle

import openai
import pytest
from pydantic import SecretStr

from telnyx_inference._constants import DEFAULT_BASE_URL
from telnyx_inference.connection import ConnectionFields
from telnyx_inference.embeddings import Embedder
from telnyx_inference.emulator import Emulator
from telnyx_inference.errors import InsecureTransportError, InvalidParameterError

SECRET = "sk-test-do-not-leak-0042"


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELNYX_API_KEY", raising=False)
    monkeypatch.delenv("TELNYX_API_BASE", raising=False)


def test_defaults_and_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    bare = ConnectionFields()
    assert bare.api_key is None
    assert bare.base_url == DEFAULT_BASE_URL
    monkeypatch.setenv("TELNYX_API_KEY", "env-key")
    monkeypatch.setenv("TELNYX_API_BASE", "https://api.telnyx.eu/v2/ai/openai/")
    env = ConnectionFields()
    assert env.api_key is not None
    assert env.api_key.get_secret_value() == "env-key"
    assert env.base_url == "https://api.telnyx.eu/v2/ai/openai"
    assert env.telnyx_client().native_root == "https://api.telnyx.eu/v2"


def test_explicit_beats_client_beats_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", "env-key")
    sdk = openai.OpenAI(api_key="client-key", base_url="http://127.0.0.1:1/v2/ai/openai")
    from_client = ConnectionFields(client=sdk)
    assert from_client.api_key == SecretStr("client-key")
    assert from_client.base_url == "http://127.0.0.1:1/v2/ai/openai"
    assert from_client.telnyx_client().transport.client is sdk
    explicit = ConnectionFields(client=sdk, api_key="mine", base_url="https://x.example/v2/ai")
    assert explicit.api_key == SecretStr("mine")
    assert explicit.telnyx_client().native_root == "https://x.example/v2"


def test_official_package_names_are_accepted() -> None:
    fields = ConnectionFields(telnyx_api_key="k", telnyx_api_base="https://a.example/v2/ai/openai")
    assert fields.telnyx_api_key == SecretStr("k")
    assert fields.telnyx_api_base == "https://a.example/v2/ai/openai"
    assert ConnectionFields(request_timeout=5).timeout == 5


def test_insecure_or_bad_urls_refused_at_construction() -> None:
    with pytest.raises(InsecureTransportError, match=r"base_url: .*plain http"):
        ConnectionFields(api_key="k", base_url="http://example.com/v2/ai/openai")
    with pytest.raises(InvalidParameterError, match=r"base_url: 'ftp://example\.com'"):
        ConnectionFields(base_url="ftp://example.com")
    ok = ConnectionFields(base_url="http://example.com/v2/ai/openai", allow_insecure_http=True)
    assert ok.base_url.startswith("http://")


def test_key_never_serialised_or_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    fields = ConnectionFields(api_key=SECRET, default_headers={"x-a": "b"})
    for text in (repr(fields), str(fields), fields.model_dump_json(), str(fields.model_dump())):
        assert SECRET not in text
    blob = pickle.dumps(fields)
    assert SECRET.encode() not in blob
    monkeypatch.setenv("TELNYX_API_KEY", "env-key")
    copy = pickle.loads(blob)
    assert copy.telnyx_settings().require_key() == "env-key"


def test_no_request_until_used(telnyx_emulator: Emulator) -> None:
    fields = ConnectionFields(api_key="test-key", base_url=telnyx_emulator.base_url)
    assert telnyx_emulator.journal == []
    client = fields.telnyx_client()
    assert fields.telnyx_client() is client
    assert Embedder(client).embed(["hello"])
    assert len(telnyx_emulator.journal) == 1


def test_missing_key_named_at_first_request(telnyx_emulator: Emulator) -> None:
    fields = ConnectionFields(base_url=telnyx_emulator.base_url)
    with pytest.raises(ValueError, match="TELNYX_API_KEY"):
        Embedder(fields.telnyx_client()).embed(["hello"])
