"""Query and chat engines on the emulator, with a local mock embedding model."""

from __future__ import annotations

from li_support import chat_bodies
from llama_index.core import Document, VectorStoreIndex
from llama_index.core.base.llms.types import ChatMessage
from llama_index.core.chat_engine import CondensePlusContextChatEngine, SimpleChatEngine
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.memory import ChatMemoryBuffer

from llama_index_telnyx import Telnyx
from telnyx_inference.emulator import Emulator, ScriptedReply

DOCS = [
    Document(text="Telnyx operates a private global IP network."),
    Document(text="The emulator answers offline, deterministically."),
]


def _index() -> VectorStoreIndex:
    return VectorStoreIndex.from_documents(DOCS, embed_model=MockEmbedding(embed_dim=8))


def test_vector_index_query_engine(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="A private global IP network."))
    engine = _index().as_query_engine(llm=llm, similarity_top_k=2)
    response = engine.query("What does Telnyx operate?")
    assert str(response) == "A private global IP network."
    assert len(response.source_nodes) == 2
    prompt = str(chat_bodies(emu)[-1]["messages"])
    assert "private global IP network" in prompt
    assert "What does Telnyx operate?" in prompt


async def test_streaming_query_engine(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="Streamed from the index."))
    engine = _index().as_query_engine(llm=llm, streaming=True)
    response = await engine.aquery("What answers offline?")
    text = "".join([token async for token in response.async_response_gen()])
    assert text == "Streamed from the index."
    assert chat_bodies(emu)[-1]["stream"] is True


def test_chat_engine_keeps_memory(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="Nice to meet you, Ada."), ScriptedReply(content="Ada."))
    memory = ChatMemoryBuffer.from_defaults(token_limit=2000, llm=llm)
    engine = SimpleChatEngine.from_defaults(llm=llm, memory=memory, system_prompt="Be brief.")
    assert str(engine.chat("My name is Ada.")) == "Nice to meet you, Ada."
    assert str(engine.chat("What is my name?")) == "Ada."
    messages = chat_bodies(emu)[-1]["messages"]
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]
    assert messages[1]["content"] == "My name is Ada."
    assert messages[2]["content"] == "Nice to meet you, Ada."
    assert [m.role for m in memory.get_all()] == ["user", "assistant", "user", "assistant"]


def test_streaming_chat_engine_with_context(llm: Telnyx, emu: Emulator) -> None:
    emu.script(ScriptedReply(content="It runs a private network."))
    engine = CondensePlusContextChatEngine.from_defaults(_index().as_retriever(), llm=llm)
    response = engine.stream_chat("What does Telnyx run?")
    assert "".join(response.response_gen) == "It runs a private network."
    history = engine.chat_history
    assert history[-1] == ChatMessage(role="assistant", content="It runs a private network.")
    assert "private global IP network" in str(chat_bodies(emu)[-1]["messages"])
