"""Every storage error is a TelnyxError that names what the user passed and why it failed.

The endpoint comes from ``storage_url=``, ``TELNYX_STORAGE_URL``, the emulator found from
``base_url``, or Telnyx's default: whichever it was is what an error names. A URL that cannot
work is refused when the client is built; a failed connection says the system's reason.
"""

from __future__ import annotations

import socket

import pytest

from telnyx_inference._constants import STORAGE_URL_ENV
from telnyx_inference.buckets.storage import AsyncStorage, Storage
from telnyx_inference.emulator import Emulator
from telnyx_inference.errors import (
    InsecureTransportError,
    InvalidParameterError,
    TelnyxConnectionError,
    TelnyxError,
)

KEY = "test-key"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(STORAGE_URL_ENV, raising=False)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once it is closed


def test_a_refused_connection_says_why_and_names_storage_url() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    store = Storage(api_key=KEY, storage_url=url, max_retries=0)
    with store, pytest.raises(TelnyxConnectionError) as info:
        store.upload("kb-refused", {"a.txt": "alpha"})
    message = str(info.value)
    assert "Connection refused" in message
    assert "storage_url=" in message
    assert url.removeprefix("http://") in message
    assert "base_url" not in message


async def test_async_refused_connection_says_why() -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    async with AsyncStorage(api_key=KEY, storage_url=url, max_retries=0) as store:
        with pytest.raises(TelnyxConnectionError, match=r"Connection refused.*storage_url="):
            await store.list_objects("kb-refused")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999",
        "http://127.0.0.1:port",
        "ftp://127.0.0.1/",
        "http://",
        "s3.example",
    ],
)
def test_an_unusable_storage_url_is_refused_at_construction(url: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        Storage(api_key=KEY, storage_url=url)
    assert info.value.param == "storage_url"
    assert url in str(info.value)


def test_an_unusable_url_from_the_environment_names_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(STORAGE_URL_ENV, "http://127.0.0.1:99999")
    with pytest.raises(InvalidParameterError) as info:
        Storage(api_key=KEY)
    assert info.value.param == STORAGE_URL_ENV


def test_plain_http_to_another_host_is_blamed_on_storage_url() -> None:
    with pytest.raises(InsecureTransportError) as info:
        Storage(api_key=KEY, storage_url="http://storage.example.com")
    assert info.value.param == "storage_url"
    assert "base_url" not in str(info.value)
    assert "allow_insecure_http=True" in str(info.value)
    Storage(api_key=KEY, storage_url="http://storage.example.com", allow_insecure_http=True)
    Storage(api_key=KEY, storage_url="https://{region}.storage.example.com")


def test_the_found_emulator_endpoint_is_named_by_base_url(
    telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Storage(api_key=KEY, base_url=telnyx_emulator.base_url, max_retries=0) as store:
        assert store.storage_url == telnyx_emulator.storage_url
        telnyx_emulator.storage.stop()  # the S3 endpoint goes away after it was found
        with pytest.raises(TelnyxError) as info:
            store.list_objects("kb-gone")
    assert "Connection refused" in str(info.value)
    assert "base_url=" in str(info.value)
