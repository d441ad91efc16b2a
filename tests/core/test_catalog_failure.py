"""A failed read of the model catalog is remembered apart from the catalog, and says what
failed; it is never mistaken for an empty catalog."""

from __future__ import annotations

import pytest

from telnyx_inference import AsyncTelnyxClient, TelnyxClient, TelnyxConnectionError
from telnyx_inference.chat.catalog import cached_catalog, catalog_failure, known_facts
from telnyx_inference.emulator import Emulator

OFFLINE = "http://127.0.0.1:9/v2/ai/openai"  # the discard port: nothing listens there


def test_models_after_a_failed_read_is_not_an_empty_catalog() -> None:
    client = TelnyxClient(api_key="k", base_url=OFFLINE, timeout=1)
    assert client.model_facts("zai-org/GLM-5.2").context_length == 1_048_576  # fallback table
    assert cached_catalog(OFFLINE) is None
    failure = catalog_failure(OFFLINE)
    assert isinstance(failure, TelnyxConnectionError)
    with pytest.raises(TelnyxConnectionError) as info:
        client.models()
    assert f"GET {OFFLINE}/models" in " ".join(info.value.__notes__)


async def test_async_models_after_a_failed_read_raises_too() -> None:
    client = AsyncTelnyxClient(api_key="k", base_url=OFFLINE + "/", timeout=1)
    assert (await client.model_facts("moonshotai/Kimi-K2.6")).context_length == 262_144
    with pytest.raises(TelnyxConnectionError, match="could not reach"):
        await client.models()


def test_a_later_successful_read_replaces_the_failure(telnyx_emulator: Emulator) -> None:
    url = telnyx_emulator.base_url
    client = TelnyxClient(api_key="k", base_url=url)
    telnyx_emulator.add_model("org/tiny", 12_345, max_completion_tokens=2_048)
    from telnyx_inference.chat.catalog import store_failure

    store_failure(url, TelnyxConnectionError("earlier outage"))
    facts = known_facts(url, "org/tiny")
    assert facts is not None
    assert facts.context_length == 131_072  # the fallback default during the back-off
    assert "org/tiny" in client.models()  # an explicit read tries again
    assert catalog_failure(url) is None
    assert client.model_facts("org/tiny").context_length == 12_345
