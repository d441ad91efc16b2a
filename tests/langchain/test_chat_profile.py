"""ChatTelnyx.profile uses Telnyx's model catalog once this process has read it (never any
I/O at construction), and load_profile() / aload_profile() read it on request."""

from __future__ import annotations

import pytest

from langchain_telnyx import ChatTelnyx
from telnyx_inference import TelnyxClient, TelnyxConnectionError
from telnyx_inference.emulator import Emulator


def _catalog_reads(emu: Emulator) -> int:
    return sum(e.path.endswith("/models") for e in emu.journal)


@pytest.fixture
def emu(telnyx_emulator: Emulator) -> Emulator:
    """The session's emulator with one more model, and no catalog of it read yet (the
    ``telnyx_emulator`` fixture sees to that)."""
    telnyx_emulator.add_model("org/tiny", 12_345, max_completion_tokens=2_048)
    return telnyx_emulator


def test_profile_follows_a_catalog_read_after_construction(emu: Emulator) -> None:
    llm = ChatTelnyx(model="org/tiny", api_key="k", base_url=emu.base_url)
    assert _catalog_reads(emu) == 0  # construction reads nothing
    assert llm.profile is not None
    assert llm.profile["max_input_tokens"] == 131_072  # not in the built-in table
    assert "max_output_tokens" not in llm.profile
    TelnyxClient(api_key="k", base_url=emu.base_url).models()  # any client reads the catalog
    assert llm.profile["max_input_tokens"] == 12_345
    assert llm.profile["max_output_tokens"] == 2_048


def test_profile_of_a_model_built_after_the_read(emu: Emulator) -> None:
    TelnyxClient(api_key="k", base_url=emu.base_url + "/").models()
    llm = ChatTelnyx(model="org/tiny", api_key="k", base_url=emu.base_url)
    assert llm.profile is not None
    assert (llm.profile["max_input_tokens"], llm.profile["max_output_tokens"]) == (12_345, 2_048)
    assert _catalog_reads(emu) == 1


def test_a_profile_given_by_the_user_is_left_alone(emu: Emulator) -> None:
    llm = ChatTelnyx(
        model="org/tiny", api_key="k", base_url=emu.base_url, profile={"max_input_tokens": 99}
    )
    TelnyxClient(api_key="k", base_url=emu.base_url).models()
    assert llm.profile == {"max_input_tokens": 99}


def test_load_profile(emu: Emulator) -> None:
    llm = ChatTelnyx(model="org/tiny", api_key="k", base_url=emu.base_url)
    profile = llm.load_profile()
    assert profile["max_input_tokens"] == 12_345
    assert llm.profile is profile


async def test_aload_profile(emu: Emulator) -> None:
    llm = ChatTelnyx(model="org/tiny", api_key="k", base_url=emu.base_url)
    profile = await llm.aload_profile()
    assert profile.get("max_output_tokens") == 2_048


def test_load_profile_says_when_the_catalog_cannot_be_read() -> None:
    llm = ChatTelnyx(model="org/tiny", api_key="k", base_url="http://127.0.0.1:9", timeout=1)
    with pytest.raises(TelnyxConnectionError):
        llm.load_profile()
