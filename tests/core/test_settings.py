"""Settings: where the key and base URL come from, and that the key stays secret."""

from __future__ import annotations

import pickle

import pytest

from telnyx_inference import InsecureTransportError, MissingAPIKeyError, TelnyxSettings
from telnyx_inference.settings import is_loopback_url, native_root

CANARY = "KEY-canary-6f1d2b"


def test_env_fills_key_and_base(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", CANARY)
    monkeypatch.setenv("TELNYX_API_BASE", "https://api.telnyx.eu/v2/ai/openai/")
    settings = TelnyxSettings.resolve()
    assert settings.require_key() == CANARY
    assert settings.base_url == "https://api.telnyx.eu/v2/ai/openai"
    assert settings.native_root == "https://api.telnyx.eu/v2"


def test_arguments_win_over_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", "from-env")
    settings = TelnyxSettings.resolve(api_key="from-arg", base_url="https://example.test/v2/ai")
    assert settings.require_key() == "from-arg"
    assert settings.native_root == "https://example.test/v2"


def test_no_key_is_fine_until_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELNYX_API_KEY", raising=False)
    settings = TelnyxSettings.resolve()
    with pytest.raises(MissingAPIKeyError, match="TELNYX_API_KEY"):
        settings.require_key()


def test_key_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = TelnyxSettings.resolve(api_key=CANARY)
    for text in (
        repr(settings),
        str(settings),
        settings.model_dump_json(),
        str(settings.model_dump()),
    ):
        assert CANARY not in text
    assert CANARY.encode() not in pickle.dumps(settings)


def test_unpickled_copy_reads_key_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    copy = pickle.loads(pickle.dumps(TelnyxSettings.resolve(api_key=CANARY)))
    monkeypatch.delenv("TELNYX_API_KEY", raising=False)
    with pytest.raises(MissingAPIKeyError):
        copy.require_key()
    monkeypatch.setenv("TELNYX_API_KEY", "from-env")
    assert copy.require_key() == "from-env"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/v2/ai/openai", "http://localhost/v2/ai", "http://[::1]:9/v2"],
)
def test_plain_http_allowed_on_loopback(url: str) -> None:
    assert is_loopback_url(url)
    TelnyxSettings.resolve(api_key="k", base_url=url)


def test_plain_http_elsewhere_refused_unless_allowed() -> None:
    with pytest.raises(InsecureTransportError, match="allow_insecure_http"):
        TelnyxSettings.resolve(api_key="k", base_url="http://10.1.2.3/v2/ai/openai")
    allowed = TelnyxSettings.resolve(
        api_key="k", base_url="http://10.1.2.3/v2/ai/openai", allow_insecure_http=True
    )
    assert allowed.base_url.startswith("http://10.1.2.3")


@pytest.mark.parametrize(
    ("base", "root"),
    [
        ("https://api.telnyx.com/v2/ai/openai", "https://api.telnyx.com/v2"),
        ("https://api.telnyx.com/v2/ai", "https://api.telnyx.com/v2"),
        ("https://api.telnyx.com/v2/ai/openai/", "https://api.telnyx.com/v2"),
        ("https://proxy.example/custom", "https://proxy.example/custom"),
    ],
)
def test_native_root(base: str, root: str) -> None:
    assert native_root(base) == root


def test_bad_values_named() -> None:
    with pytest.raises(ValueError, match="base_url"):
        TelnyxSettings.resolve(base_url="ftp://x")
    with pytest.raises(ValueError, match="timeout"):
        TelnyxSettings.resolve(timeout=-1)
