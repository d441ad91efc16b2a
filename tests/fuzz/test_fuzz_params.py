"""Every invalid parameter is refused before anything is sent, and the refusal names it.

For each parameter of the model, hypothesis draws invalid values; they are tried on the core
(``ChatParams.build``), at construction of both adapters, and per call on both adapters'
sync paths — with the emulator's journal proving that no request went out.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from llama_index.core.llms import ChatMessage

from langchain_telnyx import ChatTelnyx
from llama_index_telnyx import Telnyx
from telnyx_inference._constants import REASONING_EFFORTS, REASONING_HISTORY, REGIONS
from telnyx_inference.chat.params import PARAM_NAMES, ChatParams
from telnyx_inference.emulator import Emulator
from telnyx_inference.errors import InvalidParameterError, InvalidParameterTypeError

not_numbers = st.sampled_from(["x", [], {}, [1.0], "1e400x"])
non_finite = st.sampled_from([math.nan, math.inf, -math.inf])

pytestmark = pytest.mark.timeout(90)  # the hang guard (hypothesis deadlines flake on busy CI)


def _outside(lo: float, hi: float) -> st.SearchStrategy[Any]:
    return (
        st.floats(max_value=lo, exclude_max=True, allow_nan=False)
        | st.floats(min_value=hi, exclude_min=True, allow_nan=False)
        | non_finite
        | not_numbers
    )


not_bools = st.sampled_from(["maybe", 2, -1, [], {}, 0.5])
not_text = st.sampled_from([5, 1.5, [], {}])  # (bytes are read as UTF-8 text, like pydantic does)

INVALID: dict[str, st.SearchStrategy[Any]] = {
    "temperature": _outside(0.0, 2.0),
    "max_tokens": st.integers(max_value=0) | not_numbers | st.sampled_from([1.5]),
    "top_p": _outside(0.0, 1.0).filter(lambda v: v != 0.0) | st.just(0.0),
    "min_p": _outside(0.0, 1.0),
    "frequency_penalty": _outside(-2.0, 2.0),
    "presence_penalty": _outside(-2.0, 2.0),
    "seed": not_numbers | st.sampled_from([1.5, math.nan]),
    "stop": st.lists(st.text(min_size=1, max_size=5), min_size=5, max_size=8)
    | st.sampled_from([[1, 2], 7, {"a": 1}]),
    "n": st.integers(max_value=0) | st.integers(min_value=129) | not_numbers,
    "logprobs": not_bools,
    "top_logprobs": st.integers(max_value=-1) | st.integers(min_value=21) | not_numbers,
    "logit_bias": st.dictionaries(
        st.text(min_size=1, max_size=4),
        st.floats(min_value=100, exclude_min=True) | st.just("high"),
        min_size=1,
        max_size=3,
    )
    | st.sampled_from([[1], "x"]),
    "response_format": st.sampled_from(
        [{"type": "json_schema"}, {"type": "xml"}, {}, "json", ["text"]]
    ),
    "guided_json": st.sampled_from([{"type": "nope"}, 42, "not a schema", {"properties": 3}]),
    "guided_regex": st.sampled_from(["(", "[a-", "*x", "(?P<a>x)(?P<a>y)", 5]),
    "guided_choice": st.sampled_from([[], "yes", 5, [1, 2]]),
    "use_beam_search": not_bools,
    "best_of": st.integers(max_value=0) | not_numbers,
    "length_penalty": st.floats(allow_nan=False) | not_numbers,  # refused without beam search
    "early_stopping": st.booleans() | not_bools,  # refused without beam search
    "enable_thinking": not_bools,
    "api_key_ref": not_text,
    "service_tier": st.just("") | not_text,  # any other string is Telnyx's to judge, per model
    "region": st.text(max_size=10).filter(lambda t: t not in REGIONS) | not_text,
    "mode": st.text(max_size=10) | not_text,  # even a valid mode is refused without a region
    "reasoning_effort": st.text(max_size=10).filter(lambda t: t not in REASONING_EFFORTS)
    | not_text,
    "reasoning_history": st.text(max_size=10).filter(lambda t: t not in REASONING_HISTORY)
    | not_text,
}

invalid_params = st.sampled_from(sorted(INVALID)).flatmap(
    lambda name: st.tuples(st.just(name), INVALID[name])
)
PER_EXAMPLE = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_every_parameter_has_invalid_values() -> None:
    assert set(INVALID) == set(PARAM_NAMES)


def _chat_requests(emu: Emulator) -> int:
    # (LlamaIndex may read the model catalog once per base URL; that is not the call.)
    return sum(1 for entry in emu.journal if entry.path.endswith("chat/completions"))


def _names(err: BaseException, name: str) -> bool:
    """The error names the parameter (or a path inside it, like ``guided_json.type``)."""
    param = getattr(err, "param", None)
    if isinstance(param, str):
        return param == name or param.startswith((f"{name}.", f"{name}["))
    return name in str(err)


@settings(max_examples=400, deadline=None)
@given(invalid_params)
def test_core_refuses_and_names_the_parameter(param: tuple[str, Any]) -> None:
    name, value = param
    with pytest.raises((InvalidParameterError, InvalidParameterTypeError)) as info:
        ChatParams.build(**{name: value})
    assert _names(info.value, name), f"{info.value.param!r} named for {name}={value!r}"


@PER_EXAMPLE
@given(invalid_params)
def test_adapters_refuse_at_construction(telnyx_emulator: Emulator, param: tuple[str, Any]) -> None:
    name, value = param
    for build in (ChatTelnyx, Telnyx):
        with pytest.raises((ValueError, TypeError)) as info:
            build(base_url=telnyx_emulator.base_url, api_key="k", **{name: value})
        assert _names(info.value, name), f"{build.__name__}({name}={value!r}): {info.value}"


@PER_EXAMPLE
@given(invalid_params)
def test_adapters_refuse_per_call_before_sending(
    telnyx_emulator: Emulator, param: tuple[str, Any]
) -> None:
    name, value = param
    before = _chat_requests(telnyx_emulator)
    lc = ChatTelnyx(base_url=telnyx_emulator.base_url, api_key="k")
    li = Telnyx(base_url=telnyx_emulator.base_url, api_key="k")
    calls = {
        "ChatTelnyx.invoke": lambda: lc.invoke("hi", **{name: value}),
        "ChatTelnyx.stream": lambda: list(lc.stream("hi", **{name: value})),
        "Telnyx.chat": lambda: li.chat([ChatMessage(role="user", content="hi")], **{name: value}),
        "Telnyx.stream_chat": lambda: list(
            li.stream_chat([ChatMessage(role="user", content="hi")], **{name: value})
        ),
    }
    for where, call in calls.items():
        with pytest.raises((InvalidParameterError, InvalidParameterTypeError)) as info:
            call()
        assert _names(info.value, name), f"{where}({name}={value!r}): {info.value}"
    assert _chat_requests(telnyx_emulator) == before, "a chat request was sent"


def test_chat_model_stop_not_a_list() -> None:
    lc = ChatTelnyx(base_url="http://127.0.0.1:9/v2/ai/openai", api_key="k")
    with pytest.raises(InvalidParameterTypeError) as info:
        lc.invoke("hi", stop=7)
    assert info.value.param == "stop"
