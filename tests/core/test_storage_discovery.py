"""Where documents go: a local or private base URL never falls back to Telnyx's cloud.

The storage endpoint is found from the base URL. A public base URL means Telnyx's regional
endpoints; a loopback or private one means an emulator (or something else local) that must
say where its S3 endpoint is, and any failure to say so is an error naming ``storage_url=``,
never a quiet fallback that would send documents and the key off the machine.
"""

from __future__ import annotations

import pytest
from canned_server import canned_server

from telnyx_inference._constants import EMULATOR_CONTROL_TOKEN_ENV, STORAGE_URL_TEMPLATE
from telnyx_inference.buckets.s3 import discover_storage_url
from telnyx_inference.buckets.storage import Storage
from telnyx_inference.emulator import Emulator
from telnyx_inference.errors import TelnyxError
from telnyx_inference.settings import is_local_url

KEY = "test-key"


@pytest.fixture(autouse=True)
def _no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELNYX_STORAGE_URL", raising=False)
    monkeypatch.delenv(EMULATOR_CONTROL_TOKEN_ENV, raising=False)


def test_an_emulator_that_wants_its_control_token_is_not_replaced_by_the_cloud() -> None:
    # An emulator bound beyond loopback requires its control token on every control route,
    # also when reached at 127.0.0.1; one given explicitly does the same on loopback.
    with Emulator(control_token="s3cret-control") as emu:
        store = Storage(api_key=KEY, base_url=emu.base_url)
        with pytest.raises(TelnyxError) as info:
            store.upload("kb-token", {"a.txt": "alpha"})
        message = str(info.value)
        assert "storage_url=" in message
        assert "control token" in message
        assert EMULATOR_CONTROL_TOKEN_ENV in message
        assert "s3cret" not in message
        assert store._storage_url is None  # nothing chosen: a retry asks again
        assert "telnyxcloudstorage" not in repr(store)


def test_the_control_token_from_the_environment_is_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Emulator(control_token="s3cret-control") as emu:
        monkeypatch.setenv(EMULATOR_CONTROL_TOKEN_ENV, "s3cret-control")
        with Storage(api_key=KEY, base_url=emu.base_url) as store:
            store.upload("kb-token-env", {"a.txt": "alpha"})
            assert store.storage_url == emu.storage_url


def test_a_local_server_that_is_no_emulator_asks_for_storage_url() -> None:
    # A local proxy (or anything else) on loopback: its answer to discovery is not an S3
    # endpoint, so the user must say where storage is.
    for status, body in ((404, {"detail": "Not Found"}), (200, {"hello": "world"})):
        with canned_server({}, get=body, status=status) as (root, paths):
            with pytest.raises(TelnyxError, match=r"storage_url=") as info:
                discover_storage_url(f"{root}/v2/ai/openai", timeout=30)
            assert paths == ["/_emulator/storage"]
            assert "127.0.0.1" in str(info.value)


def test_an_unreachable_local_base_url_names_storage_url() -> None:
    with canned_server({}) as (root, _):
        pass  # closed: nothing listens there any more
    with pytest.raises(TelnyxError, match=r"storage_url=") as info:
        discover_storage_url(f"{root}/v2/ai/openai", timeout=30)
    assert "refused" in str(info.value).lower()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/v2/ai/openai",
        "http://localhost:8080/v2/ai/openai",
        "http://[::1]:8080/v2/ai/openai",
        "http://10.1.2.3:8080/v2/ai/openai",
        "http://192.168.0.7/v2/ai/openai",
        "http://172.17.0.2:4010/v2/ai/openai",
        "http://169.254.10.1/v2/ai/openai",
        "http://[fd00::5]:8080/v2/ai/openai",
        "http://emulator:8080/v2/ai/openai",  # a compose service name
        "https://telnyx.internal/v2/ai/openai",
        "http://box.local/v2/ai/openai",
    ],
)
def test_local_and_private_hosts_are_local(url: str) -> None:
    assert is_local_url(url)


@pytest.mark.parametrize(
    "url", ["https://api.telnyx.com/v2/ai/openai", "https://8.8.8.8/v2", "https://eu.example.com"]
)
def test_public_hosts_use_telnyx_storage(url: str) -> None:
    assert not is_local_url(url)
    assert discover_storage_url(url) is None
    store = Storage(api_key=KEY, base_url=url)
    assert store.storage_url == STORAGE_URL_TEMPLATE
