"""The emulator's Telnyx Cloud Storage: moto's S3 server, wrapped in Telnyx's rules.

moto implements S3 itself (buckets, objects, metadata, listings, batch deletes, the XML); this
module only adds what makes it Telnyx's storage and part of one emulator:

- its own loopback port (``emu.storage_url``), started on first use, and advertised to
  clients at ``GET /_emulator/storage`` so ``Storage()`` finds it from the API base URL;
- a moto account per emulator, so two emulators in one process keep their own buckets, and
  a reset clears only this one's (a bucket name is still global, as on Telnyx);
- the API key as the access key id (403 ``InvalidAccessKeyId`` when the emulator has a key
  set and another is used); each object call must be signed for the bucket's home region
  (else 301 ``PermanentRedirect`` naming it); another account's bucket answers 403;
- ``latency`` seconds added to each request (a real round trip, for benchmarks), queued
  faults (``status``, ``slow_first_byte``, ``drop``), and the journal;
- each stored or deleted object reported to the emulator's :class:`~.buckets.BucketStore`,
  so what is uploaded is what the bucket endpoints embed and search.
"""

from __future__ import annotations

import re
import secrets
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from telnyx_inference._constants import (
    DEFAULT_STORAGE_REGION,
    EMULATOR_FAULT_HEADER,
    EMULATOR_STORAGE_PATH,
)
from telnyx_inference.emulator import errors
from telnyx_inference.emulator import faults as fk
from telnyx_inference.emulator.records import JournalEntry, redact_headers

if TYPE_CHECKING:  # the serving side owns the state; storage only reads it
    from telnyx_inference.emulator.serving.state import State

__all__ = ["StorageEndpoint", "storage_routes"]

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/s3/aws4_request")
_FAULT_CODES = {
    400: "InvalidRequest",
    403: "AccessDenied",
    404: "NoSuchKey",
    409: "OperationAborted",
    429: "SlowDown",
    500: "InternalError",
    501: "NotImplemented",
    503: "SlowDown",
}
_PARTITION = "aws"

StartResponse = Callable[..., Any]


def _account() -> str:
    return "4" + "".join(secrets.choice("0123456789") for _ in range(11))


def _backend(account: str) -> Any:
    from moto.s3.models import s3_backends

    return s3_backends[account][_PARTITION]


class StorageEndpoint:
    """The S3 endpoint of one emulator (``emu.storage``)::

    emu.storage.latency = 0.05                 # 50 ms per request
    emu.storage.claim("taken-name")            # a bucket owned by another account
    emu.storage_url                            # http://127.0.0.1:<port>
    """

    def __init__(self, state: State, host: str = "127.0.0.1", latency: float = 0.0) -> None:
        self._state = state
        self._host = host
        self.baseline_latency = latency
        self.latency = latency
        """Seconds added to every storage request (reset returns to ``baseline_latency``)."""
        self.account = _account()
        self._foreign: set[str] = set()
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._app: Any = None
        state.buckets.reset_hooks.append(self.reset)
        state.buckets.put_hooks.append(self._mirror)

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The endpoint's URL; starts the server on first use."""
        server = self.start()
        host = f"[{self._host}]" if ":" in self._host else self._host
        return f"http://{host}:{server.server_port}"

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> Any:
        with self._lock:
            if self._server is None:
                from moto.moto_server.werkzeug_app import create_backend_app
                from werkzeug.serving import WSGIRequestHandler, make_server

                class Quiet(WSGIRequestHandler):
                    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                        pass  # the journal records requests; no access log on stderr

                self._app = create_backend_app("s3")
                self._server = make_server(
                    self._host, 0, self, threaded=True, request_handler=Quiet
                )
                self._thread = threading.Thread(
                    target=self._server.serve_forever,
                    name="telnyx-emulator-storage",
                    daemon=True,
                )
                self._thread.start()
                for bucket, texts in self._state.buckets.texts().items():
                    self._mirror(bucket, texts)  # buckets seeded before the first use
            return self._server

    def stop(self) -> None:
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is not None:
            if thread is not None and thread.is_alive():
                server.shutdown()  # waits for serve_forever: never call it on a thread not started
            server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._clear()

    def reset(self) -> None:
        """Back to the starting latency and to the bucket store's baseline: objects stored
        since are gone, and the baseline buckets' files are objects again."""
        self.latency = self.baseline_latency
        self._clear()
        for bucket, texts in self._state.buckets.texts().items():
            self._mirror(bucket, texts)

    def _clear(self) -> None:
        if self._app is None:
            return
        from moto.s3.models import FakeKey, s3_backends

        for account in (self.account, *self._foreign):
            backend = _backend(account)
            for name, bucket in list(backend.buckets.items()):
                for key in bucket.keys.values():
                    if isinstance(key, FakeKey):
                        key.dispose()
                for part in bucket.multiparts.values():
                    part.dispose()
                s3_backends.bucket_accounts.pop(name, None)
            backend.buckets.clear()
        self._foreign.clear()

    # --- control -----------------------------------------------------------------------------

    def claim(self, bucket: str, region: str = DEFAULT_STORAGE_REGION) -> None:
        """Create ``bucket`` under another account: creating it again answers
        ``BucketAlreadyExists``, touching it answers 403, as for a name taken on Telnyx."""
        self.start()
        other = _account()
        self._foreign.add(other)
        _backend(other).create_bucket(bucket, region)

    def _mirror(self, bucket: str, texts: Mapping[str, str]) -> None:
        """Store seeded files as objects too, so listings and reads see them. Best effort: a
        seeded name that S3 refuses (too short, say) or that another emulator in this process
        holds (names are global) stays a bucket of the embedding endpoints only."""
        if self._app is None:
            return  # not started: :meth:`start` mirrors every seeded bucket
        from moto.s3.exceptions import S3ClientError
        from moto.s3.models import s3_backends

        owner = s3_backends.bucket_accounts.get(bucket)
        if owner is not None and owner[1] != self.account:
            return
        backend = _backend(self.account)
        try:
            if owner is None:
                backend.create_bucket(bucket, DEFAULT_STORAGE_REGION)
            for key, text in texts.items():
                backend.put_object(bucket, key, text.encode("utf-8"))
        except S3ClientError:
            return

    def object_text(self, bucket: str, key: str) -> str | None:
        try:
            value = _backend(self.account).get_object(bucket, key).value
        except Exception:  # moto raises its own MissingKey / MissingBucket
            return None
        return bytes(value).decode("utf-8", errors="replace")

    def keys(self, bucket: str) -> list[str]:
        try:
            return list(_backend(self.account).get_bucket(bucket).keys.keys())
        except Exception:
            return []

    # --- the WSGI app ------------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.latency > 0:
            time.sleep(self.latency)
        method = environ.get("REQUEST_METHOD", "GET")
        raw_path = environ.get("PATH_INFO", "/")
        path = raw_path.encode("latin-1").decode("utf-8", errors="replace")
        query = environ.get("QUERY_STRING", "")
        headers = {
            k[5:].replace("_", "-").lower(): str(v)
            for k, v in environ.items()
            if k.startswith("HTTP_")
        }
        entry = JournalEntry(method, path, query, redact_headers(headers), None)
        self._state.record(entry)
        bucket, _, key = path.lstrip("/").partition("/")
        refusal = self._refuse(environ, method, path, query, headers, bucket, key)
        if refusal is not None:
            status, code, message, extra = refusal
            entry.status = status
            return _error(start_response, status, code, message, path, extra, method)
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = self.account
        seen: list[int] = []

        def capture(status: str, response_headers: Any, exc_info: Any = None) -> Any:
            seen.append(int(status.split(" ", 1)[0]))
            return start_response(status, response_headers, exc_info)

        body = list(self._app(environ, capture))
        entry.status = seen[0] if seen else 500
        if seen and 200 <= seen[0] < 300 and bucket:
            self._report(method, bucket, key, query)
        return body

    def _refuse(
        self,
        environ: dict[str, Any],
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        bucket: str,
        key: str,
    ) -> tuple[int, str, str, dict[str, str]] | None:
        found = _CREDENTIAL.search(headers.get("authorization", ""))
        if found is None:
            return 403, "AccessDenied", "Requests must be signed with the API key.", {}
        access_key, signed_region = found.group(1), found.group(2)
        expected = self._state.settings.api_key
        if expected is not None and access_key != expected:
            return 403, "InvalidAccessKeyId", "The API key is not valid.", {}
        taken = self._state.take_faults(path, False, headers.get(EMULATOR_FAULT_HEADER))
        picked = fk.pick(taken)
        if slow := picked.get(fk.SLOW_FIRST_BYTE):
            time.sleep(slow.seconds)
        if fk.DROP in picked:
            # Read the body first: left in the socket, the server would take it for a request.
            length = environ.get("CONTENT_LENGTH") or "0"
            environ["wsgi.input"].read(int(length) if length.isdigit() else 0)
            sock = environ.get("werkzeug.socket")
            if sock is not None:
                sock.shutdown(socket.SHUT_RDWR)
            raise ConnectionResetError("emulated dropped connection")
        if status := picked.get(fk.STATUS):
            code = _FAULT_CODES.get(status.status, "InternalError")
            return status.status, code, status.message or f"Emulated {status.status} error.", {}
        if not bucket:
            return None
        return self._bucket_rules(method, query, bucket, key, signed_region)

    def _bucket_rules(
        self, method: str, query: str, bucket: str, key: str, signed_region: str
    ) -> tuple[int, str, str, dict[str, str]] | None:
        from moto.s3.models import s3_backends

        owner = s3_backends.bucket_accounts.get(bucket)
        creating = method == "PUT" and not key and not query
        if owner is None or creating:
            return None  # moto answers NoSuchBucket / BucketAlreadyExists itself
        if owner[1] != self.account:
            return 403, "AccessDenied", f"Access to bucket {bucket} is denied.", {}
        if not key and "location" in parse_qs(query, keep_blank_values=True):
            return None  # any endpoint answers GetBucketLocation
        home = _backend(self.account).buckets[bucket].region_name
        if signed_region != home:
            return (
                301,
                "PermanentRedirect",
                f"The bucket {bucket} lives in {home}; send its requests to that region.",
                {"x-amz-bucket-region": home},
            )
        return None

    def _report(self, method: str, bucket: str, key: str, query: str) -> None:
        """Tell the bucket store what changed, so embedding follows storage."""
        store = self._state.buckets
        params = parse_qs(query, keep_blank_values=True)
        if not key:
            if method == "PUT" and not params:
                store.create(bucket)
            elif method == "DELETE" and not params:
                store.remove_bucket(bucket)
            elif method == "POST" and "delete" in params:
                store.keep_only(bucket, self.keys(bucket))
            return
        if (method == "PUT" and not params) or (method == "POST" and "uploadId" in params):
            text = self.object_text(bucket, key)
            if text is not None:
                store.store_object(bucket, key, text)
        elif method == "DELETE" and not params:
            store.remove_object(bucket, key)


def _error(
    start_response: StartResponse,
    status: int,
    code: str,
    message: str,
    resource: str,
    extra: dict[str, str],
    method: str,
) -> list[bytes]:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{escape(code)}</Code><Message>{escape(message)}</Message>"
        f"<Resource>{escape(resource)}</Resource><RequestId>{uuid.uuid4().hex}</RequestId>"
        "</Error>"
    ).encode()
    reason = errors.title_for(status)
    headers = [("Content-Type", "application/xml"), *extra.items()]
    if method == "HEAD":
        start_response(f"{status} {reason}", [*headers, ("Content-Length", "0")])
        return []
    start_response(f"{status} {reason}", [*headers, ("Content-Length", str(len(body)))])
    return [body]


def storage_routes(state: State) -> list[Route]:
    """``GET /_emulator/storage`` advertises the S3 endpoint (starting it);
    ``POST`` sets ``{"latency": seconds}``."""

    async def advertise(request: Request) -> Response:
        storage: StorageEndpoint | None = getattr(state, "storage", None)
        if storage is None:
            return errors.json_response({"error": "this emulator has no storage endpoint"}, 404)
        if request.method == "POST":
            body = await request.json()
            latency = float(body.get("latency", storage.latency))
            if latency < 0:
                return errors.json_response({"error": "latency must be >= 0 seconds"}, 400)
            storage.latency = latency
        url = await run_in_threadpool(lambda: storage.url)
        return errors.json_response({"storage_url": url, "latency": storage.latency})

    return [Route(EMULATOR_STORAGE_PATH, advertise, methods=["GET", "POST"])]
