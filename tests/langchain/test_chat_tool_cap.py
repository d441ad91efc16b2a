"""The max_tokens-beside-tools notice through LangChain: once per model, at the user's line;
proxied models keep their cap."""

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


def test_notice_once_per_model_at_the_invoke_line(telnyx_emulator: Emulator) -> None:
    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, max_tokens=50)
    bound = llm.bind_tools([add])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        for _ in range(4):
            bound.invoke("add(1, 2)")
    ours = [w for w in seen if issubclass(w.category, TelnyxWarning)]
    assert len(ours) == 1
    assert ours[0].filename == __file__
    assert all("max_tokens" not in r.json for r in telnyx_emulator.journal[-4:])


def test_proxied_model_keeps_its_cap(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.add_model("openai/gpt-5", 400_000)
    llm = ChatTelnyx(
        api_key="k",
        base_url=telnyx_emulator.base_url,
        model="openai/gpt-5",
        api_key_ref="my-openai-secret",
        max_tokens=50,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", TelnyxWarning)
        llm.bind_tools([add]).invoke("add(1, 2)")
    assert telnyx_emulator.journal[-1].json["max_tokens"] == 50


async def test_every_notice_points_at_the_users_line(telnyx_emulator: Emulator) -> None:
    from langchain_core.prompts import ChatPromptTemplate

    llm = ChatTelnyx(api_key="k", base_url=telnyx_emulator.base_url, max_tokens=50)
    chain = ChatPromptTemplate.from_messages([("user", "{q}")]) | llm.bind_tools([add])
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        llm.bind_tools([add], parallel_tool_calls=False)
        await chain.ainvoke({"q": "add(1, 2)"})  # max_tokens beside tools, in a chain
        llm.invoke("hi", parallel_tool_calls=False)
    ours = [w for w in seen if issubclass(w.category, TelnyxWarning)]
    assert len(ours) == 2  # parallel_tool_calls is said once, whichever way it came
    assert [w.filename for w in ours] == [__file__, __file__]
