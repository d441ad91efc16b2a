"""Unknown per-call keyword arguments are refused by one core rule (naming the parameter,
with a "did you mean"); extra_body / model_kwargs stay the way to send unknown fields, and
LangChain's own call arguments keep working."""

from __future__ import annotations

import warnings

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from llama_index.core.base.llms.types import ChatMessage

from langchain_telnyx import ChatTelnyx
from llama_index_telnyx import Telnyx
from telnyx_inference import InvalidParameterError, TelnyxWarning
from telnyx_inference.emulator import Emulator


@pytest.fixture
def llm(telnyx_emulator: Emulator) -> ChatTelnyx:
    return ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url)


def test_a_typo_is_refused_before_sending(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    with pytest.raises(InvalidParameterError, match="did you mean 'temperature'") as info:
        llm.invoke("hi", temprature=0)
    assert info.value.param == "temprature"
    assert "extra_body" in str(info.value)
    assert telnyx_emulator.journal == []


async def test_async_and_streaming_too(llm: ChatTelnyx) -> None:
    with pytest.raises(InvalidParameterError, match="top_p"):
        await llm.ainvoke("hi", topp=0.5)
    with pytest.raises(InvalidParameterError, match="guided_choice"):
        list(llm.stream("hi", guided_choise=["a"]))


def test_both_adapters_say_the_same(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    li = Telnyx(api_key="k", base_url=telnyx_emulator.base_url)
    with pytest.raises(InvalidParameterError) as lc_error:
        llm.invoke("hi", temprature=0)
    with pytest.raises(InvalidParameterError) as li_error:
        li.chat([ChatMessage(role="user", content="hi")], temprature=0)
    assert str(lc_error.value) == str(li_error.value)


def test_extra_body_and_model_kwargs_send_unknown_fields(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    llm.invoke("hi", extra_body={"x_custom": 1}, model_kwargs={"y_custom": 2})
    body = telnyx_emulator.journal[-1].json
    assert (body["x_custom"], body["y_custom"]) == (1, 2)
    ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, model_kwargs={"z_custom": 3}).invoke(
        "hi"
    )
    assert telnyx_emulator.journal[-1].json["z_custom"] == 3


def test_langchain_call_arguments_still_work(llm: ChatTelnyx, telnyx_emulator: Emulator) -> None:
    seen: list[str] = []

    class Spy(BaseCallbackHandler):
        def on_chat_model_start(self, *args: object, **kwargs: object) -> None:
            seen.append("start")

    llm.invoke(
        "hi",
        stop=["zzz"],
        config={"callbacks": [Spy()], "tags": ["t"], "run_name": "r", "metadata": {"m": 1}},
        max_completion_tokens=7,
    )
    body = telnyx_emulator.journal[-1].json
    assert body["stop"] == ["zzz"]
    assert body["max_tokens"] == 7
    assert seen == ["start"]
    llm.bind(response_format={"type": "json_object"}).invoke("give me json")
    assert telnyx_emulator.journal[-1].json["response_format"] == {"type": "json_object"}


def test_parallel_tool_calls_false_is_a_notice_not_an_error(
    llm: ChatTelnyx, telnyx_emulator: Emulator
) -> None:
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        llm.invoke("hi", parallel_tool_calls=False)
        llm.invoke("hi", parallel_tool_calls=False)
    assert len([w for w in seen if issubclass(w.category, TelnyxWarning)]) == 1
    assert "parallel_tool_calls" not in telnyx_emulator.journal[-1].json
