from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis_server import require_redis, running_redis


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    require_redis()
    with running_redis() as (url, _):
        yield url


@pytest.fixture
def fresh_redis(redis_url: str) -> str:
    import redis

    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    return redis_url
