"""Turn logic of a tool-using model, over HTTP: what the emulator does at each step of an
agent loop (calls made, calls answered, tool_choice, ReAct text), and the text it answers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telnyx_inference.emulator.model import turns

from ._support import CHAT, HOSTED, PLAIN

WEATHER = {"type": "function", "function": {"name": "get_weather", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
TIME = {"type": "function", "function": {"name": "get_time", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
ADD = {"type": "function", "function": {"name": "add", "parameters": {
    "type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
    "required": ["a", "b"]}}}
MULTIPLY = {"type": "function", "function": {"name": "multiply", "parameters": {
    "type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "integer"}},
    "required": ["a", "b"]}}}
REPORT = {"type": "function", "function": {"name": "WeatherReport", "parameters": {
    "type": "object", "properties": {"city": {"type": "string"},
                                     "temperature_c": {"type": "number"},
                                     "conditions": {"type": "string"}},
    "required": ["city", "temperature_c", "conditions"]}}}
RESULTS = {"get_weather": {"Rome": "21 °C, sunny", "Paris": "18 °C, light rain"},
           "get_time": {"Tokyo": "05:40", "Rome": "21:40"}}


def send(http: httpx.Client, messages: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    r = http.post(CHAT, json={"model": PLAIN, "messages": messages, **extra})
    assert r.status_code == 200, r.text
    return r.json()["choices"][0]  # type: ignore[no-any-return]


def run_tool(name: str, args: dict[str, Any]) -> str:
    if name in ("add", "multiply"):
        return str(args["a"] + args["b"] if name == "add" else args["a"] * args["b"])
    return RESULTS[name].get(args.get("city", ""), "no data")


def agent_loop(http: httpx.Client, question: str, tools: list[dict[str, Any]],
               **extra: Any) -> tuple[list[dict[str, Any]], list[list[tuple[str, Any]]]]:
    """A minimal OpenAI-style agent loop; returns the messages and the calls of each step."""
    messages: list[dict[str, Any]] = [{"role": "user", "content": question}]
    steps: list[list[tuple[str, Any]]] = []
    for _ in range(len(tools) + 2):
        choice = send(http, messages, tools=tools, **extra)
        message = choice["message"]
        calls = message["tool_calls"]
        messages.append({"role": "assistant", "content": message["content"] or "",
                         "tool_calls": calls})
        if not calls:
            return messages, steps
        steps.append([(c["function"]["name"], json.loads(c["function"]["arguments"]))
                      for c in calls])
        if any(name == "WeatherReport" for name, _ in steps[-1]):
            return messages, steps  # the structured response ends the loop
        for c in calls:
            args = json.loads(c["function"]["arguments"])
            messages.append({"role": "tool", "tool_call_id": c["id"],
                             "content": run_tool(c["function"]["name"], args)})
    raise AssertionError(f"no answer after {len(tools) + 2} model calls: {steps}")


def test_one_tool_then_an_answer_stating_the_result(http: httpx.Client) -> None:
    messages, steps = agent_loop(http, "What is the weather in Paris?", [WEATHER])
    assert steps == [[("get_weather", {"city": "Paris"})]]
    assert messages[-1]["content"] == 'get_weather(city="Paris") returned 18 °C, light rain.'


def test_two_topical_tools_are_called_in_parallel(http: httpx.Client) -> None:
    messages, steps = agent_loop(http, "What's the weather in Rome and the time in Tokyo?",
                                 [WEATHER, TIME])
    assert steps == [[("get_weather", {"city": "Rome"}), ("get_time", {"city": "Tokyo"})]]
    answer = messages[-1]["content"]
    assert "21 °C, sunny" in answer
    assert "05:40" in answer


def test_a_call_that_needs_a_result_waits_for_it(http: httpx.Client) -> None:
    messages, steps = agent_loop(http, "Add 2 and 3, then multiply the result by 4.",
                                 [ADD, MULTIPLY])
    assert steps == [[("add", {"a": 2, "b": 3})], [("multiply", {"a": 5, "b": 4})]]
    assert messages[-1]["content"].endswith("multiply(a=5, b=4) returned 20.")


def test_numbers_before_a_full_stop_are_arguments(http: httpx.Client) -> None:
    _, steps = agent_loop(http, "Use add to add 2 and 3. Then multiply 3 by 7.", [ADD, MULTIPLY])
    assert steps == [[("add", {"a": 2, "b": 3}), ("multiply", {"a": 3, "b": 7})]]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What is 3 times 9?", [("multiply", {"a": 3, "b": 9})]),
        ("What is 4 plus 5?", [("add", {"a": 4, "b": 5})]),
    ],
)
def test_operator_words_name_the_arithmetic_tool(
    http: httpx.Client, question: str, expected: list[tuple[str, Any]]
) -> None:
    _, steps = agent_loop(http, question, [ADD, MULTIPLY])
    assert steps == [expected]


def test_required_finishes_with_the_schema_tool_filled_from_results(http: httpx.Client) -> None:
    _, steps = agent_loop(http, "weather in Rome?", [WEATHER, REPORT], tool_choice="required")
    assert steps == [
        [("get_weather", {"city": "Rome"})],
        [("WeatherReport", {"city": "Rome", "temperature_c": 21, "conditions": "sunny"})],
    ]


def test_an_answered_call_is_never_repeated(http: httpx.Client) -> None:
    messages = [
        {"role": "user", "content": "Use get_weather for Paris"},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function",
         "function": {"name": "get_weather", "arguments": '{"city": "Paris"}'}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "18 °C"},
    ]
    assert send(http, messages, tools=[WEATHER])["message"]["tool_calls"] == []
    # a new user turn asks again, so the tool is called again
    again = [*messages, {"role": "assistant", "content": "18 °C"},
             {"role": "user", "content": "And get_weather for Rome?"}]
    calls = send(http, again, tools=[WEATHER])["message"]["tool_calls"]
    assert [json.loads(c["function"]["arguments"]) for c in calls] == [{"city": "Rome"}]


REACT_SYSTEM = """You are designed to help with a variety of tasks.

## Tools

You have access to the following tools:
> Tool Name: multiply
Tool Description: multiply(a: int, b: int) -> int
Multiply two integers.
Tool Args: {"properties": {"a": {"title": "A", "type": "integer"}, "b": {"title": "B", "type": "integer"}}, "required": ["a", "b"], "type": "object"}

## Output Format

```
Thought: The current language of the user is: (user's language). I need to use a tool.
Action: tool name (one of multiply) if using a tool.
Action Input: the input to the tool, in a JSON format representing the kwargs
```

```
Observation: tool response
```

```
Thought: I can answer without using any more tools. I'll use the user's language to answer
Answer: [your answer here (In the same language as the user's question)]
```
"""


def test_react_text_protocol_acts_then_answers(http: httpx.Client) -> None:
    messages: list[dict[str, Any]] = [{"role": "system", "content": REACT_SYSTEM},
                                      {"role": "user", "content": "What is 6 times 7? Use multiply."}]
    first = send(http, messages)["message"]
    assert first["tool_calls"] == []
    assert first["content"].startswith("Thought: ")
    assert "\nAction: multiply\nAction Input: {\"a\": 6, \"b\": 7}" in first["content"]
    messages += [{"role": "assistant", "content": "Thought: I need a tool.\nAction: multiply\n"
                  "Action Input: {'a': 6, 'b': 7}"},
                 {"role": "user", "content": "Observation: 42"}]
    final = send(http, messages)["message"]["content"]
    assert final == ("Thought: I can answer without using any more tools. I'll use the user's "
                     "language to answer\nAnswer: multiply(a=6, b=7) returned 42.")


@pytest.mark.parametrize(("prompt", "reply"), [
    ("In one sentence, what is a SIP trunk?",
     "You asked: In one sentence, what is a SIP trunk? This is the Telnyx emulator's offline answer."),
    ("Say hello", "You asked me to say hello. This is the Telnyx emulator's offline reply."),
    ("Hi there!", "Hello! How can I help?"),
    ("I build voice bots.", "Noted: I build voice bots. This is the Telnyx emulator's offline reply."),
    ("What is (2 + 3) * 4?", "(2 + 3) * 4 = 20."),
    ("Call 312-555-1234", "You asked me to call 312-555-1234. This is the Telnyx emulator's "
     "offline reply."),
    ("Summarise: Telnyx runs a global IP network. It offers voice.",
     "In short: Telnyx runs a global IP network."),
])
def test_plain_replies_keep_the_users_punctuation(http: httpx.Client, prompt: str,
                                                  reply: str) -> None:
    assert send(http, [{"role": "user", "content": prompt}])["message"]["content"] == reply


def test_answers_from_context_and_from_earlier_turns(http: httpx.Client) -> None:
    rag = [{"role": "system", "content": "Answer from these sources.\n\n[1] Refunds are issued "
            "within five business days.\n[2] Support is open around the clock."},
           {"role": "user", "content": "How long do refunds take?"}]
    assert send(http, rag)["message"]["content"] == (
        "From the context: Refunds are issued within five business days [1].")
    template = ("Context information is below.\n---------------------\nfilename: leave.txt\n\n"
                "Employees get 25 vacation days per year.\n---------------------\n"
                "Query: How many vacation days do employees get?\nAnswer: ")
    assert send(http, [{"role": "user", "content": template}])["message"]["content"] == (
        "According to leave.txt: Employees get 25 vacation days per year.")
    memory = [{"role": "user", "content": "Hi, I am Ada and I build voice bots."},
              {"role": "assistant", "content": "Hello!"},
              {"role": "user", "content": "What did I say I build?"}]
    assert send(http, memory)["message"]["content"] == (
        "You said: Hi, I am Ada and I build voice bots.")


def test_reasoning_is_short_and_about_the_step(http: httpx.Client) -> None:
    r = http.post(CHAT, json={"model": HOSTED, "tools": [WEATHER], "messages": [
        {"role": "user", "content": "What is the weather in Paris?"}]})
    thought = r.json()["choices"][0]["message"]["reasoning_content"]
    assert "get_weather" in thought
    assert len(thought.split()) < 30


def test_a_follow_up_calls_the_previous_turns_tool_again(http: httpx.Client) -> None:
    messages, _ = agent_loop(http, "What is the weather in Rome?", [WEATHER])
    messages.append({"role": "user", "content": "And in Paris?"})
    call = send(http, messages, tools=[WEATHER])["message"]["tool_calls"][0]["function"]
    assert (call["name"], json.loads(call["arguments"])) == ("get_weather", {"city": "Paris"})


_PIECES = ["weather", "time", "add", "multiply", "in Rome", "Tokyo", "2", "7.", "then", "the result",
           "and", "get_weather", "by 4", "what is", "?", "please", "Paris,", "add(1, 2)"]
_TOOLS = {"weather": WEATHER, "time": TIME, "add": ADD, "multiply": MULTIPLY}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(question=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8).map(" ".join),
       names=st.sets(st.sampled_from(sorted(_TOOLS)), min_size=1),
       finish=st.booleans())
def test_any_question_ends_within_tools_plus_two_calls(http: httpx.Client, question: str,
                                                       names: set[str], finish: bool) -> None:
    tools = [_TOOLS[n] for n in sorted(names)] + ([REPORT] if finish else [])
    choice = {"tool_choice": "required"} if finish else {}
    messages, steps = agent_loop(http, question, tools, **choice)  # raises past tools + 2
    called = [name for step in steps for name, _ in step]
    if finish:
        assert called[-1] == "WeatherReport"
    else:
        assert messages[-1]["content"]


def test_a_result_ending_in_a_full_stop_gives_one_full_stop(http: httpx.Client) -> None:
    messages = [
        {"role": "user", "content": "Use get_weather for Oslo"},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function",
         "function": {"name": "get_weather", "arguments": '{"city": "Oslo"}'}}]},
        {"role": "tool", "tool_call_id": "c1", "content": "Snow all day."},
    ]
    content = send(http, messages, tools=[WEATHER])["message"]["content"]
    assert content == 'get_weather(city="Oslo") returned Snow all day.'


@pytest.mark.parametrize("args", [
    {"text": "it's", "n": 2},
    {"text": "say \"hi\"", "ok": True, "none": None},
    {"text": "it's \"quoted\"\tand\x1b", "nested": {"k": ["a'b", "c"]}},
    {"text": 'both \' and " and \\'},
])
def test_react_history_keeps_arguments_with_quotes(args: dict[str, Any]) -> None:
    # ReActAgent writes its earlier actions back as a Python dict's repr: a value holding an
    # apostrophe is double-quoted there, which must not lose the arguments.
    messages = [{"role": "system", "content": REACT_SYSTEM},
                {"role": "user", "content": "Use multiply."},
                {"role": "assistant", "content": f"Thought: a tool.\nAction: multiply\n"
                 f"Action Input: {args!r}"},
                {"role": "user", "content": "Observation: 42"}]
    (call,) = turns.read(messages).calls
    assert (call.name, call.args, call.result) == ("multiply", args, "42")
