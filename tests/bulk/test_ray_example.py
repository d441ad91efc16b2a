"""``examples/ray_bulk.py`` runs as a reader runs it (marked ``ray``: the ``ray`` extra)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from redis_server import require_redis

pytestmark = pytest.mark.ray
pytest.importorskip("ray")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(600)
def test_the_ray_example_keeps_every_row() -> None:
    require_redis()
    env = {k: v for k, v in os.environ.items() if k != "TELNYX_API_KEY"}
    env["PYTHONPATH"] = str(ROOT)
    done = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "ray_bulk.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "rows in: 2000, rows out: 2000, in order: True" in out
    assert "first row: 'Ada Lovelace', age 20" in out
    assert "rows with an error: 20 (ids [7, 107, 207]...): ServerError" in out
    assert "429s from the emulator: 0" in out
