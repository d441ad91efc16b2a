"""Run the emulator: :class:`Emulator` on a background thread (:func:`.foreground.serve` runs
one in the foreground, for the CLI)."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import uvicorn

from telnyx_inference._constants import (
    DEFAULT_CHUNK_OVERLAP,
    DEFAULT_CHUNK_SIZE,
    LEGACY_BASE_SUFFIX,
    NATIVE_ROOT_PATH,
    OPENAI_BASE_SUFFIX,
)
from telnyx_inference.emulator import streaming
from telnyx_inference.emulator.access import (
    exposure_notice,
    is_loopback_host,
    resolve_control_token,
)
from telnyx_inference.emulator.faults import Fault
from telnyx_inference.emulator.model import guided
from telnyx_inference.emulator.records import JournalEntry, ScriptedReply
from telnyx_inference.emulator.replay.matching import DEFAULT_IGNORED_FIELDS
from telnyx_inference.emulator.replay.tape import (
    DEFAULT_UPSTREAM,
    Tape,
    check_record_bind,
    check_replay_folder,
)
from telnyx_inference.emulator.responders import Responder, ResponderError
from telnyx_inference.emulator.serving import control
from telnyx_inference.emulator.serving.app import create_app
from telnyx_inference.emulator.serving.journal import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ENTRIES,
    JournalPage,
)
from telnyx_inference.emulator.serving.ops import settle
from telnyx_inference.emulator.serving.startup import (
    bind_socket,
    import_event_loop_backends,
    replay_strictness,
)
from telnyx_inference.emulator.serving.state import (
    DEFAULT_FIXED_CHUNKS,
    Settings,
    State,
    check_setting,
)
from telnyx_inference.emulator.storage.s3 import StorageEndpoint

START_TIMEOUT = 10.0


class Emulator:
    """A Telnyx-compatible server on loopback, for tests and offline work.

    >>> with Emulator() as emu:
    ...     client = openai.OpenAI(base_url=emu.base_url, api_key="test")
    ...     emu.script(ScriptedReply(content="hi"))
    ...     emu.fault(Fault(kind="status", status=429, times=2))

    ``api_key`` (when set) is the only key accepted; ``strict`` rejects unknown fields;
    ``seed`` changes every generated answer; ``mode="fixed"`` serves a canned completion
    and a canned ``chunks``-chunk stream with almost no work (for benchmarks).

    Record and replay (see :mod:`telnyx_inference.emulator.replay.tape`): ``record=DIR`` proxies every API request to
    ``upstream`` (default ``https://api.telnyx.com``) and writes each interaction to DIR;
    ``replay=DIR`` answers from DIR (``replay_strict`` turns a miss into an error naming the
    closest recording; ``replay_speed`` keeps recorded timing, scaled); both on one DIR
    replay what was recorded and record the rest. Recording off loopback needs ``allow_remote_record``.
    The journal keeps at most ``journal_max_entries`` requests and ``journal_max_bytes``
    bytes, dropping (and counting) the oldest. Bound beyond loopback, the control routes
    require ``control_token`` (generated when not given; see :attr:`control_token`).
    Buckets and models set up before :meth:`start` are the baseline :meth:`reset` returns to.
    ``adversarial=True`` fills structured output and tool arguments with edge cases instead
    of values from the conversation (per request: ``X-Emulator-Mode: adversarial``).
    ``contract="current"`` (default) serves Telnyx's published chat schema of today
    (``response_format`` json_schema; ``strict`` refuses anything outside that schema, the
    ``guided_*`` fields included); ``guided`` says what it does with ``guided_*`` otherwise:
    ``"honour"`` (default), ``"ignore"`` (answered unconstrained) or ``"reject"`` (422).
    ``contract="seed"`` serves the original endpoint doc: ``guided_*`` honoured, ``json_schema``
    refused.
    ``responder=fn`` lets your function answer chat requests before the heuristic model
    (see :mod:`telnyx_inference.emulator.responders` and ``docs/emulator-model.md``).
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        strict: bool = False,
        seed: int = 0,
        mode: str = "normal",
        chunks: int = DEFAULT_FIXED_CHUNKS,
        journal_max_entries: int = DEFAULT_MAX_ENTRIES,
        journal_max_bytes: int = DEFAULT_MAX_BYTES,
        control_token: str | None = None,
        log_level: str = "warning",
        record: str | Path | None = None,
        replay: str | Path | None = None,
        upstream: str = DEFAULT_UPSTREAM,
        replay_speed: float | None = None,
        replay_strict: bool | None = None,
        ignore_fields: Sequence[str] = DEFAULT_IGNORED_FIELDS,
        allow_remote_record: bool = False,
        storage_latency: float = 0.0,
        adversarial: bool = False,
        contract: str = "current",
        guided: str = "honour",
        responder: Responder | None = None,
        token_limits: bool = False,
        token_budget_scale: float = 1.0,
        token_window_seconds: float = 60.0,
    ) -> None:
        if mode not in ("normal", "fixed"):
            raise ValueError("mode must be 'normal' or 'fixed'")
        for name, value in (
            ("contract", contract),
            ("guided", guided),
            ("token_budget_scale", token_budget_scale),
            ("token_window_seconds", token_window_seconds),
        ):
            check_setting(name, value)
        if responder is not None and not callable(responder):
            raise TypeError(f"responder must be callable, got {responder!r:.80}")
        if record is not None:
            check_record_bind(host, allow_remote_record)
        token, self._token_generated = resolve_control_token(host, control_token)
        control.check_chunks(chunks)
        self._state = State(
            Settings(
                api_key=api_key,
                strict=strict,
                seed=seed,
                mode=mode,
                chunks=chunks,
                journal_max_entries=journal_max_entries,
                journal_max_bytes=journal_max_bytes,
                control_token=token,
                adversarial=adversarial,
                contract=contract,
                guided=guided,
                token_limits=token_limits,
                token_budget_scale=token_budget_scale,
                token_window_seconds=token_window_seconds,
            ),
            responder,
        )
        self._baseline_marked = False
        self._host, self._port, self._log_level = host, port, log_level
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        if mode == "fixed":
            control.set_fixed(self._state, True, chunks)
        self._allow_remote_record = allow_remote_record
        if record is not None or replay is not None:
            check_replay_folder(replay, record)
            self._state.tape = Tape(
                record=record,
                replay=replay,
                upstream=upstream,
                strict=replay_strictness(replay, replay_strict, strict),
                speed=replay_speed,
                ignore=ignore_fields,
            )
        self.storage = StorageEndpoint(self._state, host, storage_latency)
        """The S3 endpoint (Telnyx Cloud Storage), started on first use of ``storage_url``."""
        self._state.storage = self.storage

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Emulator:
        if self._thread is not None:
            return self
        streaming.install_log_filter()
        if not self._baseline_marked:
            self._state.mark_baseline()
            self._baseline_marked = True
        if not is_loopback_host(self._host):
            notice = exposure_notice(self._host, self.control_token, self._token_generated)
            logging.getLogger("telnyx_inference.emulator").warning(notice)
        # Everything the server and model threads will need is imported here, on the
        # caller's thread: an import on another thread can race the caller's own use of
        # ``ast`` (pytest's, on CPython 3.11: gh-106905), and nothing is left to import then.
        guided.warm_up()
        config = uvicorn.Config(
            create_app(self._state),
            log_level=self._log_level,
            access_log=False,
            lifespan="off",
            ws="none",
            timeout_keep_alive=30,
            backlog=2048,
            timeout_graceful_shutdown=1,
        )
        config.load()
        import_event_loop_backends()
        self._sock = bind_socket(self._host, self._port)
        self._server = uvicorn.Server(config)
        sock, server = self._sock, self._server
        self._thread = threading.Thread(
            target=lambda: asyncio.run(server.serve([sock])), name="telnyx-emulator", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the Telnyx emulator failed to start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        self.storage.stop()
        if self._server is not None and self._thread is not None and self._thread.is_alive():
            self._server.should_exit = True
            self._thread.join(timeout=5)
        if self._state.tape is not None:
            self._state.tape.close()
        if self._sock is not None:
            self._sock.close()
        self._server = self._thread = self._sock = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- addresses ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._sock is None:
            raise RuntimeError("the emulator is not running; call start() first")
        return int(self._sock.getsockname()[1])

    @property
    def root(self) -> str:
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{self.port}"

    @property
    def native_base(self) -> str:
        """The Telnyx-native ``…/v2`` root (bucket endpoints)."""
        return f"{self.root}{NATIVE_ROOT_PATH}"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base, ``…/v2/ai/openai``."""
        return f"{self.native_base}{OPENAI_BASE_SUFFIX}"

    @property
    def storage_url(self) -> str:
        """The S3-compatible storage endpoint (``Storage(storage_url=...)``, boto3's
        ``endpoint_url``); clients given ``base_url`` find it themselves."""
        return self.storage.url

    @property
    def legacy_base_url(self) -> str:
        """The deprecated base, ``…/v2/ai``."""
        return f"{self.native_base}{LEGACY_BASE_SUFFIX}"

    # --- control (the same operations as the /_emulator/ routes) ----------------------------

    def script(
        self, *replies: ScriptedReply | Responder | Iterable[ScriptedReply | Responder]
    ) -> None:
        """Queue replies; each chat request takes the next one (FIFO). Lists are accepted.
        A function queued here answers that one request as a responder would (checked
        against the request); a ScriptedReply is sent verbatim."""
        items = control.flatten_items(replies, ScriptedReply, "script", functions=True)
        control.script(self._state, items)

    def respond_with(self, responder: Responder | None) -> None:
        """Let ``responder`` answer chat requests from now on; None: the heuristic model.
        :meth:`reset` returns to the constructor's ``responder``."""
        control.respond_with(self._state, responder)

    def take_responder_errors(self) -> list[ResponderError]:
        """What responders raised (or answered against the request) since the last call or
        reset, oldest first, and forget them. The ``telnyx_emulator`` fixture raises the
        first one left at the end of a test."""
        return self._state.take_responder_errors()

    def fault(self, *faults: Fault | Iterable[Fault]) -> None:
        """Queue faults; each applies to the next matching requests, ``times`` times."""
        control.add_faults(self._state, control.flatten_items(faults, Fault, "fault"))

    def clear_faults(self) -> None:
        control.clear_faults(self._state)

    @property
    def journal(self) -> list[JournalEntry]:
        """Requests received, oldest first (``Authorization`` redacted)."""
        return self._state.journal.snapshot()

    def read_journal(
        self,
        *,
        last: int | None = None,
        path: str | None = None,
        method: str | None = None,
        status: int | None = None,
    ) -> JournalPage:
        """``GET /_emulator/journal``: the entries that pass the filters (path contains
        ``path``; then the ``last`` N) and the counters (kept, dropped, caps)."""
        return self._state.journal.page(last=last, path=path, method=method, status=status)

    def clear_journal(self) -> None:
        """Forget every entry (and the dropped count)."""
        self._state.journal.clear()

    def seed_bucket(
        self,
        name: str,
        texts: Mapping[str, str] | None = None,
        paths: Iterable[str | Path] | None = None,
        *,
        embed: bool = True,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        chunk_overlap: int = DEFAULT_CHUNK_OVERLAP,
    ) -> None:
        """Put files in a bucket (from ``texts`` and/or files and directories in ``paths``);
        embedded at once unless ``embed=False`` (then a client must start a job)."""
        control.seed_bucket(
            self._state,
            name,
            texts,
            paths,
            embed=embed,
            chunk_size=chunk_size,
            chunk_overlap=chunk_overlap,
        )

    @property
    def bucket_jobs(self) -> list[dict[str, Any]]:
        """The bucket embedding jobs started since the last reset, oldest first."""
        return self._state.buckets.jobs()

    def script_job(self, status: str, failures: Mapping[str, str] | None = None) -> None:
        """Make the next embedding job end in ``status`` (``failure``/``partial_success``),
        with ``{filename: reason}`` for the files that failed."""
        self._state.buckets.script_outcome(status, failures)

    def set_fixed(self, enabled: bool = True, chunks: int | None = None) -> None:
        control.set_fixed(self._state, enabled, chunks)

    def configure(self, **changes: Any) -> None:
        """Change ``api_key``, ``strict``, ``seed``, ``adversarial``, ``contract`` or ``guided``
        while running (undone
        by reset)."""
        control.configure(self._state, **changes)

    def token_limits(self, **changes: Any) -> dict[str, Any]:
        """``GET``/``POST /_emulator/limits``: with ``models={id: {"input": n, ...}}`` and
        ``organizations={key: org}`` set those first; returns settings, limits and use.
        Turn limits on with ``configure(token_limits=True, token_budget_scale=...)``."""
        if changes:
            self._state.limits.configure(**changes)
        return control.token_limits(self._state)

    def add_model(self, model_id: str, context_length: int, **facts: Any) -> None:
        control.add_model(self._state, model_id, context_length, **facts)

    @contextmanager
    def cassette(self, tape: Tape) -> Iterator[Tape]:
        """Record / replay through ``tape`` inside the block (the pytest marker uses this)."""
        if tape.records:
            check_record_bind(self._host, self._allow_remote_record)
        previous, self._state.tape = self._state.tape, tape
        try:
            yield tape
        finally:
            self._state.tape = previous
            tape.close()

    def settle(self, timeout: float = 30.0) -> bool:
        """Wait until the server has read every request already sent to it and answered each
        (True), so that none a client gave up on lands in a later journal; False if some are
        still in progress after ``timeout`` seconds. The ``telnyx_emulator`` fixture settles
        before each test's reset."""
        return settle(self._state, self._host, self.port, timeout)

    def reset(self) -> None:
        """Back to the baseline: the constructor's settings and the buckets and models present
        at start (or at the last :meth:`set_baseline`); no scripts, faults or journal."""
        control.reset(self._state)

    def snapshot(self) -> dict[str, Any]:
        """``GET /_emulator/state``: settings (secrets shown as ``[SET]``), queue lengths,
        buckets."""
        return self._state.snapshot()

    def set_baseline(self) -> None:
        """Make the buckets and models present now what :meth:`reset` returns to."""
        self._state.mark_baseline()
        self._baseline_marked = True

    @property
    def control_token(self) -> str | None:
        """The token the control routes require over HTTP (``X-Emulator-Token``), or None
        when they are open (loopback without a token given)."""
        return self._state.settings.control_token

    @property
    def api_key(self) -> str | None:
        """The only API key accepted, or None when any non-empty key is."""
        return self._state.settings.api_key

    def __repr__(self) -> str:
        where = self.root if self._sock is not None else "stopped"
        return f"Emulator({where})"
