"""Running the emulator: CLI, in-process lifecycle, the control API, fixed mode, the fixture."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import openai
import pytest

from telnyx_inference import TelnyxClient
from telnyx_inference.emulator import Emulator, Fault, ScriptedReply

from ._support import CHAT, HOSTED, KEY, chat_body, sse_payloads


def test_cli_starts_prints_url_and_serves(tmp_path: Path) -> None:
    (tmp_path / "doc.txt").write_text("Telnyx offers elastic SIP trunking.")
    proc = subprocess.Popen(
        [sys.executable, "-m", "telnyx_inference.emulator", "--port", "0",
         "--bucket", f"kb={tmp_path}", "--api-key", "secret"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()  # a hang here is pytest-timeout's to catch
        assert url.startswith("http://127.0.0.1:"), url
        assert url.endswith("/v2/ai/openai"), url
        with openai.OpenAI(base_url=url, api_key="secret", max_retries=0) as c:
            r = c.chat.completions.create(model=HOSTED, messages=[{"role": "user", "content": "hi"}])
            assert r.choices[0].message.content
        native = url.removesuffix("/ai/openai")
        hits = httpx.post(f"{native}/ai/embeddings/similarity-search",
                          json={"bucket_name": "kb", "query": "SIP"},
                          headers={"Authorization": "Bearer secret"}).json()["data"]
        assert hits[0]["metadata"]["filename"] == "doc.txt"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_rejects_a_bad_bucket_spec() -> None:
    done = subprocess.run([sys.executable, "-m", "telnyx_inference.emulator", "--bucket", "oops"],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert "NAME=DIR" in done.stderr


def test_plugin_and_package_import_without_the_server_stack() -> None:
    code = ("import sys, telnyx_inference.emulator.pytest_plugin as p; "
            "from telnyx_inference.emulator import ChatRequest, Fault, ScriptedReply, ToolCall; "
            "print(any(m.split('.')[0] in ('starlette', 'uvicorn', 'hypothesis') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "False", out.stderr


def test_lifecycle_and_addresses() -> None:
    emu = Emulator()
    with pytest.raises(RuntimeError):
        _ = emu.base_url
    emu.start()
    other = Emulator().start()
    try:
        assert emu.port != other.port
        assert emu.base_url == f"http://127.0.0.1:{emu.port}/v2/ai/openai"
        assert emu.legacy_base_url == f"{emu.root}/v2/ai"
        assert emu.native_base == f"{emu.root}/v2"
        assert httpx.get(f"{emu.root}/_emulator/health").json() == {"ok": True}
        other_root = other.root
    finally:
        emu.stop()
        other.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{other_root}/_emulator/health", timeout=1)


def test_context_manager_stops_the_server() -> None:
    with Emulator() as emu:
        root = emu.root
        assert httpx.get(f"{root}/_emulator/health").status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{root}/_emulator/health", timeout=1)


def test_journal_records_and_redacts(emu: Emulator, http: httpx.Client) -> None:
    http.post(CHAT, json=chat_body("journal me"), headers={"X-Trace": "t1"})
    http.get("/_emulator/state")
    (entry,) = emu.journal
    assert (entry.method, entry.path, entry.status) == ("POST", CHAT, 200)
    assert entry.json["messages"][0]["content"] == "journal me"
    assert entry["headers"]["authorization"] == "Bearer [REDACTED]"
    assert KEY not in json.dumps(entry.to_dict())
    assert entry.headers["x-trace"] == "t1"


def test_control_api_mirrors_the_python_methods(emu: Emulator, http: httpx.Client) -> None:
    ctl = f"{emu.root}/_emulator"
    assert httpx.post(f"{ctl}/script", json=[{"content": "one"}, {"content": "two"}]).json()["ok"]
    assert httpx.post(f"{ctl}/faults", json={"kind": "status", "status": 500}).status_code == 200
    assert httpx.post(f"{ctl}/buckets", json={"name": "kb", "texts": {"a.txt": "alpha"}}).is_success
    state = httpx.get(f"{ctl}/state").json()
    assert (state["scripts"], state["buckets"]) == (2, ["kb"])
    assert state["faults"][0]["status"] == 500
    assert http.post(CHAT, json=chat_body()).status_code == 500
    assert http.post(CHAT, json=chat_body()).json()["choices"][0]["message"]["content"] == "one"
    journal = httpx.get(f"{ctl}/journal").json()["entries"]
    assert [e["status"] for e in journal] == [500, 200]
    assert httpx.delete(f"{ctl}/journal").is_success
    assert emu.journal == []
    httpx.post(f"{ctl}/jobs/outcome", json={"status": "failure"})
    httpx.post(f"{ctl}/settings", json={"api_key": "k2"})
    assert http.post(CHAT, json=chat_body()).status_code == 401
    httpx.post(f"{ctl}/models", json={"id": "acme/tiny", "context_length": 4096})
    assert httpx.post(f"{ctl}/reset").json() == {"ok": True}
    assert httpx.get(f"{ctl}/state").json()["scripts"] == 0
    assert http.post(CHAT, json=chat_body()).json()["choices"][0]["message"]["content"] != "two"


def test_control_api_reports_bad_input(emu: Emulator) -> None:
    ctl = f"{emu.root}/_emulator"
    assert httpx.post(f"{ctl}/faults", json={"kind": "meteor"}).status_code == 400
    assert httpx.post(f"{ctl}/script", json={"colour": "red"}).status_code == 400
    assert httpx.post(f"{ctl}/settings", json={"colour": "red"}).status_code == 400


def test_added_model_is_listed_and_usable(emu: Emulator, client: Any) -> None:
    emu.add_model("acme/tiny", 4096, is_reasoning=False)
    assert "acme/tiny" in {m.id for m in client.models.list()}
    r = client.chat.completions.create(model="acme/tiny", messages=[{"role": "user", "content": "a"}])
    assert getattr(r.choices[0].message, "reasoning_content", None) is None


def test_reset_clears_everything(emu: Emulator, http: httpx.Client) -> None:
    emu.script(ScriptedReply(content="x"))
    emu.fault(Fault(kind="status", status=500))
    emu.seed_bucket("kb", texts={"a": "b"})
    emu.configure(strict=True)
    http.post(CHAT, json=chat_body())
    emu.reset()
    assert emu.journal == []
    assert http.post(CHAT, json=chat_body(extra_field=1)).status_code == 200
    assert http.get("/v2/ai/embeddings/buckets").json()["data"]["buckets"] == []


def test_fixture_starts_each_test_clean(emu: Emulator) -> None:
    assert emu.journal == []
    emu.script(ScriptedReply(content="left behind"))


def test_fixture_starts_each_test_clean_again(emu: Emulator, client: Any) -> None:
    r = client.chat.completions.create(model=HOSTED, messages=[{"role": "user", "content": "x"}])
    assert r.choices[0].message.content != "left behind"


@pytest.fixture
def catalog_read_earlier(telnyx_emulator_session: Emulator) -> None:
    """What an earlier test left behind: a client in this process read the emulator's
    catalog (cached per base URL for an hour)."""
    TelnyxClient(api_key="k", base_url=telnyx_emulator_session.base_url).models()


def test_fixture_forgets_catalogs_read_in_earlier_tests(
    catalog_read_earlier: None, telnyx_emulator: Emulator
) -> None:
    telnyx_emulator.add_model("org/added-now", 4_096)
    client = TelnyxClient(api_key="k", base_url=telnyx_emulator.base_url)
    assert client.model_facts("org/added-now").context_length == 4_096


def _raw_chat(emu: Emulator) -> bytes:
    body = json.dumps(chat_body("sent, then left")).encode()
    return (f"POST {CHAT} HTTP/1.1\r\nHost: e\r\nAuthorization: Bearer {KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body


def test_settle_waits_for_requests_already_sent(emu: Emulator) -> None:
    with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as sock:
        sock.sendall(_raw_chat(emu))  # the client never waits for its answer
        assert emu.settle()
        (entry,) = emu.journal  # read and answered: no later test's journal will get it
        assert entry.status == 200


def test_settle_says_when_a_request_is_still_held(emu: Emulator) -> None:
    emu.fault(Fault(kind="slow_first_byte", seconds=3600))  # until the client hangs up
    with socket.create_connection(("127.0.0.1", emu.port), timeout=30) as sock:
        sock.sendall(_raw_chat(emu))
        assert emu.settle(timeout=0.2) is False
    assert emu.settle()


def test_fixed_mode_serves_canned_answers(emu: Emulator, client: Any,
                                          http: httpx.Client) -> None:
    emu.set_fixed(True, chunks=5)
    r = client.chat.completions.create(model=HOSTED, messages=[{"role": "user", "content": "a"}])
    assert r.choices[0].message.content == "emulated emulated emulated emulated emulated"
    raw = http.post(CHAT, json={**chat_body(), "stream": True}).content
    payloads = sse_payloads(raw)
    content = [json.loads(p) for p in payloads[:-1]]
    assert payloads[-1] == "[DONE]"
    assert sum(1 for c in content if c["choices"] and c["choices"][0]["delta"].get("content")) == 5
    text = "".join(c.choices[0].delta.content or "" for c in client.chat.completions.create(
        model=HOSTED, messages=[{"role": "user", "content": "a"}], stream=True) if c.choices)
    assert text.strip() == r.choices[0].message.content
    emu.set_fixed(False)
    assert "emulated emulated" not in (client.chat.completions.create(
        model=HOSTED, messages=[{"role": "user", "content": "a"}]).choices[0].message.content or "")


def test_fixed_mode_from_the_constructor_survives_reset() -> None:
    with Emulator(mode="fixed", chunks=3) as emu:
        emu.reset()
        r = httpx.post(emu.root + CHAT, json=chat_body(), headers={"Authorization": "Bearer k"})
        assert r.json()["choices"][0]["message"]["content"] == "emulated emulated emulated"


async def test_concurrent_async_requests(aclient: Any) -> None:
    import asyncio

    async def one(i: int) -> str:
        r = await aclient.chat.completions.create(
            model=HOSTED, messages=[{"role": "user", "content": f"request {i}"}])
        return r.choices[0].message.content or ""

    answers = await asyncio.gather(*(one(i) for i in range(50)))
    assert all(f"request {i}" in a for i, a in enumerate(answers))
