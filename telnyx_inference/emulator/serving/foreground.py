"""Run an emulator in the foreground until Ctrl-C or SIGTERM: the command line's loop."""

from __future__ import annotations

import signal
import threading
import time

from telnyx_inference.emulator.serving.server import Emulator


def serve(emulator: Emulator, announce: bool = True) -> None:
    """Run until interrupted (used by the CLI). Ctrl-C or SIGTERM (how containers and process
    managers stop a server) while serving stops gracefully and returns; during start-up they
    stop what was started and raise KeyboardInterrupt."""
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler) if on_main_thread else None
    try:
        _serve(emulator, announce)
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _serve(emulator: Emulator, announce: bool) -> None:
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
        while emulator._thread is not None and emulator._thread.is_alive():
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
