"""max_tokens beside function tools through LangChain: sent; when the model refuses it (code
10015) the call goes once more without it, said once per model at the user's line."""

from __future__ import annotations

import warnings

from langchain_core.tools import tool

from langchain_telnyx import ChatTelnyx
from telnyx_inference import TelnyxWarning
from telnyx_inference.emulator import Emulator


@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def test_refused_cap_is_retried_without_it_once_per_model(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.configure(refuse_max_tokens_with_tools=True)
    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, max_tokens=50)
    bound = llm.bind_tools([add])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for _ in range(2):
            message = bound.invoke("add(1, 2)")
        streamed = list(bound.stream("add(1, 2)"))
    assert message.tool_calls
    assert streamed
    ours = [w for w in seen if issubclass(w.category, TelnyxWarning)]
    assert len(ours) == 1
    assert ours[0].filename == __file__
    assert "code 10015" in str(ours[0].message)
    sent = [e.json.get("max_tokens") for e in telnyx_emulator.journal]
    assert sent == [50, None] * 3
    assert [e.status for e in telnyx_emulator.journal] == [400, 200] * 3


def test_proxied_model_keeps_its_cap(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.configure(refuse_max_tokens_with_tools=True)
    telnyx_emulator.add_model("openai/gpt-5", 400_000)
    llm = ChatTelnyx(
        api_key="k",
        base_url=telnyx_emulator.base_url,
        model="openai/gpt-5",
        api_key_ref="my-openai-secret",
        max_tokens=50,
        max_tokens_with_tools="drop",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", TelnyxWarning)
        llm.bind_tools([add]).invoke("add(1, 2)")
    assert telnyx_emulator.journal[-1].json["max_tokens"] == 50
    assert len(telnyx_emulator.journal) == 1


async def test_every_notice_points_at_the_users_line(telnyx_emulator: Emulator) -> None:
    from langchain_core.prompts import ChatPromptTemplate

    telnyx_emulator.configure(refuse_max_tokens_with_tools=True)
    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, max_tokens=50)
    chain = ChatPromptTemplate.from_messages([("user", "{q}")]) | llm.bind_tools([add])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        llm.bind_tools([add], parallel_tool_calls=False)
        await chain.ainvoke({"q": "add(1, 2)"})  # a refused max_tokens, retried, in a chain
        llm.invoke("hi", parallel_tool_calls=False)
    ours = [w for w in seen if issubclass(w.category, TelnyxWarning)]
    assert len(ours) == 2  # parallel_tool_calls is said once, whichever way it came
    assert [w.filename for w in ours] == [__file__, __file__]
