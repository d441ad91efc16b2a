"""A responder that raises, or answers what the request does not allow, gets a 500 naming the
function and the problem — journalled, kept for the test, raised by the fixture — never a
hang. Also the command line's ``--responder``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import httpx
import pytest

from telnyx_inference.emulator import ChatRequest, Emulator, ScriptedReply, ToolCall
from telnyx_inference.emulator.model import engine, seam
from telnyx_inference.emulator.responders import load_responder

from ._support import CHAT, chat_body, sse_payloads

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}},
                       "required": ["city"]},
    },
}
AGE = {"type": "object", "properties": {"age": {"type": "integer"}}, "required": ["age"]}

CASES: list[tuple[str, Any, dict[str, Any], str]] = [
    ("unknown-tool", ToolCall("nope"), {"tools": [WEATHER]},
     "a call to 'nope', a tool the request does not offer (it offers 'get_weather')"),
    ("no-tools", ToolCall("get_weather", {"city": "Oslo"}), {},
     "a tool the request does not offer (it offers none)"),
    ("bad-arguments", ToolCall("get_weather", {"city": 3}), {"tools": [WEATHER]},
     "arguments for 'get_weather' that do not match its parameters schema: at $.city: 3 is "
     "not of type 'string'"),
    ("arguments-not-json", ToolCall("get_weather", "{city"), {"tools": [WEATHER]},
     "arguments for 'get_weather' that are not JSON"),
    ("calls-under-none", ToolCall("get_weather", {"city": "Oslo"}),
     {"tools": [WEATHER], "tool_choice": "none"}, "tool_choice is 'none'"),
    ("text-under-required", "Sunny.", {"tools": [WEATHER], "tool_choice": "required"},
     "text, but the request's tool_choice is 'required' (return a ToolCall)"),
    ("schema", {"age": "old"}, {"guided_json": AGE},
     "a value that does not match the request's guided_json: at $.age: 'old' is not of type "
     "'integer'"),
    ("not-json", "about 36", {"guided_json": AGE},
     "text that is not JSON ('about 36'), but the request asks for guided_json"),
    ("choice", "maybe", {"guided_choice": ["yes", "no"]},
     "'maybe', which is not one of the request's guided_choice ['yes', 'no']"),
    ("regex", "T-1", {"guided_regex": r"[A-Z]-\d{3}"},
     "'T-1', which does not fully match the request's guided_regex"),
    ("json-object", "[1, 2]", {"response_format": {"type": "json_object"}},
     "'[1, 2]', but the request's response_format is json_object"),
    ("unknown-form", object(), {}, "returned a object; return str, ToolCall"),
    ("not-encodable", {"tags": {1, 2}}, {}, "returned a value JSON cannot encode"),
    ("empty-completion", {"object": "chat.completion", "choices": []}, {},
     "returned a chat.completion with no choices"),
]


@pytest.mark.parametrize(("answer", "extra", "expected"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_an_answer_the_request_does_not_allow_is_a_500(
    emu: Emulator, http: httpx.Client, answer: Any, extra: dict[str, Any], expected: str
) -> None:
    def respond(request: ChatRequest) -> Any:
        return answer

    emu.respond_with(respond)
    response = http.post(CHAT, json=chat_body("x", **extra))
    assert response.status_code == 500
    detail = response.json()["errors"][0]["detail"]
    assert detail.startswith(f"The emulator's responder {__name__}.")
    assert "respond" in detail
    assert expected in detail
    assert emu.journal[-1].error == detail
    (error,) = emu.take_responder_errors()
    assert str(error) == detail


def test_a_choice_cut_short_on_purpose_is_not_checked(emu: Emulator, http: httpx.Client) -> None:
    emu.respond_with(lambda request: ScriptedReply(content='{"ag', finish_reason="length"))
    response = http.post(CHAT, json=chat_body("x", guided_json=AGE))
    assert response.status_code == 200
    assert response.json()["choices"][0]["finish_reason"] == "length"


@pytest.mark.parametrize(
    ("answer", "ok"), [({"age": 36}, True), ({"age": "36"}, False), ("36", False)]
)
def test_response_format_json_schema_is_held_like_guided_json(answer: Any, ok: bool) -> None:
    body = chat_body("x", response_format={"type": "json_schema",
                                           "json_schema": {"name": "age", "schema": AGE}})
    body["model"] = "m"
    comp = engine.complete(body, seed=0, is_reasoning=False, search=lambda *a: [],
                           scripted=ScriptedReply(content=json.dumps(answer)))
    found = seam.problem(comp, body)
    assert (found is None) is ok
    if not ok:
        assert "json_schema" in (found or "")


def boom(request: ChatRequest) -> str:
    raise ValueError(f"no answer for {request.prompt!r}")


async def aboom(request: ChatRequest) -> str:
    raise LookupError("async boom")


@pytest.mark.parametrize("stream", [False, True])
@pytest.mark.parametrize(("fn", "said"), [(boom, "ValueError: no answer for 'x'"),
                                          (aboom, "LookupError: async boom")])
def test_an_exception_is_a_500_naming_the_function(
    emu: Emulator, http: httpx.Client, fn: Any, said: str, stream: bool
) -> None:
    emu.script(fn)
    response = http.post(CHAT, json=chat_body("x", stream=stream), timeout=30)
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/json"
    expected = f"The emulator's responder {__name__}.{fn.__name__} raised {said}"
    assert response.json()["errors"][0]["detail"] == expected
    assert emu.read_journal(status=500).entries[-1].error == expected
    (error,) = emu.take_responder_errors()
    assert error.responder == f"{__name__}.{fn.__name__}"
    assert isinstance(error.__cause__, ValueError | LookupError)
    # the next request is served as usual
    after = http.post(CHAT, json=chat_body("y", stream=stream), timeout=30)
    assert after.status_code == 200
    if stream:
        assert sse_payloads(after.content)[-1] == "[DONE]"


def test_the_fixture_raises_what_the_test_did_not_take(tmp_path: Path) -> None:
    (tmp_path / "test_app.py").write_text(textwrap.dedent('''
        import openai, pytest

        def broken(request):
            raise KeyError("missing-key-42")

        def ask(emu):
            client = openai.OpenAI(base_url=emu.base_url, api_key="k", max_retries=0)
            with pytest.raises(openai.InternalServerError) as caught:
                client.chat.completions.create(
                    model="meta-llama/Meta-Llama-3.1-8B-Instruct",
                    messages=[{"role": "user", "content": "hi"}])
            assert "test_app.broken raised KeyError" in caught.value.body["errors"][0]["detail"]

        @pytest.mark.telnyx_responder(fn=broken)
        def test_left(telnyx_emulator):
            ask(telnyx_emulator)

        def test_taken(telnyx_emulator):
            telnyx_emulator.respond_with(broken)
            ask(telnyx_emulator)
            assert len(telnyx_emulator.take_responder_errors()) == 1

        @pytest.mark.telnyx_responder(1, 2)
        def test_bad_marker(telnyx_emulator):
            pass
    '''))
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_app.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    out = done.stdout
    assert "2 passed, 2 errors" in out, out[-3000:]
    assert "ERROR at teardown of test_left" in out
    assert "missing-key-42" in out
    assert 'raise KeyError("missing-key-42")' in out
    assert "ERROR at setup of test_bad_marker" in out
    assert "telnyx_responder takes one function" in out


def test_load_responder_names_what_is_wrong() -> None:
    assert load_responder("json:dumps") is json.dumps
    assert load_responder("os.path:join") is os.path.join
    for spec, said in [("json", "expected MODULE:FUNCTION"),
                       ("no_such_module_x:f", "cannot import 'no_such_module_x'"),
                       ("json:nothing", "'json' has no attribute 'nothing'"),
                       ("json:__doc__", "is not callable")]:
        with pytest.raises(ValueError, match=said):
            load_responder(spec)


def test_the_command_line_takes_a_responder(tmp_path: Path) -> None:
    (tmp_path / "my_answers.py").write_text(
        "def answer(request):\n    return 'CLI: ' + request.prompt\n"
    )
    proc = subprocess.Popen(
        [sys.executable, "-m", "telnyx_inference.emulator", "--port", "0", "--quiet",
         "--responder", "my_answers:answer"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        assert base.startswith("http://127.0.0.1:"), proc.stderr.read() if proc.stderr else base
        done = httpx.post(f"{base}/chat/completions", json=chat_body("ping"),
                          headers={"Authorization": "Bearer k"}, timeout=10)
        assert done.json()["choices"][0]["message"]["content"] == "CLI: ping"
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    bad = subprocess.run(
        [sys.executable, "-m", "telnyx_inference.emulator", "--responder", "my_answers:nope"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )
    assert bad.returncode == 2
    assert "error: --responder: 'my_answers' has no attribute 'nope'" in bad.stderr
