"""Errors a user can act on: a near-miss model id, another provider's key, no repeated titles."""

from __future__ import annotations

import warnings

import pytest

from telnyx_inference import (
    AsyncTelnyxClient,
    AuthenticationError,
    NotFoundError,
    TelnyxClient,
    TelnyxWarning,
    build_chat_request,
)
from telnyx_inference._hints import key_hint, model_hint, warn_unknown_model_once
from telnyx_inference.emulator import Emulator
from telnyx_inference.error_bodies import error_from_body

HELLO = [{"role": "user", "content": "hello"}]


def _models_reads(emu: Emulator) -> int:
    return sum(e.path.endswith("/models") for e in emu.journal)


@pytest.mark.parametrize(
    ("asked", "suggested"),
    [
        ("moonshotai/kimi-k2.6", "moonshotai/Kimi-K2.6"),  # case
        ("Kimi-K2.6", "moonshotai/Kimi-K2.6"),  # the organisation left out
        ("moonshotai/Kimi-K2.7", "moonshotai/Kimi-K2.6"),  # a near miss
    ],
)
def test_unknown_model_gets_did_you_mean(
    telnyx_emulator: Emulator, asked: str, suggested: str
) -> None:
    client = TelnyxClient(api_key="k", base_url=telnyx_emulator.base_url, max_retries=0)
    with pytest.raises(NotFoundError) as caught:
        client.chat(build_chat_request(HELLO, model=asked))
    assert f"did you mean `{suggested}`" in str(caught.value)
    assert caught.value.status == 404


def test_no_hint_for_a_model_nothing_resembles(telnyx_emulator: Emulator) -> None:
    client = TelnyxClient(api_key="k", base_url=telnyx_emulator.base_url, max_retries=0)
    with pytest.raises(NotFoundError) as caught:
        client.chat(build_chat_request(HELLO, model="nobody/zzzz"))
    assert "did you mean" not in str(caught.value)


def test_the_catalog_is_read_only_on_the_error_path() -> None:
    with Emulator() as emu:  # its own server: the catalog cache is per base URL
        client = TelnyxClient(api_key="k", base_url=emu.base_url, max_retries=0)
        client.chat(build_chat_request(HELLO, model="moonshotai/Kimi-K2.6"))
        assert _models_reads(emu) == 0
        with pytest.raises(NotFoundError):
            client.chat(build_chat_request(HELLO, model="moonshotai/kimi-k2.6"))
        with pytest.raises(NotFoundError) as caught:
            list(client.stream_chat(build_chat_request(HELLO, model="Kimi-K2.6", stream=True)))
        assert "did you mean `moonshotai/Kimi-K2.6`?" in str(caught.value)
        assert _models_reads(emu) == 1  # read once, then cached


async def test_async_stream_and_chat_get_the_hint(telnyx_emulator: Emulator) -> None:
    client = AsyncTelnyxClient(api_key="k", base_url=telnyx_emulator.base_url, max_retries=0)
    with pytest.raises(NotFoundError) as caught:
        await client.chat(build_chat_request(HELLO, model="zai-org/glm-5.2"))
    assert "did you mean `zai-org/GLM-5.2`?" in str(caught.value)
    with pytest.raises(NotFoundError) as caught:
        async for _ in client.stream_chat(build_chat_request(HELLO, model="GLM-5.2", stream=True)):
            pass
    assert "`zai-org/GLM-5.2`" in str(caught.value)


def test_langchain_error_keeps_the_hint(telnyx_emulator: Emulator) -> None:
    from langchain_core.exceptions import ModelNotFoundError

    from langchain_telnyx import ChatTelnyx

    llm = ChatTelnyx(
        model="moonshotai/kimi-k2.6", api_key="k", base_url=telnyx_emulator.base_url, max_retries=0
    )
    with pytest.raises(ModelNotFoundError, match=r"did you mean `moonshotai/Kimi-K2\.6`"):
        llm.invoke("hi")


# --- 401 ------------------------------------------------------------------------------------


def test_401_says_authentication_failed_once() -> None:
    with Emulator(api_key="KEYright") as emu:
        client = TelnyxClient(api_key="KEYwrong", base_url=emu.base_url, max_retries=0)
        with pytest.raises(AuthenticationError) as caught:
            client.chat(build_chat_request(HELLO))
    message = str(caught.value)
    assert message.count("Authentication failed") == 1
    assert "looks like" not in message  # a Telnyx-shaped key gets no provider hint


@pytest.mark.parametrize(
    ("key", "provider"),
    [("sk-proj-abc123secret", "OpenAI"), ("sk-ant-api03-secret", "Anthropic")],
)
def test_401_with_another_providers_key_says_so(key: str, provider: str) -> None:
    with Emulator(api_key="KEYright") as emu:
        client = TelnyxClient(api_key=key, base_url=emu.base_url, max_retries=0)
        with pytest.raises(AuthenticationError) as caught:
            client.chat(build_chat_request(HELLO))
    message = str(caught.value)
    assert f"looks like an {provider} key" in message
    assert "api_key_ref" in message
    assert key not in message
    assert key[8:] not in message


def test_title_and_detail_are_joined_only_when_they_differ() -> None:
    same = {"errors": [{"code": "10009", "title": "Authentication failed", "detail": "x"}]}
    assert str(error_from_body(401, same)).endswith("Authentication failed: x")
    prefixed = {
        "errors": [
            {"code": "1", "title": "Authentication failed", "detail": "Authentication failed: y"}
        ]
    }
    assert str(error_from_body(401, prefixed)).endswith(": Authentication failed: y")
    assert str(error_from_body(401, prefixed)).count("Authentication failed") == 1


# --- pure helpers ---------------------------------------------------------------------------


def test_key_hint_and_model_hint() -> None:
    assert key_hint("KEY0123") is None
    assert key_hint(None) is None
    assert key_hint("gsk_abc") is not None
    ids = ["moonshotai/Kimi-K2.6", "moonshotai/Kimi-K3", "zai-org/GLM-5.2"]
    assert model_hint("moonshotai/Kimi-K2.6", ids) is None  # known: no hint
    assert model_hint("moonshotai/KIMI-K3", ids) == "did you mean `moonshotai/Kimi-K3`?"
    assert model_hint("anything", []) is None


def test_unknown_model_is_said_once() -> None:
    with pytest.warns(TelnyxWarning, match=r"context_window=131,072 and max_tokens=256"):
        assert warn_unknown_model_once("acme/said-once", {}, context_window=131_072, max_tokens=256)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warn_unknown_model_once("acme/said-once", {}, context_window=1, max_tokens=1)
        assert not warn_unknown_model_once("zai-org/GLM-5.2", None, context_window=1)


def test_llama_index_metadata_for_an_unknown_model_warns_once() -> None:
    from llama_index_telnyx import Telnyx

    with pytest.warns(TelnyxWarning, match="acme/unknown-li") as caught:
        meta = Telnyx(model="acme/unknown-li").metadata  # no key: the built-in table answers
    assert (meta.context_window, meta.num_output) == (131_072, 256)
    assert "context_window=131,072 and max_tokens=256" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Telnyx(model="acme/unknown-li").metadata  # noqa: B018 - said already
        Telnyx(model="acme/unknown-li-2", context_window=10, max_tokens=5).metadata  # noqa: B018


@pytest.mark.parametrize("model", ["thenlper/GTE-large", "gte-large", "thenlper/gte-larg"])
async def test_unknown_embedding_model_gets_did_you_mean(
    telnyx_emulator: Emulator, model: str
) -> None:
    from telnyx_inference import AsyncEmbedder, Embedder

    sync = Embedder(TelnyxClient(api_key="k", base_url=telnyx_emulator.base_url), model=model)
    with pytest.raises(NotFoundError, match="did you mean `thenlper/gte-large`"):
        sync.embed(["x"])
    client = AsyncTelnyxClient(api_key="k", base_url=telnyx_emulator.base_url)
    with pytest.raises(NotFoundError, match="did you mean `thenlper/gte-large`"):
        await AsyncEmbedder(client, model=model).embed(["x"])
