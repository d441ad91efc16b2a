"""ChatTelnyx construction: defaults, environment, aliases, validation, secrecy, cheap init."""

from __future__ import annotations

import sys

import pytest
from langchain_core.exceptions import ModelAuthenticationError
from langchain_core.messages import HumanMessage
from pydantic import SecretStr

from langchain_telnyx import ChatTelnyx
from telnyx_inference import InvalidParameterError, MissingAPIKeyError
from telnyx_inference.emulator import Emulator


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELNYX_API_KEY", raising=False)
    monkeypatch.delenv("TELNYX_API_BASE", raising=False)


def test_defaults_match_the_official_package() -> None:
    llm = ChatTelnyx()
    assert llm.model_name == "moonshotai/Kimi-K2.6"
    assert llm.api_key is None
    assert llm.base_url == "https://api.telnyx.com/v2/ai/openai"
    assert llm.temperature is None  # Telnyx's own default (0.1) applies
    assert llm.stream_usage is True
    assert llm.streaming is False


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELNYX_API_KEY", "from-env")
    monkeypatch.setenv("TELNYX_API_BASE", "https://api.telnyx.eu/v2/ai/openai")
    llm = ChatTelnyx()
    assert isinstance(llm.api_key, SecretStr)
    assert llm.api_key.get_secret_value() == "from-env"
    assert llm.base_url == "https://api.telnyx.eu/v2/ai/openai"
    assert ChatTelnyx(api_key="explicit").api_key.get_secret_value() == "explicit"  # type: ignore[union-attr]


def test_official_and_openai_spellings_are_accepted() -> None:
    llm = ChatTelnyx(
        model="zai-org/GLM-5.2",
        telnyx_api_key="k",
        telnyx_api_base="https://example.test/v2/ai/openai",
        request_timeout=5,
        max_completion_tokens=64,
    )
    assert llm.model_name == "zai-org/GLM-5.2"
    assert llm.telnyx_api_key is not None
    assert llm.telnyx_api_key.get_secret_value() == "k"
    assert llm.telnyx_api_base == "https://example.test/v2/ai/openai"
    assert llm.timeout == 5
    assert llm.max_tokens == 64
    assert ChatTelnyx(model_name="x/y", api_base="https://h.test/v2/ai").base_url.endswith("/v2/ai")  # type: ignore[union-attr]


def test_every_telnyx_parameter_is_a_field() -> None:
    llm = ChatTelnyx(
        temperature=0.3,
        max_tokens=10,
        top_p=0.9,
        min_p=0.05,
        frequency_penalty=0.1,
        presence_penalty=0.2,
        seed=7,
        stop=["END"],
        n=2,
        logprobs=True,
        top_logprobs=3,
        logit_bias={"42": -10},
        use_beam_search=True,
        best_of=3,
        length_penalty=1.2,
        early_stopping=True,
        enable_thinking=False,
        api_key_ref="secret-ref",
        service_tier="flex",
        reasoning_effort="xhigh",
        region="EU",
        mode="strict",
    )
    assert llm.param_values()["min_p"] == 0.05
    assert llm.param_values()["region"] == "EU"
    assert llm.param_values()["enable_thinking"] is False


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"min_p": 1.5}, "min_p"),
        ({"top_logprobs": 3}, "top_logprobs"),
        ({"guided_choice": ["a"], "guided_regex": "a"}, "guided_regex"),
        ({"length_penalty": 1.1}, "length_penalty"),
        ({"mode": "strict"}, "mode"),
        ({"region": "Atlantis"}, "region"),
        ({"reasoning_effort": "extreme"}, "reasoning_effort"),
        ({"response_format": {"type": "json_schema"}}, "response_format"),
        ({"no_such_option": 1}, "no_such_option"),
    ],
)
def test_bad_values_fail_at_construction_naming_the_field(
    kwargs: dict[str, object], field: str
) -> None:
    with pytest.raises(InvalidParameterError, match=field):
        ChatTelnyx(**kwargs)


def test_construction_needs_no_key_and_builds_no_client() -> None:
    llm = ChatTelnyx()
    assert llm._telnyx is None
    assert llm._atelnyx is None


def test_import_does_not_load_the_openai_sdk() -> None:
    import subprocess

    code = "import sys, langchain_telnyx; langchain_telnyx.ChatTelnyx(); print('openai' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_key_is_reported_at_the_first_call() -> None:
    llm = ChatTelnyx(base_url="http://127.0.0.1:9/v2/ai/openai")
    with pytest.raises(ModelAuthenticationError, match="TELNYX_API_KEY") as info:
        llm.invoke("hi")
    assert isinstance(info.value, MissingAPIKeyError)


def test_plain_http_to_a_remote_host_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="allow_insecure_http") as info:
        ChatTelnyx(api_key="k", base_url="http://telnyx.example/v2/ai/openai")
    assert "base_url" in str(info.value)
    allowed = ChatTelnyx(
        api_key="k", base_url="http://telnyx.example/v2/ai/openai", allow_insecure_http=True
    )
    assert allowed.base_url == "http://telnyx.example/v2/ai/openai"


def test_the_key_stays_secret(telnyx_emulator: Emulator) -> None:
    from langchain_core.load import dumps

    llm = ChatTelnyx(api_key="sk-very-secret", base_url=telnyx_emulator.base_url)
    llm.invoke("hello")
    for text in (repr(llm), str(llm), dumps(llm), str(llm.model_dump()), str(llm.dict())):
        assert "sk-very-secret" not in text


def test_ls_params_name_the_provider_and_the_per_call_model() -> None:
    llm = ChatTelnyx(temperature=0.2, max_tokens=5, stop="END")
    params = llm._get_ls_params()
    assert params["ls_provider"] == "telnyx"
    assert params["ls_model_name"] == "moonshotai/Kimi-K2.6"
    assert params["ls_temperature"] == 0.2
    assert params["ls_max_tokens"] == 5
    assert params["ls_stop"] == ["END"]
    assert llm._get_ls_params(model="zai-org/GLM-5.2")["ls_model_name"] == "zai-org/GLM-5.2"


def test_profile_comes_from_the_model_facts() -> None:
    profile = ChatTelnyx(model="moonshotai/Kimi-K2.6").profile
    assert profile is not None
    assert profile["max_input_tokens"] == 262_144
    assert profile["tool_calling"] is True
    assert profile["image_inputs"] is True


def test_token_counting_never_downloads_a_tokenizer() -> None:
    llm = ChatTelnyx()
    assert llm.get_num_tokens("a" * 40) == 10
    assert llm.get_num_tokens_from_messages([HumanMessage("a" * 40)]) > 10
    with pytest.raises(NotImplementedError, match="custom_get_token_ids"):
        llm.get_token_ids("abc")
    counted = ChatTelnyx(custom_get_token_ids=lambda text: list(range(len(text.split()))))
    assert counted.get_num_tokens("one two three") == 3


def test_init_chat_model_has_no_telnyx_provider() -> None:
    """langchain's init_chat_model has a fixed provider table: use the plain import."""
    chat_models = pytest.importorskip("langchain.chat_models")
    with pytest.raises(ValueError, match="Unsupported"):
        chat_models.init_chat_model("moonshotai/Kimi-K2.6", model_provider="telnyx")
