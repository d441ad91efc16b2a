"""The load script at a reduced size: 500 requests at concurrency 50 through each adapter's
async path (half invoke, half stream), on each HTTP client (aiohttp, httpx). Zero errors,
every answer right, file descriptors back to where they were once the loop has shut down,
and resident memory flat after warm-up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .load import ASYNC_TRANSPORTS, FRAMEWORKS, emulator_process, run_load

pytestmark = pytest.mark.timeout(60)

RSS_GROWTH_LIMIT_MB = 40.0
"""Loose on purpose: allocator noise; a real leak of ~10 KB per request would show far above."""


@pytest.fixture(scope="module")
def load_server() -> Iterator[str]:
    with emulator_process() as base_url:
        yield base_url


@pytest.mark.parametrize("async_transport", ASYNC_TRANSPORTS)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_load(framework: str, async_transport: str, load_server: str) -> None:
    report = run_load(
        framework,
        load_server,
        requests=500,
        concurrency=50,
        warmup=100,
        async_transport=async_transport,
    )
    print("\n".join(report.lines()))
    assert not report.errors
    assert report.wrong_answers == 0
    assert len(report.latencies) == 500
    assert report.fds_peak > report.fds_before  # the run really held connections open
    assert report.fds_after <= report.fds_before  # (other tests in this process may close some)
    assert report.rss_growth_mb < RSS_GROWTH_LIMIT_MB
