"""How to test your own chain offline: the ``telnyx_emulator`` pytest fixture. Mirrors
``notebooks/testing_offline.ipynb``.

    python -m pytest examples/test_my_chain.py

Installing ``telnyx-inference`` registers the fixture: one emulator per test session, reset
(scripted replies, faults, journal, buckets) before each test. No key, no network.
"""

from __future__ import annotations

from typing import Any, Literal

import pytest
from langchain_core.exceptions import ModelRateLimitError
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable

from langchain_telnyx import ChatTelnyx
from telnyx_inference.emulator import Emulator, Fault, ScriptedReply

Team = Literal["billing", "technical", "sales"]


def make_triage(llm: ChatTelnyx) -> Runnable[dict[str, Any], Any]:
    """The code under test: route a support ticket to a team."""
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Route the ticket to one team."), ("human", "{ticket}")]
    )
    return prompt | llm.with_structured_output(Team)


def chat(emulator: Emulator, **kwargs: Any) -> ChatTelnyx:
    return ChatTelnyx(base_url=emulator.base_url, api_key="test-key", **kwargs)


def test_unscripted_answers_fit_the_schema(telnyx_emulator: Emulator) -> None:
    assert make_triage(chat(telnyx_emulator)).invoke({"ticket": "Charged twice"}) in (
        "billing",
        "technical",
        "sales",
    )


def test_scripted_answer_and_what_was_sent(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.script(ScriptedReply(content="billing"))
    triage = make_triage(chat(telnyx_emulator, temperature=0))
    assert triage.invoke({"ticket": "I was charged twice."}) == "billing"
    sent = telnyx_emulator.journal[-1].json
    schema = sent["response_format"]["json_schema"]["schema"]  # the choices, as a string enum
    assert schema["properties"]["value"]["enum"] == ["billing", "technical", "sales"]
    assert sent["temperature"] == 0
    assert sent["messages"][-1] == {"role": "user", "content": "I was charged twice."}


def test_server_errors_are_retried(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=503, times=2))
    assert chat(telnyx_emulator, max_retries=2).invoke("hi").text
    assert [entry.status for entry in telnyx_emulator.journal] == [503, 503, 200]


def test_rate_limit_without_retries(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.fault(Fault(kind="status", status=429))
    with pytest.raises(ModelRateLimitError):
        chat(telnyx_emulator, max_retries=0).invoke("hi")
