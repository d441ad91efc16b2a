"""Shared pools are keyed by connection settings, not by API key; every client owner closes.

200 clients with 200 keys used to open 200 pools (some 400 file descriptors, held for the life
of the process, the keys kept in a module table, no way to close them). Now they share one pool,
each key goes in its own request's header, and ``close()`` / ``with`` hand the pool back.
"""

from __future__ import annotations

import asyncio
from typing import Any

import psutil
import pytest

from telnyx_inference import (
    AsyncBuckets,
    AsyncEmbedder,
    AsyncTelnyxClient,
    AuthenticationError,
    Buckets,
    Embedder,
    TelnyxClient,
    TelnyxError,
    build_chat_request,
)
from telnyx_inference.emulator import Emulator
from telnyx_inference.transport import pools
from telnyx_inference.transport.pools import PoolTable

BODY = build_chat_request([{"role": "user", "content": "Say hello"}])
_PROCESS = psutil.Process()


def _client_sockets(port: int) -> int:
    """Sockets of this process connected *to* the emulator (not the server's own ends)."""
    return sum(1 for c in _PROCESS.net_connections("tcp") if c.raddr and c.raddr.port == port)


def _pools_for(emu: Emulator) -> list[Any]:
    return [http for http in pools.shared_http_clients() if f":{emu.port}/" in str(http.base_url)]


def test_many_keys_share_one_pool_and_a_few_descriptors(own_emulator: Emulator) -> None:
    before = _PROCESS.num_fds()
    clients = [
        TelnyxClient(api_key=f"user-key-{i:03d}", base_url=own_emulator.base_url)
        for i in range(200)
    ]
    for client in clients:
        client.models(refresh=True)
    assert _PROCESS.num_fds() - before <= 10
    assert len(_pools_for(own_emulator)) == 1
    assert _client_sockets(own_emulator.port) == 1  # one keep-alive connection for all
    for client in clients:
        client.close()
    assert _client_sockets(own_emulator.port) == 0


def test_each_request_carries_its_own_key_on_the_shared_pool() -> None:
    with Emulator(api_key="the-right-key") as emu:
        right = TelnyxClient(api_key="the-right-key", base_url=emu.base_url)
        wrong = TelnyxClient(api_key="a-wrong-key", base_url=emu.base_url)
        assert right.chat(BODY).first.content
        with pytest.raises(AuthenticationError):
            wrong.chat(BODY)
        assert right.chat(BODY).first.content
        assert right.transport.client._client is wrong.transport.client._client  # one pool


def test_close_hands_the_pool_back_and_the_last_one_closes_it(
    own_emulator: Emulator,
) -> None:
    first = TelnyxClient(api_key="k1", base_url=own_emulator.base_url)
    with TelnyxClient(api_key="k2", base_url=own_emulator.base_url) as second:
        first.chat(BODY)
        second.chat(BODY)
    assert _client_sockets(own_emulator.port) == 1  # still held by the first client
    assert first.chat(BODY).first.content
    first.close()
    assert _client_sockets(own_emulator.port) == 0
    assert _pools_for(own_emulator) == []
    with pytest.raises(TelnyxError, match="was closed"):
        second.chat(BODY)


def test_a_client_dropped_without_close_leaves_its_pool_for_the_next(
    own_emulator: Emulator,
) -> None:
    TelnyxClient(api_key="k1", base_url=own_emulator.base_url).chat(BODY)  # then collected
    assert _client_sockets(own_emulator.port) == 1
    with TelnyxClient(api_key="k2", base_url=own_emulator.base_url) as client:
        client.chat(BODY)
        assert _client_sockets(own_emulator.port) == 1  # the same connection, reused
    assert _client_sockets(own_emulator.port) == 0


async def test_async_clients_share_one_pool_and_aclose_releases_it(
    own_emulator: Emulator,
) -> None:
    clients = [
        AsyncTelnyxClient(api_key=f"user-key-{i:03d}", base_url=own_emulator.base_url)
        for i in range(50)
    ]
    await asyncio.gather(*(client.chat(BODY) for client in clients))
    assert len(_pools_for(own_emulator)) == 1
    for client in clients[1:]:
        await client.aclose()
    assert len(_pools_for(own_emulator)) == 1  # the first client still holds it
    async with clients[0]:
        pass
    assert _pools_for(own_emulator) == []
    assert _client_sockets(own_emulator.port) == 0


def test_owners_close_what_they_built_and_not_what_they_were_given(
    own_emulator: Emulator,
) -> None:
    url = own_emulator.base_url
    given = TelnyxClient(api_key="k", base_url=url)
    with Buckets(given) as buckets, Embedder(given) as embedder:
        assert buckets.client is embedder.client is given
    given.chat(BODY)  # still open: the owners did not build it
    with Buckets(api_key="k", base_url=url) as built, Embedder(api_key="k", base_url=url) as own:
        built.list_buckets()
        own.embed(["a text"])
    for owner in (built, own):
        with pytest.raises(TelnyxError, match="was closed"):
            owner.client.chat(BODY)
    given.close()


async def test_async_owners_close_what_they_built(own_emulator: Emulator) -> None:
    url = own_emulator.base_url
    async with AsyncBuckets(api_key="k", base_url=url) as buckets:
        await buckets.list_buckets()
    async with AsyncEmbedder(api_key="k", base_url=url) as embedder:
        await embedder.embed(["a text"])
    for owner in (buckets, embedder):
        with pytest.raises(TelnyxError, match="was closed"):
            await owner.client.chat(BODY)
    assert _pools_for(own_emulator) == []


def test_framework_models_close_their_clients(own_emulator: Emulator) -> None:
    from langchain_telnyx import ChatTelnyx

    with ChatTelnyx(api_key="k", base_url=own_emulator.base_url) as model:
        assert model.invoke("hi").content
        assert _client_sockets(own_emulator.port) == 1
    assert _client_sockets(own_emulator.port) == 0
    assert model.invoke("hi").content  # a later call builds a new client
    model.close()


def test_idle_pools_are_bounded_and_the_oldest_closed_first() -> None:
    table = PoolTable(idle_limit=2)
    closed: list[str] = []
    for name in ("a", "b", "c", "d"):
        _, to_close = table.lease(name, lambda name=name: name)  # type: ignore[misc]
        closed += to_close
        table.collected(name)  # the holder is collected without close()
    closed += table.lease("e", lambda: "e")[1]
    assert closed == ["a", "b"]  # c and d stay open for a next holder, e is held
    assert sorted(table.clients()) == ["c", "d", "e"]
    assert table.release("e", close=True) == ["e"]
    assert table.lease("c", lambda: "new c")[0] == "c"  # an idle pool is reused
