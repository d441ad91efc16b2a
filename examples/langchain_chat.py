"""ChatTelnyx in LangChain: invoke, stream, a tool-calling agent loop, structured output (on
``response_format: json_schema``), logprobs and reasoning. Mirrors ``notebooks/langchain_chat.ipynb``.

    python examples/langchain_chat.py       # offline unless TELNYX_API_KEY is set
"""

from __future__ import annotations

import math
from typing import Literal

from _connection import telnyx_or_emulator
from langchain_core.messages import BaseMessage, HumanMessage
from langchain_core.tools import tool
from pydantic import BaseModel, Field

from langchain_telnyx import ChatTelnyx, Regex


@tool
def get_weather(city: str) -> str:
    """The current weather in a city."""
    return {"Paris": "18 °C, light rain", "Chicago": "24 °C, sunny"}.get(city, "no data")


class Lead(BaseModel):
    name: str = Field(min_length=1, description="The caller's full name")
    company: str = Field(min_length=1)
    seats: int = Field(ge=1, le=1000)


def agent_loop(llm: ChatTelnyx, question: str, max_steps: int = 5) -> str:
    """Call the model, run the tools it asks for, repeat until it answers."""
    agent = llm.bind_tools([get_weather])
    messages: list[BaseMessage] = [HumanMessage(question)]
    for _ in range(max_steps):
        ai = agent.invoke(messages)
        messages.append(ai)
        if not ai.tool_calls:
            return ai.text
        for call in ai.tool_calls:
            print(f"  tool call: {call['name']}({call['args']})")
            messages.append(get_weather.invoke(call))
    raise RuntimeError(f"no answer after {max_steps} steps")


def main() -> None:
    with telnyx_or_emulator() as target:
        llm = ChatTelnyx(**target.connection, temperature=0.2)

        print("invoke:", llm.invoke("In one sentence, what is a SIP trunk?").text)

        print("stream:", end=" ")
        for chunk in llm.stream("Name three uses of a voice API.", enable_thinking=False):
            print(chunk.text, end="", flush=True)
        print()

        print("agent:", agent_loop(llm, "Use get_weather: what is the weather in Paris?"))

        print(
            "json_schema:",
            repr(
                llm.with_structured_output(Lead).invoke(
                    "Hi, Ada Lovelace from Analytical Engines here; we need 12 seats."
                )
            ),
        )
        print(
            "regex:",
            llm.with_structured_output(Regex(r"\+1 \d{3}-\d{3}-\d{4}")).invoke(
                "Make up a US phone number."
            ),
        )
        print(
            "choice:",
            llm.with_structured_output(Literal["positive", "neutral", "negative"]).invoke(
                "The call quality was excellent!"
            ),
        )

        reply = llm.invoke("Describe Telnyx in five words.", logprobs=True, top_logprobs=2)
        tokens = reply.response_metadata["logprobs"]["content"]
        print("logprobs:", " ".join(f"{t['token']!r}:{math.exp(t['logprob']):.2f}" for t in tokens))

        question = "A call costs $0.002 per minute. How much do 90 minutes cost?"
        for thinking in (True, False):
            reply = llm.invoke(question, enable_thinking=thinking)
            reasoning = [b for b in reply.content_blocks if b["type"] == "reasoning"]
            print(
                f"enable_thinking={thinking}: {len(reasoning)} reasoning block(s), "
                f"{reply.usage_metadata['output_tokens']} output tokens"
            )


if __name__ == "__main__":
    main()
