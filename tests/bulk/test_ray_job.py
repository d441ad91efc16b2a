"""A 2,000-row job on a real local Ray cluster, sharing a token budget through a real Redis,
with 1% of its requests failing for good: 2,000 rows out, in order, exactly those with errors.

Marked ``ray`` (the ``ray`` extra, a cluster start of a few seconds): ``.ci/run`` runs it in a
step of its own; ``pytest -m ray`` here.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import BaseModel
from redis_server import require_redis, running_redis

from telnyx_inference import Limits, TokenBudget
from telnyx_inference.bulk import ChatRows, EmbedRows
from telnyx_inference.emulator import Emulator, Fault

pytestmark = pytest.mark.ray
ray = pytest.importorskip("ray")
ROOT = Path(__file__).resolve().parents[2]
ROWS = 2000


class Person(BaseModel):
    name: str
    age: int


@pytest.fixture(scope="module")
def cluster() -> Iterator[None]:
    # Workers import this package and, for the schema class, this test module (from tests/).
    paths = [str(ROOT), str(ROOT / "tests"), os.environ.get("PYTHONPATH", "")]
    env = {"TELNYX_API_KEY": "ray-test-key", "PYTHONPATH": os.pathsep.join(filter(None, paths))}
    ray.init(
        num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": env}
    )
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True  # rows out in the order they came in
    ctx.enable_progress_bars = False
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    require_redis()
    with running_redis() as (url, _):
        yield url


def _failing(i: int) -> bool:
    return i % 100 == 7  # 20 rows of 2,000


def test_two_thousand_rows_keep_every_row_and_exactly_the_failures(
    cluster: None, redis_url: str
) -> None:
    with Emulator(token_limits=True) as emu:
        emu.fault(Fault(kind="status", status=500, times=None, match="[poison]"))
        budget = TokenBudget(Limits(output=2_000_000), redis=redis_url)
        rows = [
            {
                "id": i,
                "prompt": f"Ada Lovelace was {20 + i % 50}.{' [poison]' if _failing(i) else ''}",
            }
            for i in range(ROWS)
        ]
        out = (
            ray.data.from_items(rows)
            .map_batches(
                ChatRows,
                fn_constructor_kwargs={
                    "base_url": emu.base_url,
                    "schema": Person,
                    "budget": budget,
                    "max_retries": 1,
                },
                compute=ray.data.ActorPoolStrategy(size=2),
                batch_size=100,
            )
            .take_all()
        )
        statuses = [e.status for e in emu.journal if e.path.endswith("/chat/completions")]
    assert len(out) == ROWS
    assert [r["id"] for r in out] == list(range(ROWS))
    failed = [r["id"] for r in out if r["error"] is not None]
    assert failed == [i for i in range(ROWS) if _failing(i)]
    assert all(r["error"].startswith("ServerError") for r in out if r["error"])
    assert all(r["age"] == 20 + r["id"] % 50 for r in out if r["error"] is None)
    assert 429 not in statuses
    spent = TokenBudget(redis=redis_url).used("moonshotai/Kimi-K2.6")
    assert spent["output"] > 0, "the workers counted in the shared budget"


def test_embedding_rows_on_the_cluster(cluster: None) -> None:
    with Emulator() as emu:
        ds = ray.data.from_items([{"text": f"document {i}"} for i in range(300)])
        out = ds.map_batches(
            EmbedRows,
            fn_constructor_kwargs={"base_url": emu.base_url},
            compute=ray.data.ActorPoolStrategy(size=2),
            batch_size=64,
        ).take_all()
    assert [r["text"] for r in out] == [f"document {i}" for i in range(300)]
    assert all(len(r["embedding"]) == 1024 and r["error"] is None for r in out)


def test_the_http_processor_fills_the_same_columns(cluster: None) -> None:
    from telnyx_inference.bulk import http_processor

    with Emulator(api_key="ray-test-key") as emu:  # the workers' key, or a 401 per row
        emu.fault(Fault(kind="status", status=500, times=None, match="[poison]"))
        processor = http_processor(
            base_url=emu.base_url, schema=Person, concurrency=2, batch_size=50, max_retries=0
        )
        rows = [
            {"id": i, "prompt": f"Ada Lovelace was {20 + i % 50}.{' [poison]' * (i % 50 == 3)}"}
            for i in range(200)
        ]
        out = sorted(processor(ray.data.from_items(rows)).take_all(), key=lambda r: r["id"])
        sent = [e for e in emu.journal if e.path.endswith("/chat/completions")]
    assert [r["id"] for r in out] == list(range(200))
    assert [r["id"] for r in out if r["error"]] == [3, 53, 103, 153]
    assert all(r["error"].startswith("APIStatusError: Telnyx API error") for r in out if r["error"])
    assert all(
        (r["name"], r["age"]) == ("Ada Lovelace", 20 + r["id"] % 50) for r in out if not r["error"]
    )
    assert set(out[0]) == {"id", "prompt", "name", "age", "error"}
    assert len(sent) == 200
    assert sent[0].json["response_format"]["type"] == "json_schema"


def test_the_http_processor_refuses_bad_input_before_any_row() -> None:
    from telnyx_inference.bulk import http_processor
    from telnyx_inference.errors import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="min_p"):
        http_processor(params={"min_p": 2})
    with pytest.raises(InvalidParameterError, match="concurrency"):
        http_processor(concurrency=0)
    with pytest.raises(InvalidParameterError, match="base_url"):
        http_processor(base_url="http://telnyx.example.com/v2/ai/openai")
