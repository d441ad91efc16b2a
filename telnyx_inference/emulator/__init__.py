"""A local Telnyx Inference API: the real client stack, offline. Imports the core, never a
framework; its rooms are ``serving/`` (HTTP), ``replay/``, ``storage/`` and ``model/``, and
``responders`` is the seam through which your function answers instead of ``model/``.

Start it with ``python -m telnyx_inference.emulator --port 0`` (prints its base URL), with
``with Emulator() as emu:`` in Python, or through the pytest fixture ``telnyx_emulator``
(one server per session, state reset before each test)::

    from telnyx_inference.emulator import Emulator, Fault, ScriptedReply

    with Emulator() as emu:
        client = openai.OpenAI(base_url=emu.base_url, api_key="any-key")
        emu.script(ScriptedReply(content="hi"))          # the next reply, verbatim
        emu.fault(Fault(kind="status", status=503, times=2))
        emu.seed_bucket("docs", texts={"a.txt": "Telnyx runs a global IP network."})
        emu.journal                                       # requests received

Who answers a chat request, first match wins: record/replay (``replay=``), a queued fault,
the next queued :class:`ScriptedReply` (sent verbatim) or function (``emu.script(fn)``), the
emulator's **responder** (``Emulator(responder=fn)``, ``emu.respond_with(fn)``,
``@pytest.mark.telnyx_responder(fn=fn)``, ``--responder module:fn``), then the heuristic model.
A responder is ``fn(request: ChatRequest)``, sync or async, returning text, a
:class:`ToolCall` (or a list), a JSON value or pydantic model (structured output), a
``ScriptedReply``, a ``chat.completion`` body, or None (the heuristic model answers). Its
answer is rendered like the model's and checked against the request (tools offered,
``tool_choice``, ``json_schema`` / ``guided_*``); an exception or a violation is a 500 whose
body names the function, and the fixture raises it at the end of the test. What the
heuristic model understands, and the seam in full: ``docs/emulator-model.md``.

Addresses: ``emu.root`` (server root), ``emu.native_base`` (``…/v2``, buckets),
``emu.base_url`` (``…/v2/ai/openai``), ``emu.legacy_base_url`` (``…/v2/ai``) and
``emu.storage_url`` (Telnyx Cloud Storage's S3 API, moto's; see :mod:`.storage.s3`).

Fault header
------------
A request may ask for faults itself with ``X-Emulator-Fault``::

    X-Emulator-Fault: <fault>[, <fault> ...]
    <fault>          = <kind>[=<value>][;<param>=<value> ...]

``<value>`` fills the kind's main parameter. Kinds and their main parameter:

==================  ===========  ==================================================
kind                value        effect
==================  ===========  ==================================================
status              status code  answer with that status (``body=`` telnyx | fastapi |
                                 openai | flat picks the error shape; 429 carries
                                 ``x-ratelimit-limit/remaining/reset``, the window
                                 reset ``seconds`` from now)
slow_first_byte     seconds      wait before answering at all (or until the client
                                 hangs up)
stall_after         after        stream ``after`` chunks, then pause ``seconds`` (or
                                 until the client hangs up)
drop_after          after        stream ``after`` chunks, then close the connection
error_event         shape        stream ``after`` chunks, then an error event
                                 (``nested``: ``{"error": {...}}``; ``flat``: vLLM's
                                 ``{"object": "error", ...}``), then ``[DONE]``
malformed_line      after        a truncated JSON ``data:`` line after ``after`` chunks
no_done             —            omit ``data: [DONE]``
split_frames        —            send frames in pieces cut at odd byte offsets
crlf                —            ``\\r\\n\\r\\n`` between frames
keepalive_comments  —            a ``: keep-alive`` comment before every frame
drop                —            close the connection unanswered: storage (S3) requests
                                 before they are served, API requests after (the
                                 answer is lost, the work done: a job started)
==================  ===========  ==================================================

Other parameters: ``times`` (apply to the first N requests carrying this exact header
value, then succeed; default: every request), ``seconds``, ``after``, ``shape``, ``body``,
``status``, ``message``, ``route`` (only paths containing it), ``match`` (only request bodies
containing that text). Examples::

    X-Emulator-Fault: status=503;times=2
    X-Emulator-Fault: status=429;body=openai
    X-Emulator-Fault: stall_after=3;seconds=2.5
    X-Emulator-Fault: error_event=flat;after=2, crlf

Stream-only kinds are ignored on requests that do not stream. A malformed header is a 400.

Control API
-----------
Under ``/_emulator/`` (no key needed, not journalled; bound beyond loopback, the control token
in ``X-Emulator-Token``), each mirrored by an ``Emulator`` method. Request and response bodies:
``docs/emulator-control-api.md``. ``GET /`` answers an index without a key.

=========================  ===============================================================
``GET  health``            liveness
``GET  state``             settings, queue lengths, buckets
``POST reset``             ``emu.reset()``: back to the start-up baseline
``POST baseline``          ``emu.set_baseline()``: buckets and models now are the baseline
``POST script``            ``emu.script(...)``: a ScriptedReply object or a list of them
                           (functions are queued from Python only)
``POST faults``            ``emu.fault(...)``: a Fault object or list; ``DELETE`` clears
``GET  journal``           ``emu.read_journal(...)``: ``?last=N&path=&method=&status=``;
                           ``DELETE`` clears
``POST buckets``           ``emu.seed_bucket(...)``: ``{name, texts?, paths?, embed?,
                           chunk_size?, chunk_overlap?}``
``POST jobs/outcome``      ``emu.script_job(status, failures)``
``POST fixed``             ``emu.set_fixed(enabled, chunks)``: the benchmark mode
``POST settings``          ``emu.configure(api_key=?, strict=?, seed=?, adversarial=?,
                           contract=?, guided=?)``
``POST models``            ``emu.add_model(id, context_length, ...)``
``GET  storage``           ``{"storage_url": emu.storage_url}`` (starts the S3 endpoint);
                           ``POST {"latency": s}`` sets ``emu.storage.latency``
=========================  ===============================================================

Record and replay
-----------------
``Emulator(record=DIR, upstream=URL)`` proxies every API request to URL (default
``https://api.telnyx.com``) and writes each interaction to DIR, secrets scrubbed;
``Emulator(replay=DIR, replay_strict=True)`` answers from DIR, a request it lacks being a 400
(``replay_strict`` is not ``strict``, which checks request fields). See :mod:`.replay.tape` (what happens),
:mod:`.replay.cassettes` (the file format), :mod:`.replay.matching` (which recording answers)
and :mod:`.replay.pytest_cassettes` (``@pytest.mark.telnyx_cassette``).

Contracts
---------
The chat route serves Telnyx's schema as published today (``contract="current"``, default):
``response_format`` json_schema honoured, ``reasoning_effort`` / ``region`` / ``mode`` known,
no ``guided_*`` and no ``logit_bias``. What it does with ``guided_*`` is the ``guided``
setting: ``"honour"`` (default), ``"ignore"`` (answered unconstrained) or ``"reject"`` (422).
``contract="seed"`` serves the original endpoint doc instead (``guided_*``, no json_schema).
CLI: ``--contract``, ``--guided``.

Responses to chat requests with unknown top-level fields carry
``X-Emulator-Ignored-Fields`` (names percent-encoded); strict mode (or ``X-Emulator-Strict:
1``) answers 422 instead: exactly the contract's schema, so ``guided_*`` too under the
current contract (``stream_options``, accepted live, stays known).

Values
------
Structured output and tool arguments come from the conversation (realistic, the default).
``X-Emulator-Mode: adversarial`` on a request, ``Emulator(adversarial=True)``,
``emu.configure(adversarial=True)``, ``--adversarial`` or the ``telnyx_adversarial`` pytest
marker fill them with conforming edge cases instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telnyx_inference.emulator.faults import Fault
from telnyx_inference.emulator.records import JournalEntry, ScriptedReply
from telnyx_inference.emulator.responders import (
    ChatRequest,
    Responder,
    ResponderError,
    ToolCall,
    ToolResult,
)

if TYPE_CHECKING:
    from telnyx_inference.emulator.serving.server import Emulator

__all__ = [
    "ChatRequest",
    "Emulator",
    "Fault",
    "JournalEntry",
    "Responder",
    "ResponderError",
    "ScriptedReply",
    "ToolCall",
    "ToolResult",
]


def __getattr__(name: str) -> Any:
    # The server needs the ``emulator`` extra (starlette, uvicorn); load it only when asked,
    # so the pytest plugin can be registered on installs without that extra.
    if name == "Emulator":
        from telnyx_inference.emulator.serving.server import Emulator

        return Emulator
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
