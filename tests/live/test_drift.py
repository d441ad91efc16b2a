"""Drift check: does the emulator still answer like Telnyx? Skipped unless TELNYX_API_KEY is set.

    TELNYX_API_KEY=... python -m pytest -m live tests/live/test_drift.py -s

Sends a small probe set (chat, stream, tools, json_schema, guided_json, a 422, models,
embeddings) to real Telnyx and to the emulator, both through the recorder, and prints every
difference in shape: keys, JSON types, error bodies, SSE framing. The comparison itself is tested offline in
tests/emulator/test_drift_shapes.py. Both cassettes are kept in ``--basetemp`` for reading.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from telnyx_inference.emulator import Emulator
from telnyx_inference.emulator.replay.drift import drift_report, probes, send_probes
from telnyx_inference.emulator.replay.tape import DEFAULT_UPSTREAM

pytestmark = pytest.mark.live

MODEL = os.environ.get("TELNYX_LIVE_MODEL", "moonshotai/Kimi-K2.6")


def test_emulator_answers_in_the_shape_telnyx_does(tmp_path: Path) -> None:
    key = os.environ["TELNYX_API_KEY"]
    items = probes(MODEL)
    with Emulator(record=tmp_path / "telnyx", upstream=DEFAULT_UPSTREAM) as recorder:
        send_probes(recorder.root, key, items)
    with Emulator() as emulator, Emulator(
        record=tmp_path / "emulator", upstream=emulator.root
    ) as recorder:
        send_probes(recorder.root, key, items)
    report = drift_report(tmp_path / "telnyx", tmp_path / "emulator", items)
    print(f"\n{len(report)} difference(s) between Telnyx and the emulator:")
    print("\n".join(f"  {line}" for line in report))
    assert not report, "the emulator drifted from Telnyx; see the lines above"
