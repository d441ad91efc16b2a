"""The drift check's shape comparison, offline: two emulators agree; a doctored cassette
shows every difference."""

from __future__ import annotations

import json
from pathlib import Path

from telnyx_inference.emulator import Emulator
from telnyx_inference.emulator.replay.cassettes import Frame, Interaction, Stream
from telnyx_inference.emulator.replay.drift import drift_report, probes, send_probes
from telnyx_inference.emulator.replay.shapes import compare_interactions, compare_shapes, shape_of
from telnyx_inference.emulator.replay.tape import load_cassette


def _record_probes(folder: Path, seed: int) -> None:
    with Emulator(seed=seed) as upstream, Emulator(record=folder, upstream=upstream.root) as rec:
        send_probes(rec.root, "probe-key", probes())


def test_probe_set_and_two_emulators_agree(tmp_path: Path) -> None:
    _record_probes(tmp_path / "a", seed=1)
    _record_probes(tmp_path / "b", seed=2)
    items = load_cassette(tmp_path / "a")
    assert [(i.method, i.status, i.stream is not None) for i in items] == [
        ("POST", 200, False), ("POST", 200, True), ("POST", 200, False), ("POST", 200, False),
        ("POST", 200, False), ("POST", 422, False), ("GET", 200, False), ("POST", 200, False),
    ]
    assert drift_report(tmp_path / "a", tmp_path / "b", probes()) == []


def test_a_doctored_cassette_shows_every_difference(tmp_path: Path) -> None:
    _record_probes(tmp_path / "real", seed=0)
    _record_probes(tmp_path / "emu", seed=0)
    files = sorted((tmp_path / "real").iterdir())
    chat = json.loads(files[0].read_text())
    chat["response"]["json"]["system_fingerprint"] = "fp_1"
    chat["response"]["json"]["usage"]["prompt_tokens"] = "12"
    del chat["response"]["json"]["choices"][0]["finish_reason"]
    files[0].write_text(json.dumps(chat))
    stream = json.loads(files[1].read_text())
    frames = stream["response"]["stream"]["frames"]
    stream["response"]["stream"]["frames"] = [f for f in frames if f.get("text") != "data: [DONE]"]
    files[1].write_text(json.dumps(stream))
    at = [probe.name for probe in probes()].index("422")
    invalid = json.loads(files[at].read_text())
    invalid["response"]["json"] = {"errors": [{"code": "10015", "title": "Bad", "detail": "x"}]}
    files[at].write_text(json.dumps(invalid))
    report = drift_report(tmp_path / "real", tmp_path / "emu", probes())
    assert "chat: body.system_fingerprint: sent by Telnyx, missing from the emulator" in report
    assert "chat: body.usage.prompt_tokens: Telnyx sends str, the emulator number" in report
    assert "chat: body.choices[].finish_reason: sent by the emulator only" in report
    assert any(line.startswith("stream: stream framing:") and line.endswith("usage, done")
               for line in report)
    assert "422: body.errors: sent by Telnyx, missing from the emulator" in report
    assert "422: body.detail: sent by the emulator only" in report
    assert len(report) == 6, report


def test_shapes_ignore_values_but_not_types_or_framing() -> None:
    assert compare_shapes(shape_of({"a": [1, 2.5], "b": "x"}), shape_of({"a": [3], "b": "y"})) == []
    assert compare_shapes(shape_of({"a": None}), shape_of({"a": {"k": 1}})) == [
        "$.a: Telnyx sends null, the emulator object"]
    real = Interaction("POST", "/c", status=200, headers={"content-type": "text/event-stream",
                                                         "x-ratelimit-limit": "5"},
                       stream=Stream([Frame(0, 'data: {"choices":[]}'), Frame(0, "data: [DONE]")]))
    emulated = Interaction("POST", "/c", status=200, headers={"content-type": "text/event-stream"},
                           stream=Stream([Frame(0, 'data: {"choices":[]}')], "\r\n\r\n", cut=True))
    assert compare_interactions(real, emulated) == [
        "header x-ratelimit-limit: sent by Telnyx, missing from the emulator",
        "stream: frames separated by '\\n\\n' at Telnyx, '\\r\\n\\r\\n' by the emulator",
        "stream framing: Telnyx other, done; emulator other, (cut)",
    ]
