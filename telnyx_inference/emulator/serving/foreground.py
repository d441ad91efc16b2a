"""Run an emulator in the foreground until Ctrl-C or SIGTERM: the command line's loop."""

from __future__ import annotations

import signal
import threading
import time
from types import FrameType

from telnyx_inference.emulator.serving.server import Emulator

POLL_SECONDS = 0.2


class _Termination:
    """SIGTERM noted, for the serving loop to act on (nothing is interrupted mid-way)."""

    def __init__(self) -> None:
        self.asked = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.asked = True


def serve(emulator: Emulator, announce: bool = True) -> None:
    """Run until Ctrl-C or SIGTERM (how containers and process managers stop a server), then
    stop gracefully and return: requests in flight finish, a recorder writes what it has.
    SIGTERM during start-up stops once started; Ctrl-C then stops what was started and
    raises KeyboardInterrupt."""
    term = _Termination()
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, term) if on_main_thread else None
    try:
        _serve(emulator, announce, term)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _serve(emulator: Emulator, announce: bool, term: _Termination) -> None:
    try:
        emulator.start()
    except BaseException:
        emulator.stop()
        raise
    if announce:
        print(emulator.base_url, flush=True)
    try:
        if announce:  # starting the S3 endpoint takes a moment: Ctrl-C meanwhile is clean too
            print(f"storage (S3): {emulator.storage_url}", flush=True)
        while not term.asked and emulator._thread is not None and emulator._thread.is_alive():
            time.sleep(POLL_SECONDS)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
