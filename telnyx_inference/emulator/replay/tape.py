"""Record and replay for one emulator: which answers come from a cassette, which go upstream.

A :class:`Tape` sits at the front of the request pipeline (:mod:`telnyx_inference.emulator.serving.app`). Replay: a request
that matches a recording gets that answer; a miss gets a Telnyx-shaped error naming the
closest recording (strict) or falls through to the emulator's own model, with a log line.
Record: the request goes to the upstream and the interaction is written, scrubbed, as the
next file of the cassette folder. Both together ("record what is missing") replay hits and
record misses.

A tape answers before the emulator's own key check, faults and scripted replies (the journal
still records the request): the upstream, or the recording, decides what comes back. The
control routes (``/_emulator/...``) are never proxied or replayed. What is not recorded: a
request whose upstream could not be reached (the client gets a 502). A stream the client
abandons is recorded as far as it went, marked cut.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from telnyx_inference._constants import API_KEY_ENV, DEFAULT_BASE_URL
from telnyx_inference.emulator import errors
from telnyx_inference.emulator.access import is_loopback_host
from telnyx_inference.emulator.replay import proxy
from telnyx_inference.emulator.replay.cassettes import (
    FORMAT_VERSION,
    Interaction,
    bearer_key,
    interaction_file_name,
    scrub_interaction,
    scrub_json,
    scrub_text,
    text_secrets,
)
from telnyx_inference.emulator.replay.matching import DEFAULT_IGNORED_FIELDS, Library, Miss

log = logging.getLogger("telnyx_inference.emulator.replay.tape")

DEFAULT_UPSTREAM = "{0.scheme}://{0.netloc}".format(urlsplit(DEFAULT_BASE_URL))
"""Where ``--record`` sends requests unless told otherwise: ``https://api.telnyx.com``."""
MISS_CODE = "cassette_miss"
_FILE = re.compile(r"^(\d{4,})-[A-Za-z0-9._-]*\.json$")


class CassetteFileError(ValueError):
    """A cassette file that is not an interaction this emulator can replay."""


class RemoteRecordError(RuntimeError):
    """Record mode on an address beyond loopback, not explicitly allowed."""


RECORD_HINT = (
    "To record what is missing, give the same folder to record= and replay= "
    "(--record DIR --replay DIR); requests go to the upstream with the client's own key."
)


def check_replay_folder(replay: str | Path | None, record: str | Path | None) -> None:
    """Refuse a replay folder that does not exist (unless it is also the one recorded to)."""
    if replay is None or Path(replay).is_dir():
        return
    if record is not None and Path(record).resolve() == Path(replay).resolve():
        return
    raise FileNotFoundError(
        f"the replay folder {replay} does not exist: check the path, or record into it "
        f"first (record={str(replay)!r}, --record {replay})."
    )


def check_record_bind(host: str, allowed: bool) -> None:
    if not allowed and not is_loopback_host(host):
        raise RemoteRecordError(
            f"refusing to record on {host}: a recorder reachable from the network is an open "
            "proxy that writes to disk. Bind 127.0.0.1, or pass allow_remote_record=True "
            "(--allow-remote-record) if that is really what you want."
        )


def load_cassette(folder: str | Path) -> list[Interaction]:
    """The interactions in ``folder``, in recorded order (an absent folder is empty)."""
    base = Path(folder).resolve()
    if not base.is_dir():
        return []
    items = []
    for path in sorted(base.iterdir(), key=lambda p: p.name):
        if not _FILE.match(path.name) or not path.resolve().is_relative_to(base):
            continue
        try:
            data = json.loads(path.read_text("utf-8"))
            if int(data.get("version", 1)) > FORMAT_VERSION:
                raise ValueError(f"format version {data['version']} is newer than this emulator's")
            items.append(Interaction.from_dict(data, path.name))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise CassetteFileError(f"cassette file {path} cannot be read: {exc}") from exc
    return items


def erase_cassette(folder: str | Path) -> None:
    """Delete the recorded interactions in ``folder`` (nothing else in it)."""
    base = Path(folder)
    if base.is_dir():
        for path in base.iterdir():
            if _FILE.match(path.name) and path.is_file() and not path.is_symlink():
                path.unlink()


def _next_number(folder: Path) -> int:
    """The number the next interaction written to ``folder`` gets (after the existing ones)."""
    found = [_FILE.match(p.name) for p in folder.iterdir()] if folder.is_dir() else []
    return 1 + max((int(m.group(1)) for m in found if m), default=0)


class Tape:
    """Record to and/or replay from cassette folders.

    ``replay``: folder to answer from; ``record``: folder to write to (may be the same one:
    misses are recorded); ``strict``: misses are errors (None: follow the emulator's
    ``strict`` setting); ``speed``: replay timing (None: as fast as possible); ``ignore``:
    body fields left out of matching; ``secrets``: strings scrubbed besides each request's
    own key (``TELNYX_API_KEY`` is always one); ``hint``: how to record, said on a miss.
    """

    def __init__(
        self,
        *,
        replay: str | Path | None = None,
        record: str | Path | None = None,
        upstream: str = DEFAULT_UPSTREAM,
        strict: bool | None = None,
        speed: float | None = None,
        ignore: Sequence[str] = DEFAULT_IGNORED_FIELDS,
        secrets: Iterable[str] = (),
        hint: str = RECORD_HINT,
    ) -> None:
        if replay is None and record is None:
            raise ValueError("a Tape needs replay=FOLDER, record=FOLDER or both")
        if speed is not None and speed < 0:
            raise ValueError(f"replay_speed must be positive (or None), got {speed}")
        if not urlsplit(upstream).scheme.startswith("http"):
            raise ValueError(f"upstream must be an http(s) URL, got {upstream!r}")
        self.replay_dir = Path(replay) if replay is not None else None
        self.record_dir = Path(record) if record is not None else None
        self.strict, self.speed, self.hint = strict, speed or None, hint
        self.secrets = [s for s in (*secrets, os.environ.get(API_KEY_ENV, "")) if s]
        self.library = Library(
            load_cassette(self.replay_dir) if self.replay_dir else [], tuple(ignore)
        )
        self.upstream = proxy.Upstream(upstream) if self.record_dir is not None else None
        self._lock = threading.Lock()
        self._next = _next_number(self.record_dir) if self.record_dir else 1

    @property
    def records(self) -> bool:
        return self.record_dir is not None

    def rewind(self) -> None:
        """Replay from the start again (the emulator's ``reset`` does this)."""
        self.library.rewind()

    def close(self) -> None:
        if self.upstream is not None:
            self.upstream.close()

    async def answer(self, request: Request, raw: bytes, strict_default: bool) -> Response | None:
        """The answer from the cassette or the upstream; None lets the emulator answer."""
        secrets = text_secrets((bearer_key(request.headers.get("authorization")), *self.secrets))
        if self.replay_dir is not None:
            got = self._take(request, proxy.json_or_none(raw), secrets)
            if isinstance(got, Interaction):
                return proxy.replay(got, self.speed)
            if self.upstream is None:
                return self._miss(got, strict_default, secrets)
        assert self.upstream is not None
        return await self.upstream.forward(request, raw, lambda item: self._save(item, secrets))

    def _take(self, request: Request, body: Any, secrets: Sequence[str]) -> Interaction | Miss:
        """The recording of this request, matched as sent (only ``SECRET_FIELDS`` hidden, as
        they are on disk). Failing that, with the secrets replaced too: a recording whose
        prompt held the key was written with ``[REDACTED]`` there."""
        method, path, query = request.method, request.url.path, request.url.query
        sent = scrub_json(body, ())
        got = self.library.take(method, path, query, sent)
        if isinstance(got, Miss) and secrets:
            hidden = scrub_json(body, secrets)
            if hidden != sent and isinstance(
                again := self.library.take(method, path, query, hidden), Interaction
            ):
                return again
        return got

    def _miss(
        self, miss: Miss, strict_default: bool, secrets: Sequence[str] = ()
    ) -> Response | None:
        text = scrub_text(miss.describe(), secrets)  # it quotes the request's body
        if not self.library.items:
            text += f" The cassette {self.replay_dir} is empty or missing."
        text += " " + self.hint
        strict = self.strict if self.strict is not None else strict_default
        log.warning("cassette miss (%s): %s", "error" if strict else "emulator answers", text)
        if not strict:
            return None
        return errors.json_response(
            errors.telnyx_errors(400, text, code=MISS_CODE, title="No recorded answer"), 400
        )

    def _save(self, item: Interaction, secrets: Sequence[str]) -> None:
        assert self.record_dir is not None
        clean = scrub_interaction(item, secrets)
        with self._lock:  # a stream saved twice (at [DONE], then at its end) keeps its file
            if not item.name:
                item.name = interaction_file_name(self._next, clean.method, clean.path)
                self._next += 1
        clean.name = name = item.name
        self.record_dir.mkdir(parents=True, exist_ok=True)
        target = self.record_dir / name
        temp = target.with_suffix(".tmp")
        temp.write_text(
            json.dumps(clean.to_dict(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        temp.replace(target)
        log.info("recorded %s %s -> %s", clean.method, clean.path, target)
