"""A loopback HTTP server that answers every request with one canned JSON body, and records
the paths it was asked for (for shapes and base URLs the emulator does not serve)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["canned_server"]


@contextmanager
def canned_server(post: Any, get: Any = None, status: int = 200) -> Iterator[tuple[str, list[str]]]:
    """Yield (root URL, request paths); POST answers ``post``, GET answers ``get``."""
    paths: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body: Any) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length") or 0))
            paths.append(self.path)
            self._answer(post)

        def do_GET(self) -> None:
            paths.append(self.path)
            self._answer(get)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", paths
    finally:
        server.shutdown()
        server.server_close()
