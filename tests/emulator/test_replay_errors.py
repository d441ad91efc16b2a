"""Errors, cut streams, secrets and misses: recorded as they happened, replayed the same."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from langchain_telnyx import ChatTelnyx
from langchain_telnyx._errors import TelnyxRateLimitError, TelnyxValidationError
from telnyx_inference.emulator import Emulator, Fault
from telnyx_inference.emulator.replay.tape import RemoteRecordError, load_cassette

from ._replay_support import CANARY, HOSTED, PLAIN, recorded

FOREVER = 3600.0
"""A pause no test waits out: it ends when the client hangs up."""


def _chat(base_url: str, key: str) -> ChatTelnyx:
    return ChatTelnyx(model=PLAIN, base_url=base_url, api_key=key, max_retries=0)


def _error_of(fn: Any) -> BaseException:
    with pytest.raises(Exception) as info:
        fn()
    return info.value


def test_recorded_429_and_422_replay_as_the_same_typed_errors(tmp_path: Path) -> None:
    with recorded(tmp_path) as (rec, upstream):
        upstream.fault(Fault(kind="status", status=429, times=1))
        rate = _error_of(lambda: _chat(rec.base_url, CANARY).invoke("one"))
        upstream.fault(Fault(kind="status", status=422, body="fastapi", times=1))
        invalid = _error_of(lambda: _chat(rec.base_url, CANARY).invoke("two"))
    assert isinstance(rate, TelnyxRateLimitError)
    assert isinstance(invalid, TelnyxValidationError)
    statuses = [(i.status, i.headers.get("x-ratelimit-limit")) for i in load_cassette(tmp_path)]
    assert statuses == [(429, "100"), (422, None)]
    with Emulator(replay=tmp_path, replay_strict=True) as rep:
        again_rate = _error_of(lambda: _chat(rep.base_url, "k").invoke("one"))
        again_invalid = _error_of(lambda: _chat(rep.base_url, "k").invoke("two"))
    assert type(again_rate) is type(rate)
    assert str(again_rate) == str(rate)
    assert type(again_invalid) is type(invalid)
    assert str(again_invalid) == str(invalid)


def _sdk_stream(base_url: str, key: str) -> tuple[list[Any], type[BaseException] | None]:
    got: list[Any] = []
    with openai.OpenAI(base_url=base_url, api_key=key, max_retries=0) as client:
        try:
            for chunk in client.chat.completions.create(
                model=HOSTED, messages=[{"role": "user", "content": "Tell a story"}], stream=True
            ):
                got.append(chunk.model_dump())
        except Exception as exc:
            return got, type(exc)
    return got, None


def test_a_stream_cut_upstream_replays_as_cut(tmp_path: Path) -> None:
    with recorded(tmp_path) as (rec, upstream):
        upstream.fault(Fault(kind="drop_after", after=4, times=1))
        first, error = _sdk_stream(rec.base_url, CANARY)
    assert error is not None
    assert len(first) == 4
    (item,) = load_cassette(tmp_path)
    assert item.stream is not None
    assert item.stream.cut
    assert len(item.stream.frames) == 4
    with Emulator(replay=tmp_path, replay_strict=True) as rep:
        second, error_again = _sdk_stream(rep.base_url, "k")
    assert second == first
    assert error_again is error


def test_the_key_never_reaches_a_cassette_or_a_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with recorded(tmp_path) as (rec, _), openai.OpenAI(
        base_url=rec.base_url, api_key=CANARY, max_retries=0
    ) as client:
        client.chat.completions.create(
            model=PLAIN,
            messages=[{"role": "user", "content": f"my key is {CANARY}, keep it"}],
            extra_body={"api_key_ref": "my-secret-ref-name"},
        )
        list(client.chat.completions.create(
            model=PLAIN, messages=[{"role": "user", "content": f"echo {CANARY}"}], stream=True
        ))
        client.embeddings.create(model="thenlper/gte-large", input=CANARY)
        client.models.list()
    files = list(tmp_path.iterdir())
    assert len(files) == 4
    text = "".join(f.read_text() for f in files)
    assert "[REDACTED]" in text
    assert CANARY not in text
    assert "my-secret-ref-name" not in text
    assert CANARY[3:20] not in text  # not even a fragment
    with Emulator(replay=tmp_path, replay_strict=True) as rep, openai.OpenAI(
        base_url=rep.base_url, api_key=CANARY, max_retries=0
    ) as client:
        client.chat.completions.create(
            model=PLAIN,
            messages=[{"role": "user", "content": f"my key is {CANARY}, keep it"}],
            extra_body={"api_key_ref": "another-ref"},
        )
        with pytest.raises(openai.BadRequestError):
            client.chat.completions.create(model=PLAIN, messages=[{"role": "user",
                                                                   "content": CANARY}])
    # Every log but the openai SDK's own (at DEBUG, openai 2.x logs the request body, which
    # here holds the canary as message text the test wrote: that is the client's log, not ours).
    ours = "\n".join(
        f"{r.name} {r.getMessage()}" for r in caplog.records if not r.name.startswith("openai")
    )
    assert "telnyx_inference" in ours
    assert CANARY not in ours


def test_strict_miss_names_the_closest_recording_and_the_difference(tmp_path: Path) -> None:
    with recorded(tmp_path) as (rec, _):
        client = openai.OpenAI(base_url=rec.base_url, api_key=CANARY, max_retries=0)
        client.models.list()
        client.chat.completions.create(model=PLAIN, messages=[{"role": "user", "content": "hi"}],
                                       temperature=0.2)
        client.chat.completions.create(model=PLAIN, messages=[{"role": "user", "content": "x"}])
    with Emulator(replay=tmp_path, replay_strict=True) as rep:
        client = openai.OpenAI(base_url=rep.base_url, api_key="k", max_retries=0)
        with pytest.raises(openai.BadRequestError) as info:
            client.chat.completions.create(
                model=PLAIN, messages=[{"role": "user", "content": "hi"}], temperature=0.7
            )
    body = info.value.body
    assert isinstance(body, dict)
    detail = body["errors"][0]["detail"]
    assert body["errors"][0]["code"] == "cassette_miss"
    assert "0002-post-v2-ai-openai-chat-completions.json" in detail
    assert "temperature: recorded 0.2, now 0.7" in detail


def test_identical_requests_answer_in_recorded_order_then_miss(tmp_path: Path) -> None:
    with recorded(tmp_path) as (rec, upstream):
        upstream.fault(Fault(kind="status", status=503, times=1))
        http = httpx.Client(base_url=rec.root, headers={"Authorization": "Bearer k"})
        body = {"model": PLAIN, "messages": [{"role": "user", "content": "same"}]}
        assert [http.post("/v2/ai/openai/chat/completions", json=body).status_code
                for _ in range(2)] == [503, 200]
    with Emulator(replay=tmp_path, replay_strict=True) as rep:
        http = httpx.Client(base_url=rep.root, headers={"Authorization": "Bearer k"})
        # key order and the ignored ``user`` field make no difference
        shuffled = {"messages": body["messages"], "user": "someone", "model": PLAIN}
        codes = [http.post("/v2/ai/openai/chat/completions", json=shuffled).status_code
                 for _ in range(3)]
        assert codes == [503, 200, 400]
        assert "used already" in http.post("/v2/ai/openai/chat/completions", json=body).text
        rep.reset()  # rewinds the cassette
        assert http.post("/v2/ai/openai/chat/completions", json=body).status_code == 503


def test_without_strict_a_miss_is_answered_by_the_model_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="telnyx_inference.emulator.replay.tape")
    (tmp_path / "empty").mkdir()
    with Emulator(replay=tmp_path / "empty") as rep:
        client = openai.OpenAI(base_url=rep.base_url, api_key="k", max_retries=0)
        answer = client.chat.completions.create(
            model=PLAIN, messages=[{"role": "user", "content": "hello"}]
        )
        assert rep.journal[-1].status == 200
    assert answer.choices[0].message.content
    assert "cassette miss (emulator answers)" in caplog.text
    assert "empty or missing" in caplog.text


def _stretch_pause(folder: Path, before_frame: int, seconds: float) -> None:
    """Make the recorded pause before frame ``before_frame`` last ``seconds`` more."""
    (path,) = [p for p in folder.iterdir() if p.suffix == ".json"]
    data = json.loads(path.read_text("utf-8"))
    for frame in data["response"]["stream"]["frames"][before_frame:]:
        frame["t"] += seconds
    path.write_text(json.dumps(data), "utf-8")


def test_replay_speed_keeps_recorded_timing_scaled(tmp_path: Path) -> None:
    with recorded(tmp_path) as (rec, upstream):
        upstream.fault(Fault(kind="stall_after", after=2, seconds=0.4, times=1))
        _sdk_stream(rec.base_url, "k")
    with Emulator(replay=tmp_path, replay_speed=1.0) as rep:
        started = time.monotonic()
        _sdk_stream(rep.base_url, "k")
        assert time.monotonic() - started >= 0.35  # a lower bound: the pause is replayed
    # At full speed, a recorded pause of an hour is not waited out (30 s: a hang guard).
    _stretch_pause(tmp_path, 2, FOREVER)
    with Emulator(replay=tmp_path) as rep, openai.OpenAI(
        base_url=rep.base_url, api_key="k", max_retries=0, timeout=30
    ) as client:
        chunks = list(client.chat.completions.create(
            model=HOSTED, messages=[{"role": "user", "content": "Tell a story"}], stream=True
        ))
    assert len(chunks) > 2


def test_record_refuses_a_bind_beyond_loopback(tmp_path: Path) -> None:
    with pytest.raises(RemoteRecordError, match="allow_remote_record"):
        Emulator(host="0.0.0.0", record=tmp_path)
    Emulator(host="0.0.0.0", record=tmp_path, allow_remote_record=True)  # allowed when asked
    Emulator(host="::1", record=tmp_path)
    Emulator(host="0.0.0.0", replay=tmp_path)  # replay alone proxies nothing


def test_the_recorder_passes_frames_on_as_they_arrive(tmp_path: Path) -> None:
    """The upstream stalls after two frames until the client hangs up: a recorder that held
    the answer back would never hand over the first frame (the 30 s timeout is a hang guard)."""
    with recorded(tmp_path) as (rec, upstream), openai.OpenAI(
        base_url=rec.base_url, api_key="k", max_retries=0, timeout=30
    ) as client:
        upstream.fault(Fault(kind="stall_after", after=2, seconds=FOREVER, times=1))
        stream = client.chat.completions.create(
            model=HOSTED, messages=[{"role": "user", "content": "Tell a story"}], stream=True
        )
        first = next(iter(stream))
        stream.close()
    assert first.choices


def test_the_recorded_timestamps_show_the_pause(tmp_path: Path) -> None:
    stall = 0.3
    with recorded(tmp_path) as (rec, upstream):
        upstream.fault(Fault(kind="stall_after", after=2, seconds=stall, times=1))
        _sdk_stream(rec.base_url, "k")
    (item,) = load_cassette(tmp_path)
    assert item.stream is not None
    times = [f.t for f in item.stream.frames]
    assert times == sorted(times)
    assert times[2] >= stall  # the third frame came after the pause (which never ends early)
