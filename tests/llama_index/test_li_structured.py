"""Structured output on guided decoding: the schema travels as guided_json and is validated."""

from __future__ import annotations

from typing import Literal

import pytest
from li_support import chat_bodies, make_llm
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel, Field

from llama_index_telnyx import Telnyx
from telnyx_inference.chat.structured import StructuredOutputError
from telnyx_inference.emulator import Emulator, ScriptedReply

PROMPT = PromptTemplate("Extract the invoice from: {text}")


class Invoice(BaseModel):
    """An invoice."""

    number: str = Field(description="Invoice number")
    total: float
    paid: bool


def _guided_schema(emu: Emulator) -> dict[str, object]:
    body = chat_bodies(emu)[-1]
    assert "tools" not in body
    return body["guided_json"]  # type: ignore[no-any-return]


def test_structured_predict_sends_the_schema_as_guided_json(llm: Telnyx, emu: Emulator) -> None:
    invoice = llm.structured_predict(Invoice, PROMPT, text="INV-7, 12.5 EUR, paid")
    assert invoice == Invoice(number="INV-7", total=12.5, paid=True)
    schema = _guided_schema(emu)
    assert set(schema["properties"]) == {"number", "total", "paid"}  # type: ignore[index]
    assert chat_bodies(emu)[-1]["messages"][-1]["content"].endswith("INV-7, 12.5 EUR, paid")


async def test_astructured_predict(llm: Telnyx, emu: Emulator) -> None:
    invoice = await llm.astructured_predict(Invoice, PROMPT, text="INV-8 for 20 EUR, paid")
    assert invoice == Invoice(number="INV-8", total=20, paid=True)
    assert "guided_json" in chat_bodies(emu)[-1]


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
    assert "guided_json" in chat_bodies(emu)[-1]


async def test_astream_structured_predict(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content='{"number": "INV-10", "total": 1, "paid": true}'))
    outputs = [o async for o in await llm.astream_structured_predict(Invoice, PROMPT, text="x")]
    assert outputs[-1] == Invoice(number="INV-10", total=1, paid=True)


def test_as_structured_llm(llm: Telnyx, emu: Emulator) -> None:
    sllm = llm.as_structured_llm(Invoice)
    response = sllm.chat([ChatMessage(role="user", content="Invoice INV-1 for 3 EUR, unpaid")])
    assert response.raw == Invoice(number="INV-1", total=3, paid=False)
    assert Invoice.model_validate_json(response.message.content or "") == response.raw
    assert "guided_json" in chat_bodies(emu)[-1]
    streamed = list(sllm.stream_chat([ChatMessage(role="user", content="Invoice INV-2, 5 EUR")]))
    assert streamed[-1].raw == Invoice(number="INV-2", total=5, paid=False)


async def test_as_structured_llm_async(llm: Telnyx, emu: Emulator) -> None:
    sllm = llm.as_structured_llm(Invoice)
    response = await sllm.achat([ChatMessage(role="user", content="Invoice INV-3")])
    assert isinstance(response.raw, Invoice)


def test_literal_output_uses_guided_choice(llm: Telnyx, emu: Emulator) -> None:
    answer = llm.structured_predict(
        Literal["positive", "negative"],  # type: ignore[arg-type]
        PromptTemplate("Sentiment of: {t}"),
        t="great!",
    )
    assert answer == "positive"
    assert chat_bodies(emu)[-1]["guided_choice"] == ["positive", "negative"]


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
