"""Tools: preparation, tool_choice mapping, the retrieval tool, reading calls back."""

from __future__ import annotations

import pytest
from li_support import chat_bodies
from llama_index.core.base.llms.types import ChatMessage, ChatResponse, ToolCallBlock
from llama_index.core.tools import FunctionTool

from llama_index_telnyx import Telnyx, TelnyxRetrievalTool
from telnyx_inference import InvalidParameterError, RetrievalTool
from telnyx_inference.emulator import Emulator, ScriptedReply


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


ADD = FunctionTool.from_defaults(add)
MULTIPLY = FunctionTool.from_defaults(multiply)


def test_prepare_chat_with_tools(llm: Telnyx) -> None:
    history = [ChatMessage(role="system", content="be brief")]
    prepared = llm._prepare_chat_with_tools(
        [ADD, MULTIPLY], user_msg="add 1 and 2", chat_history=history, tool_required=True
    )
    assert [m.content for m in prepared["messages"]] == ["be brief", "add 1 and 2"]
    assert [t["function"]["name"] for t in prepared["tools"]] == ["add", "multiply"]
    assert prepared["tool_choice"] == "required"
    assert history == [ChatMessage(role="system", content="be brief")]  # not mutated


@pytest.mark.parametrize(
    ("kwargs", "choice", "sent"),
    [
        ({}, None, ["add", "multiply"]),
        ({"tool_required": True}, "required", ["add", "multiply"]),
        ({"tool_choice": "auto"}, "auto", ["add", "multiply"]),
        ({"tool_choice": "none"}, "none", ["add", "multiply"]),
        ({"tool_choice": "any"}, "required", ["add", "multiply"]),
        ({"tool_choice": "multiply"}, "required", ["multiply"]),
        ({"tool_choice": {"type": "function", "function": {"name": "add"}}}, "required", ["add"]),
    ],
)
def test_tool_choice_is_mapped_to_what_telnyx_accepts(
    llm: Telnyx, emu: Emulator, kwargs: dict[str, object], choice: str | None, sent: list[str]
) -> None:
    emu.script(ScriptedReply(content="ok"))
    llm.chat_with_tools([ADD, MULTIPLY], user_msg="hello", **kwargs)  # type: ignore[arg-type]
    body = chat_bodies(emu)[-1]
    assert body.get("tool_choice") == choice
    assert [t["function"]["name"] for t in body["tools"]] == sent


def test_naming_an_unknown_tool_fails_before_sending(llm: Telnyx, emu: Emulator) -> None:
    with pytest.raises(InvalidParameterError, match="tool_choice"):
        llm.chat_with_tools([ADD], user_msg="hi", tool_choice="divide")
    assert chat_bodies(emu) == []


def test_max_tokens_beside_function_tools_is_retried_only_when_refused(emu: Emulator) -> None:
    from li_support import make_llm

    llm = make_llm(emu, max_tokens=64)
    llm.chat_with_tools([ADD], user_msg="add 1 and 2")
    assert chat_bodies(emu)[-1]["max_tokens"] == 64
    emu.configure(refuse_max_tokens_with_tools=True)
    with pytest.warns(UserWarning, match="code 10015"):
        response = llm.chat_with_tools([ADD], user_msg="add 1 and 2")
    assert llm.get_tool_calls_from_response(response)
    assert [b.get("max_tokens") for b in chat_bodies(emu)] == [64, 64, None]
    dropping = make_llm(emu, max_tokens=64, max_tokens_with_tools="drop")
    dropping.chat_with_tools([ADD], user_msg="add 1 and 2")
    assert "max_tokens" not in chat_bodies(emu)[-1]


def test_retrieval_tools_next_to_function_tools(llm: Telnyx, emu: Emulator) -> None:
    emu.seed_bucket("handbook", texts={"leave.txt": "Employees get 25 days of paid leave."})
    emu.seed_bucket("other", texts={"misc.txt": "Nothing about leave here."})
    docs = TelnyxRetrievalTool(bucket_ids=["handbook"], max_num_results=2)
    response = llm.chat_with_tools(
        [ADD, docs, RetrievalTool(bucket_ids=["other"])], "How many days of paid leave?"
    )
    tools = chat_bodies(emu)[-1]["tools"]
    assert tools[0]["type"] == "function"
    assert tools[1] == {
        "type": "retrieval",
        "retrieval": {"bucket_ids": ["handbook"], "max_num_results": 2},
    }
    assert tools[2] == {"type": "retrieval", "retrieval": {"bucket_ids": ["other"]}}
    assert (response.message.content or "").startswith("According to")


def test_the_retrieval_tool_is_never_run_client_side() -> None:
    out = TelnyxRetrievalTool(bucket_ids=["b"])("query")
    assert out.is_error
    assert "Telnyx" in out.content


def test_tool_calls_are_read_back(llm: Telnyx, emu: Emulator) -> None:
    response = llm.chat_with_tools([ADD], user_msg="please add(2, 3)", tool_required=True)
    calls = llm.get_tool_calls_from_response(response)
    assert [(c.tool_name, c.tool_kwargs) for c in calls] == [("add", {"a": 2, "b": 3})]
    assert calls[0].tool_id == response.message.additional_kwargs["tool_calls"][0]["id"]


def test_no_tool_call(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="no tools needed"))
    response = llm.chat_with_tools([ADD], user_msg="hi")
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="0 tool calls"):
        llm.get_tool_calls_from_response(response)


def test_parallel_calls_are_trimmed_unless_allowed(llm: Telnyx, emu: Emulator) -> None:
    calls = [
        {"name": "add", "arguments": {"a": 1, "b": 2}},
        {"name": "multiply", "arguments": {"a": 3, "b": 4}},
    ]
    emu.script(ScriptedReply(tool_calls=calls), ScriptedReply(tool_calls=calls))
    one = llm.chat_with_tools([ADD, MULTIPLY], user_msg="go")
    assert [c.tool_name for c in llm.get_tool_calls_from_response(one)] == ["add"]
    assert len(one.message.additional_kwargs["tool_calls"]) == 1
    both = llm.chat_with_tools([ADD, MULTIPLY], user_msg="go", allow_parallel_tool_calls=True)
    assert [c.tool_name for c in llm.get_tool_calls_from_response(both)] == ["add", "multiply"]


def test_partial_json_is_read_leniently_only_while_streaming(llm: Telnyx) -> None:
    message = ChatMessage(
        role="assistant",
        blocks=[ToolCallBlock(tool_call_id="c", tool_name="add", tool_kwargs='{"a": 1, "b":')],
    )
    streaming = ChatResponse(message=message, delta="")
    assert llm.get_tool_calls_from_response(streaming)[0].tool_kwargs == {"a": 1, "b": None}
    garbage = ChatResponse(
        message=ChatMessage(
            role="assistant",
            blocks=[ToolCallBlock(tool_call_id="c", tool_name="add", tool_kwargs="{]")],
        ),
        delta="",
    )
    assert llm.get_tool_calls_from_response(garbage)[0].tool_kwargs == {}
    finished = ChatResponse(message=message)  # not a streamed chunk: an error, not {}
    with pytest.raises(ValueError, match="not valid JSON"):
        llm.get_tool_calls_from_response(finished)


def test_tool_calls_from_additional_kwargs_only(llm: Telnyx) -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a": 1}'}}
    response = ChatResponse(
        message=ChatMessage(role="assistant", content="", additional_kwargs={"tool_calls": [call]})
    )
    (selection,) = llm.get_tool_calls_from_response(response)
    assert (selection.tool_id, selection.tool_name, selection.tool_kwargs) == (
        "c1",
        "add",
        {"a": 1},
    )


def test_every_streamed_chunk_can_be_read_for_tool_calls(llm: Telnyx, emu: Emulator) -> None:
    emu.script(
        ScriptedReply(tool_calls=[{"id": "c1", "name": "add", "arguments": {"a": 10, "b": 20}}])
    )
    seen = []
    for response in llm.stream_chat_with_tools([ADD], user_msg="go"):
        seen.append(llm.get_tool_calls_from_response(response, error_on_no_tool_call=False))
    assert seen[-1][0].tool_kwargs == {"a": 10, "b": 20}
    assert all(s[0].tool_id == "c1" for s in seen if s)


def test_predict_and_call(llm: Telnyx, emu: Emulator) -> None:
    result = llm.predict_and_call([ADD, MULTIPLY], user_msg="what is multiply(6, 7)?")
    assert result.response == "42"
    assert result.sources[0].tool_name == "multiply"


async def test_apredict_and_call(llm: Telnyx, emu: Emulator) -> None:
    result = await llm.apredict_and_call([ADD], user_msg="what is add(2, 2)?")
    assert result.response == "4"
