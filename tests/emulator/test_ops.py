"""Operational hygiene in-process: the index, request log lines, quiet hang-ups, the control
token, the start-up baseline and the ``telnyx_env`` fixture."""

from __future__ import annotations

import logging
import os

import httpx
import pytest

from telnyx_inference.emulator import Emulator, ScriptedReply
from telnyx_inference.emulator.access import (
    CONTROL_TOKEN_ENV,
    is_loopback_host,
    resolve_control_token,
)

from ._support import CHAT, KEY, chat_body, wait_until

AUTH = {"Authorization": f"Bearer {KEY}"}
REQUESTS = "telnyx_inference.emulator.requests"


def test_root_and_base_urls_answer_an_index_without_a_key(emu: Emulator) -> None:
    emu.configure(api_key="only-this")
    for url in (emu.root, f"{emu.root}/", emu.base_url, emu.legacy_base_url, emu.native_base):
        r = httpx.get(url)
        assert r.status_code == 200, url
        index = r.json()
        assert index["name"] == "telnyx-emulator"
        assert index["version"]
        assert index["base_urls"] == {
            "openai": emu.base_url,
            "legacy": emu.legacy_base_url,
            "native": emu.native_base,
        }
    routes = {(r["method"], r["path"]) for r in index["control_routes"]}
    assert {("GET", "/_emulator/journal"), ("POST", "/_emulator/reset")} <= routes
    assert ("DELETE", "/_emulator/faults") in routes
    assert "only the configured key" in index["usage"]
    assert "only-this" not in r.text
    assert index["control_token_required"] is False
    # API routes still want the key.
    assert httpx.get(f"{emu.base_url}/models").status_code == 401


def test_one_info_line_per_request_with_status_time_and_fault(
    emu: Emulator, http: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=REQUESTS)
    http.post(CHAT, json=chat_body("hello"))
    http.post(CHAT, json=chat_body(), headers={"X-Emulator-Fault": "status=503"})
    http.get("/_emulator/state")
    # The line is written once the response is complete, on the server's thread: the client
    # can have its answer a moment before the last line is there.
    wait_until(lambda: len([r for r in caplog.records if r.name == REQUESTS]) >= 3)
    lines = [r.getMessage() for r in caplog.records if r.name == REQUESTS]
    assert len(lines) == 3, lines
    method, path, status, ms = lines[0].split()
    assert (method, path, status) == ("POST", CHAT, "200")
    assert ms.endswith("ms")
    assert float(ms[:-2]) >= 0
    assert lines[1].startswith(f"POST {CHAT} 503 ")
    assert lines[1].endswith("fault=status=503")
    assert lines[2].startswith("GET /_emulator/state 200 ")
    assert all(r.levelno == logging.INFO for r in caplog.records if r.name == REQUESTS)
    assert KEY not in caplog.text


def test_a_stream_closed_early_is_logged_once_at_debug(
    emu: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emu.script(ScriptedReply(content=" ".join(f"word{i}" for i in range(400))))
    with httpx.Client(base_url=emu.root, headers=AUTH, timeout=10) as c, c.stream(
        "POST", CHAT, json=chat_body(stream=True), headers={"X-Emulator-Fault": "split_frames"}
    ) as r:
        next(r.iter_lines())
    # The request's INFO line is the last thing logged for it (after the hang-up's DEBUG line):
    # once it is there, everything this request will ever log is.
    wait_until(lambda: any("(incomplete)" in r.getMessage() for r in caplog.records))
    hang_ups = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert len(hang_ups) == 1, caplog.text
    assert hang_ups[0].levelno == logging.DEBUG
    assert CHAT in hang_ups[0].getMessage()
    assert "socket.send() raised exception" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text


# --- the control token -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.3.2.1", True),
        ("localhost", True),
        ("LOCALHOST", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("example.com", False),
        ("", False),
    ],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_a_token_is_generated_beyond_loopback_only() -> None:
    assert resolve_control_token("127.0.0.1", None, env={}) == (None, False)
    first, generated = resolve_control_token("0.0.0.0", None, env={})
    assert generated
    assert first
    assert len(first) >= 24
    assert resolve_control_token("0.0.0.0", None, env={})[0] != first
    assert resolve_control_token("0.0.0.0", "given", env={}) == ("given", False)
    env = {CONTROL_TOKEN_ENV: "from-env"}
    assert resolve_control_token("0.0.0.0", None, env=env) == ("from-env", False)
    assert resolve_control_token("127.0.0.1", None, env=env) == ("from-env", False)
    with pytest.raises(ValueError, match="control_token"):
        resolve_control_token("0.0.0.0", "  ", env={})


def test_an_emulator_meant_for_all_interfaces_gets_a_token_without_binding(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(CONTROL_TOKEN_ENV, raising=False)
    assert Emulator(host="0.0.0.0").control_token  # never started: nothing is bound
    assert Emulator().control_token is None
    monkeypatch.setenv(CONTROL_TOKEN_ENV, "env-token")
    assert Emulator().control_token == "env-token"


def test_with_a_token_control_routes_need_it_and_the_api_does_not() -> None:
    with Emulator(control_token="s3cret-token") as emu:
        ctl = f"{emu.root}/_emulator"
        denied = httpx.post(f"{ctl}/reset")
        assert denied.status_code == 401
        assert "X-Emulator-Token" in denied.json()["error"]
        assert "s3cret-token" not in denied.text
        assert httpx.get(f"{ctl}/journal", headers={"X-Emulator-Token": "wrong"}).status_code == 401
        assert httpx.get(f"{ctl}/state").status_code == 401
        assert httpx.get(f"{ctl}/health").status_code == 200  # liveness stays open
        ok = httpx.post(f"{ctl}/script", json={"content": "via token"},
                        headers={"X-Emulator-Token": "s3cret-token"})
        assert ok.status_code == 200
        bearer = httpx.get(f"{ctl}/state", headers={"Authorization": "Bearer s3cret-token"})
        assert bearer.json()["settings"]["control_token"] == "[SET]"
        assert "s3cret-token" not in bearer.text
        answer = httpx.post(emu.root + CHAT, json=chat_body(), headers=AUTH)
        assert answer.json()["choices"][0]["message"]["content"] == "via token"
        assert httpx.get(emu.root).json()["control_token_required"] is True
        emu.reset()  # the Python methods need no token
        assert emu.control_token == "s3cret-token"


def test_state_never_shows_the_api_key(emu: Emulator) -> None:
    emu.configure(api_key="a-real-looking-key")
    state = httpx.get(f"{emu.root}/_emulator/state")
    assert "a-real-looking-key" not in state.text
    assert state.json()["settings"]["api_key"] == "[SET]"


# --- baseline ---------------------------------------------------------------------------------


def test_reset_returns_to_what_was_there_at_start() -> None:
    emu = Emulator()
    emu.seed_bucket("kb", texts={"a.txt": "Telnyx offers SIP trunking."})
    emu.add_model("acme/tiny", 4096)
    with emu, httpx.Client(base_url=emu.root, headers=AUTH, timeout=10) as http:
        emu.seed_bucket("later", texts={"b.txt": "added after start"})
        http.delete("/v2/ai/embeddings/buckets/kb")
        assert http.get("/v2/ai/embeddings/buckets").json()["data"]["buckets"] == ["later"]
        emu.reset()
        assert http.get("/v2/ai/embeddings/buckets").json()["data"]["buckets"] == ["kb"]
        hits = http.post("/v2/ai/embeddings/similarity-search",
                         json={"bucket_name": "kb", "query": "SIP"}).json()["data"]
        assert hits[0]["metadata"]["filename"] == "a.txt"
        assert "acme/tiny" in {m["id"] for m in http.get("/v2/ai/openai/models").json()["data"]}
        emu.seed_bucket("later", texts={"b.txt": "kept from now on"})
        httpx.post(f"{emu.root}/_emulator/baseline")
        httpx.post(f"{emu.root}/_emulator/reset")
        assert http.get("/v2/ai/embeddings/buckets").json()["data"]["buckets"] == ["kb", "later"]


def test_telnyx_env_points_the_environment_at_the_emulator(telnyx_env: Emulator) -> None:
    from telnyx_inference.settings import TelnyxSettings

    assert os.environ["TELNYX_API_BASE"] == telnyx_env.base_url
    settings = TelnyxSettings.resolve()
    assert settings.base_url == telnyx_env.base_url
    telnyx_env.script(ScriptedReply(content="from the environment"))
    from langchain_telnyx import ChatTelnyx

    assert ChatTelnyx().invoke("hi").content == "from the environment"
    assert telnyx_env.journal[-1].headers["authorization"] == "Bearer [REDACTED]"


def test_seeding_a_big_bucket_over_http_does_not_hold_up_the_api(
    emu: Emulator, http: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from telnyx_inference.emulator.storage import embedder

    # The seed's embedding is held until the chat has been answered: if the control route ran
    # on the event loop, the chat could not be answered and would time out.
    entered, release = threading.Event(), threading.Event()
    real_embed = embedder.embed

    def held_embed(text: str, dims: int | None = None) -> list[float]:
        entered.set()
        release.wait(30)
        return real_embed(text, dims)

    monkeypatch.setattr(embedder, "embed", held_embed)
    outcome: list[int] = []

    def seed() -> None:
        r = httpx.post(f"{emu.root}/_emulator/buckets",
                       json={"name": "big", "texts": {"a": "voice network"}}, timeout=60)
        outcome.append(r.status_code)

    seeder = threading.Thread(target=seed)
    seeder.start()
    try:
        assert entered.wait(30), "the seed request never started embedding"
        answer = http.post(CHAT, json=chat_body("still there?"), timeout=10)
        assert answer.status_code == 200
        assert outcome == []  # the seed is still being held
    finally:
        release.set()
        seeder.join()
    assert outcome == [200]
    assert http.get("/v2/ai/embeddings/buckets").json()["data"]["buckets"] == ["big"]


def test_snapshot_is_the_state_route(emu: Emulator) -> None:
    emu.script(ScriptedReply(content="x"))
    emu.configure(api_key="hidden-key")
    assert emu.snapshot() == httpx.get(f"{emu.root}/_emulator/state").json()
    assert emu.snapshot()["settings"]["api_key"] == "[SET]"
