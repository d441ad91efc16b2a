"""One budget in every client: LangChain, LlamaIndex and the core, chat, embeddings and search,
sync and async, against the emulator enforcing the same limits."""

from __future__ import annotations

import asyncio
import pickle
from typing import Any

import pytest
from llama_index.core.llms import ChatMessage

from langchain_telnyx import ChatTelnyx, TelnyxEmbeddings, TelnyxRateLimiter
from llama_index_telnyx import Telnyx, TelnyxEmbedding
from telnyx_inference import Limits, RateLimitError, TelnyxClient, TokenBudget
from telnyx_inference._flows import Invoke, Pause
from telnyx_inference.emulator import Emulator, Fault

MODEL = "moonshotai/Kimi-K2.6"


def _statuses(emu: Emulator, part: str) -> list[int]:
    return [e.status for e in emu.journal if part in e.path]


@pytest.fixture
def limited(telnyx_emulator: Emulator) -> Emulator:
    """Output limited to 100 tokens per 2 s (the emulator's answers here are ~45 tokens)."""
    telnyx_emulator.configure(token_limits=True, token_window_seconds=2.0)
    telnyx_emulator.token_limits(models={MODEL: {"output": 100}})
    return telnyx_emulator


def _budget(**kw: Any) -> TokenBudget:
    return TokenBudget({MODEL: Limits(output=100)}, window_seconds=2.0, headroom=0.0, **kw)


def test_langchain_calls_wait_for_the_budget_instead_of_meeting_429s(limited: Emulator) -> None:
    budget = _budget(default_output_tokens=45)
    llm = ChatTelnyx(api_key="k", base_url=limited.base_url, rate_limiter=budget, max_retries=0)
    assert isinstance(llm.rate_limiter, TelnyxRateLimiter)
    assert llm.budget is budget
    answers = [llm.invoke(f"Describe city number {i}.") for i in range(4)]
    assert _statuses(limited, "chat") == [200, 200, 200, 200]
    spent = sum(a.usage_metadata["output_tokens"] for a in answers if a.usage_metadata)
    assert spent > 100, "more than one window's worth went through, by waiting"
    assert budget.used(MODEL)["output"] <= 100


def test_without_the_budget_the_same_calls_meet_the_limit(limited: Emulator) -> None:
    limited.configure(token_window_seconds=60.0)  # nothing rolls out while the test runs
    llm = ChatTelnyx(api_key="k", base_url=limited.base_url, max_retries=0)
    for i in range(3):
        llm.invoke(f"Describe city number {i}.")  # 3 x ~45 tokens: the third passes the limit
    with pytest.raises(RateLimitError, match="output tokens per minute"):
        llm.invoke("One more?")
    assert _statuses(limited, "chat") == [200, 200, 200, 429]


async def test_async_calls_share_the_budget_with_sync_ones(limited: Emulator) -> None:
    budget = _budget(default_output_tokens=45)
    llm = ChatTelnyx(api_key="k", base_url=limited.base_url, rate_limiter=budget, max_retries=0)
    await asyncio.gather(*(llm.ainvoke(f"City {i}?") for i in range(4)))
    assert _statuses(limited, "chat") == [200] * 4


def test_llamaindex_chat_and_both_embeddings_count_in_one_budget(limited: Emulator) -> None:
    budget = TokenBudget(window_seconds=2.0)
    llm = Telnyx(api_key="k", base_url=limited.base_url, budget=budget, max_retries=0)
    reply = llm.chat([ChatMessage(role="user", content="Hello there")])
    li_embed = TelnyxEmbedding(api_key="k", base_url=limited.base_url, budget=budget)
    li_embed.get_text_embedding("four words of text")
    lc_embed = TelnyxEmbeddings(api_key="k", base_url=limited.base_url, budget=budget)
    lc_embed.embed_documents(["four words of text"])
    assert budget.used(MODEL)["output"] == reply.raw.usage.completion_tokens
    # each text was estimated at 5 tokens and settled at the 4 the emulator reported
    assert budget.used("thenlper/gte-large")["input"] == 2 * 4


def test_a_429_holds_every_holder_until_the_reset(telnyx_emulator: Emulator) -> None:
    budget = TokenBudget()
    client = TelnyxClient(api_key="k", base_url=telnyx_emulator.base_url, budget=budget)
    other = TelnyxClient(api_key="k2", base_url=telnyx_emulator.base_url, budget=budget)
    telnyx_emulator.fault(Fault(kind="status", status=429, times=1))
    from telnyx_inference import build_chat_request

    body = build_chat_request([{"role": "user", "content": "hi"}], model=MODEL)
    with pytest.raises(RateLimitError):
        client.chat(body, max_retries=0)
    assert budget.used(MODEL) == {"input": 0, "uncached_input": 0, "output": 0}, "given back"
    steps = budget.reserving(body, MODEL, None, None)
    answer = next(steps)
    while isinstance(answer, Invoke):  # its turn, then the windows: until it has to wait
        answer = steps.send(getattr(answer.target, answer.method)(*answer.args))
    assert isinstance(answer, Pause), "the other client's next request waits for the reset"
    steps.close()  # the turn is given back
    assert 0 < answer.seconds <= 3.0
    del other


def test_a_budget_is_refused_by_name_when_it_is_not_one() -> None:
    with pytest.raises(TypeError, match="budget"):
        Telnyx(api_key="k", budget={"output": 5})


def test_models_with_a_budget_pickle_for_worker_processes(limited: Emulator) -> None:
    budget = TokenBudget(Limits(output=10_000))
    embed = TelnyxEmbedding(api_key="k", base_url=limited.base_url, budget=budget)
    copy = pickle.loads(pickle.dumps(embed))
    assert isinstance(copy.budget, TokenBudget)
    assert copy.budget.limits == Limits(output=10_000)
