"""Scenarios run twice — through a recorder in front of a second emulator, then against the
replaying emulator — whose results must come out equal."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import openai
from pydantic import BaseModel

from telnyx_inference.emulator import Emulator

CANARY = "sk-canary-7f3a9e1d5c2b-do-not-leak"
HOSTED = "zai-org/GLM-5.2"
PLAIN = "meta-llama/Meta-Llama-3.1-8B-Instruct"
HANDBOOK = {
    "vacation.txt": "Employees get 25 vacation days a year. Unused days carry over once.",
    "expenses.txt": "Submit expenses within 30 days with receipts attached.",
}


class Person(BaseModel):
    """A person."""

    name: str
    age: int


def get_weather(city: str) -> str:
    """The current weather in a city."""
    return f"Sunny in {city}"


@contextmanager
def recorded(folder: Path) -> Iterator[tuple[Emulator, Emulator]]:
    """A recorder writing to ``folder`` in front of a second emulator (the upstream)."""
    with Emulator() as upstream:
        upstream.seed_bucket("handbook", texts=HANDBOOK)
        with Emulator(record=folder, upstream=upstream.root) as recorder:
            yield recorder, upstream


def record_then_replay(
    folder: Path, scenario: Callable[[str, str], Any], replay_key: str = "ci-dummy-key"
) -> tuple[Any, Any]:
    """``scenario(base_url, key)`` through the recorder (checking the key was not written),
    then, with the upstream stopped, replayed."""
    with recorded(folder) as (recorder, _):
        first = scenario(recorder.base_url, CANARY)
    text = "".join(p.read_text() for p in folder.iterdir())
    assert text, "nothing was recorded"
    assert CANARY not in text, "the key reached a cassette"
    with Emulator(replay=folder, replay_strict=True) as replayer:
        second = scenario(replayer.base_url, replay_key)
    return first, second


# --- scenarios: each returns plain data to compare -------------------------------------------


def openai_sdk(base_url: str, key: str) -> dict[str, Any]:
    with openai.OpenAI(base_url=base_url, api_key=key, max_retries=0) as client:
        msgs: list[Any] = [{"role": "user", "content": "Name a colour."}]
        done = client.chat.completions.create(model=HOSTED, messages=msgs)
        chunks = client.chat.completions.create(
            model=HOSTED, messages=msgs, stream=True, stream_options={"include_usage": True}
        )
        tools = client.chat.completions.create(
            model=PLAIN,
            messages=[{"role": "user", "content": "What is the weather in Oslo?"}],
            tools=[
                {
                    "type": "function",
                    "function": {
                        "name": "get_weather",
                        "parameters": {
                            "type": "object",
                            "properties": {"city": {"type": "string"}},
                            "required": ["city"],
                        },
                    },
                }
            ],
            tool_choice="required",
        )
        guided = client.chat.completions.create(
            model=PLAIN,
            messages=[{"role": "user", "content": "Invent a person."}],
            extra_body={"guided_json": Person.model_json_schema()},
        )
        vectors = client.embeddings.create(model="thenlper/gte-large", input=["a", "b"])
        return {
            "invoke": done.model_dump(),
            "stream": [c.model_dump() for c in chunks],
            "tools": tools.model_dump(),
            "guided": guided.choices[0].message.content,
            "embeddings": [d.embedding for d in vectors.data],
        }


def langchain(base_url: str, key: str) -> dict[str, Any]:
    from langchain_telnyx import ChatTelnyx, TelnyxBucketRetriever, TelnyxEmbeddings

    llm = ChatTelnyx(model=PLAIN, base_url=base_url, api_key=key, max_retries=0)
    invoked = llm.invoke("Say hello")
    streamed = [
        (c.content, c.response_metadata, c.usage_metadata, c.additional_kwargs)
        for c in llm.stream("Tell me about Oslo", stream_usage=True)  # ids: LangChain run ids
    ]
    tool_msg = llm.bind_tools([get_weather]).invoke("Use get_weather for Oslo")
    person = llm.with_structured_output(Person).invoke("Invent a person")
    emb = TelnyxEmbeddings(base_url=base_url, api_key=key).embed_documents(["x", "y"])
    docs = TelnyxBucketRetriever(bucket_name="handbook", k=2, base_url=base_url,
                                 api_key=key).invoke("How many vacation days?")
    return {
        "invoke": (invoked.content, invoked.id),
        "stream": streamed,
        "tools": [(c["name"], c["args"], c["id"]) for c in tool_msg.tool_calls],
        "structured": person,
        "embeddings": emb,
        "search": [(d.page_content, d.metadata) for d in docs],
    }


def llama_index(base_url: str, key: str) -> dict[str, Any]:
    from llama_index.core.llms import ChatMessage
    from llama_index.core.tools import FunctionTool

    from llama_index_telnyx import Telnyx, TelnyxBucketRetriever, TelnyxEmbedding

    llm = Telnyx(model=PLAIN, base_url=base_url, api_key=key, max_retries=0)
    chat = llm.chat([ChatMessage(role="user", content="Say hello")])
    stream = [
        (r.delta, r.message.content, r.additional_kwargs)
        for r in llm.stream_chat([ChatMessage(role="user", content="Go on")])
    ]
    tool = FunctionTool.from_defaults(fn=get_weather)
    called = llm.chat_with_tools([tool], user_msg="Use get_weather for Oslo",
                                 tool_required=True)
    calls = llm.get_tool_calls_from_response(called, error_on_no_tool_call=False)
    person = llm.structured_predict(Person, _prompt("Invent a person"))
    emb = TelnyxEmbedding(base_url=base_url, api_key=key).get_text_embedding("hello")
    nodes = TelnyxBucketRetriever("handbook", 2, base_url=base_url, api_key=key).retrieve(
        "How many vacation days?"
    )
    return {
        "chat": chat.message.content,
        "stream": stream,
        "tools": [(c.tool_name, c.tool_kwargs, c.tool_id) for c in calls],
        "structured": person,
        "embedding": emb,
        "search": [(n.node.get_content(), n.score) for n in nodes],
    }


def _prompt(text: str) -> Any:
    from llama_index.core.prompts import PromptTemplate

    return PromptTemplate(text)


def core_buckets(base_url: str, key: str) -> dict[str, Any]:
    from telnyx_inference import TelnyxClient
    from telnyx_inference.buckets.bucket_api import Buckets

    buckets = Buckets(TelnyxClient(api_key=key, base_url=base_url, max_retries=0))
    job = buckets.wait(buckets.embed("handbook"), poll_interval=0.01, progress=False)
    found = buckets.search("handbook", "expenses", num_of_docs=1)
    listed, files = buckets.list_buckets(), buckets.files("handbook")
    buckets.disable("handbook")
    return {"job": job, "search": found, "listed": listed, "files": files,
            "after": buckets.list_buckets()}
