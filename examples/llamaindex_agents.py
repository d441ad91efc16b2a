"""Telnyx in LlamaIndex: a FunctionAgent with tools, structured_predict (on ``response_format:
json_schema``), and a chat engine. Mirrors ``notebooks/llamaindex_agents.ipynb``.

    python examples/llamaindex_agents.py    # offline unless TELNYX_API_KEY is set
"""

from __future__ import annotations

import asyncio

from _connection import telnyx_or_emulator
from llama_index.core.agent.workflow import FunctionAgent, ToolCallResult
from llama_index.core.chat_engine import SimpleChatEngine
from llama_index.core.prompts import PromptTemplate
from pydantic import BaseModel, Field

from llama_index_telnyx import Telnyx


def multiply(a: float, b: float) -> float:
    """Multiply two numbers."""
    return a * b


def add(a: float, b: float) -> float:
    """Add two numbers."""
    return a + b


class Invoice(BaseModel):
    vendor: str = Field(min_length=1)
    total_usd: float = Field(ge=0, le=1_000_000)
    paid: bool


async def run_agent(llm: Telnyx, question: str) -> str:
    agent = FunctionAgent(tools=[multiply, add], llm=llm, system_prompt="Use the tools.")
    handler = agent.run(user_msg=question)
    async for event in handler.stream_events():
        if isinstance(event, ToolCallResult):
            print(f"  tool call: {event.tool_name}({event.tool_kwargs}) = {event.tool_output}")
    return str(await handler)


def main() -> None:
    with telnyx_or_emulator() as target:
        llm = Telnyx(**target.connection, temperature=0.2)

        print("agent:", asyncio.run(run_agent(llm, "Use multiply: what is 6 times 7?")))

        invoice = llm.structured_predict(
            Invoice,
            PromptTemplate("Extract the invoice: {text}"),
            text="ACME Telecom billed us $1,250.00 for March; we paid on April 2.",
        )
        print("structured_predict:", repr(invoice))

        chat = SimpleChatEngine.from_defaults(llm=llm, system_prompt="Be concise.")
        chat.chat("Hi, I am Ada and I build voice bots.")
        print("chat engine:", chat.chat("What did I say I build?").response)
        print(f"  {len(chat.chat_history)} messages in the history")


if __name__ == "__main__":
    main()
