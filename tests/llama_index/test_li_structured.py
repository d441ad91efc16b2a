"""Structured output: the schema travels as response_format json_schema (guided_json on
request) and the answer is validated; request bodies read from the emulator's journal."""

from __future__ import annotations

import warnings
from typing import Any, Literal

import pytest
from li_support import chat_bodies, make_llm
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel, Field

from llama_index_telnyx import Telnyx
from telnyx_inference.chat.structured import StructuredOutputError
from telnyx_inference.emulator import Emulator, ScriptedReply
from telnyx_inference.errors import TelnyxWarning

PROMPT = PromptTemplate("Extract the invoice from: {text}")


class Invoice(BaseModel):
    """An invoice."""

    number: str = Field(description="Invoice number")
    total: float
    paid: bool


def sent_format(emu: Emulator, name: str = "Invoice") -> dict[str, Any]:
    """The last request's json_schema format, checked: no tools, no guided field."""
    body = chat_bodies(emu)[-1]
    assert "tools" not in body
    assert not [k for k in body if k.startswith("guided_")]
    assert body["response_format"]["type"] == "json_schema"
    fmt = body["response_format"]["json_schema"]
    assert fmt["name"] == name
    return fmt  # type: ignore[no-any-return]


def test_structured_predict_sends_the_schema_as_json_schema(llm: Telnyx, emu: Emulator) -> None:
    invoice = llm.structured_predict(Invoice, PROMPT, text="INV-7, 12.5 EUR, paid")
    assert invoice == Invoice(number="INV-7", total=12.5, paid=True)
    fmt = sent_format(emu)
    assert fmt["schema"] == Invoice.model_json_schema()
    assert fmt["description"] == "An invoice."
    assert chat_bodies(emu)[-1]["messages"][-1]["content"].endswith("INV-7, 12.5 EUR, paid")


def test_guided_json_on_request(llm: Telnyx, emu: Emulator) -> None:
    llm_kwargs = {"structured_method": "guided_json"}
    invoice = llm.structured_predict(Invoice, PROMPT, llm_kwargs, text="INV-7, 12.5 EUR, paid")
    assert invoice == Invoice(number="INV-7", total=12.5, paid=True)
    body = chat_bodies(emu)[-1]
    assert body["guided_json"] == Invoice.model_json_schema()
    assert "response_format" not in body
    guided = make_llm(emu, structured_method="guided_json")
    guided.structured_predict(Invoice, PROMPT, text="INV-7, 12.5 EUR, paid")
    assert "guided_json" in chat_bodies(emu)[-1]
    with pytest.raises(ValueError, match="structured_method"):
        llm.structured_predict(Invoice, PROMPT, {"structured_method": "xml"}, text="x")


def test_strict_maps_to_json_schema_strict(emu: Emulator) -> None:
    make_llm(emu, structured_strict=True).structured_predict(Invoice, PROMPT, text="INV-7, 1 EUR")
    assert sent_format(emu)["strict"] is True


async def test_astructured_predict(llm: Telnyx, emu: Emulator) -> None:
    invoice = await llm.astructured_predict(Invoice, PROMPT, text="INV-8 for 20 EUR, paid")
    assert invoice == Invoice(number="INV-8", total=20, paid=True)
    sent_format(emu)


def test_the_answer_is_validated(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content='{"number": "A1", "total": "lots"}'))
    with pytest.raises(StructuredOutputError, match="total"):
        llm.structured_predict(Invoice, PROMPT, text="x")


def test_stream_structured_predict_yields_partials_then_the_object(
    llm: Telnyx, emu: Emulator
) -> None:
    emu.script(ScriptedReply(content='{"number": "INV-9", "total": 99.5, "paid": false}'))
    outputs = list(llm.stream_structured_predict(Invoice, PROMPT, text="x"))
    assert len(outputs) > 2
    assert outputs[-1] == Invoice(number="INV-9", total=99.5, paid=False)
    assert any(getattr(o, "number", None) == "INV-9" for o in outputs[:-1])
    sent_format(emu)


async def test_astream_structured_predict(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content='{"number": "INV-10", "total": 1, "paid": true}'))
    outputs = [o async for o in await llm.astream_structured_predict(Invoice, PROMPT, text="x")]
    assert outputs[-1] == Invoice(number="INV-10", total=1, paid=True)
    sent_format(emu)


def test_as_structured_llm(llm: Telnyx, emu: Emulator) -> None:
    sllm = llm.as_structured_llm(Invoice)
    response = sllm.chat([ChatMessage(role="user", content="Invoice INV-1 for 3 EUR, unpaid")])
    assert response.raw == Invoice(number="INV-1", total=3, paid=False)
    assert Invoice.model_validate_json(response.message.content or "") == response.raw
    sent_format(emu)
    streamed = list(sllm.stream_chat([ChatMessage(role="user", content="Invoice INV-2, 5 EUR")]))
    assert streamed[-1].raw == Invoice(number="INV-2", total=5, paid=False)


async def test_as_structured_llm_async(llm: Telnyx, emu: Emulator) -> None:
    sllm = llm.as_structured_llm(Invoice)
    response = await sllm.achat([ChatMessage(role="user", content="Invoice INV-3")])
    assert isinstance(response.raw, Invoice)


def test_as_structured_llm_takes_the_method(llm: Telnyx, emu: Emulator) -> None:
    sllm = llm.as_structured_llm(Invoice, method="guided_json")
    sllm.chat([ChatMessage(role="user", content="Invoice INV-1 for 3 EUR, unpaid")])
    assert "guided_json" in chat_bodies(emu)[-1]
    assert llm.structured_method == "json_schema"  # the LLM itself is unchanged
    with pytest.raises(ValueError, match="method"):
        llm.as_structured_llm(Invoice, method="xml")


def test_literal_output_as_a_string_enum_or_guided_choice(llm: Telnyx, emu: Emulator) -> None:
    sentiment: Any = Literal["positive", "negative"]
    answer = llm.structured_predict(sentiment, PromptTemplate("Sentiment of: {t}"), t="great!")
    assert answer == "positive"
    fmt = sent_format(emu, "choice")
    assert fmt["schema"]["properties"]["value"]["enum"] == ["positive", "negative"]
    guided = {"structured_method": "guided_json"}
    answer = llm.structured_predict(sentiment, PromptTemplate("Sentiment: {t}"), guided, t="bad")
    assert answer == "negative"
    assert chat_bodies(emu)[-1]["guided_choice"] == ["positive", "negative"]


def test_default_does_not_depend_on_guided_fields(llm: Telnyx, emu: Emulator) -> None:
    emu.configure(guided="ignore")
    invoice = llm.structured_predict(Invoice, PROMPT, text="INV-7, 12.5 EUR, paid")
    assert invoice == Invoice(number="INV-7", total=12.5, paid=True)
    streamed = list(llm.stream_structured_predict(Invoice, PROMPT, text="INV-7, 12.5 EUR, paid"))
    assert streamed[-1] == invoice


def test_guided_method_fails_closed_when_ignored(llm: Telnyx, emu: Emulator) -> None:
    emu.configure(guided="ignore")
    guided = {"structured_method": "guided_json"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the error says it; no warning on top
        with pytest.raises(StructuredOutputError, match="guided_json was probably ignored"):
            llm.structured_predict(Invoice, PROMPT, guided, text="INV-7, 12.5 EUR, paid")


def test_plain_guided_call_warns_when_ignored(llm: Telnyx, emu: Emulator) -> None:
    emu.configure(guided="ignore")
    with pytest.warns(TelnyxWarning, match="does not follow the guided_choice") as caught:
        llm.complete("Is water wet?", guided_choice=["yes", "no"])
    assert caught[0].filename == __file__
    with pytest.raises(StructuredOutputError):
        llm.complete("Is water wet?", guided_choice=["yes", "no"], guided_check="error")


def test_guided_regex_and_choice_per_call(emu: Emulator) -> None:
    llm = make_llm(emu, guided_choice=["yes", "no"])
    assert llm.complete("Is water wet?").text in ("yes", "no")
    text = llm.complete("Give a code", guided_regex=r"[A-Z]{3}-\d{2}").text
    body = chat_bodies(emu)[-1]
    assert body["guided_regex"] == r"[A-Z]{3}-\d{2}"
    assert "guided_choice" not in body  # the per-call option replaces the instance's
    import re

    assert re.fullmatch(r"[A-Z]{3}-\d{2}", text)
    llm.chat([ChatMessage(role="user", content="hi")], guided_json=Invoice)
    assert "number" in chat_bodies(emu)[-1]["guided_json"]["properties"]


def test_streamed_choices_come_unwrapped(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content='{"value": "negative"}'))
    sentiment: Any = Literal["positive", "negative"]
    outputs = list(llm.stream_structured_predict(sentiment, PromptTemplate("Mood: {t}"), t="bad"))
    assert outputs[-1] == "negative"
    assert all(o is None or isinstance(o, str) for o in outputs)
    assert "negative" in outputs[:-1]  # a partial that is the value, never the {"value": ...}
