"""Where the examples send their requests: Telnyx when ``TELNYX_API_KEY`` is set, else an emulator.

with telnyx_or_emulator() as target:
    llm = ChatTelnyx(**target.connection)
    if target.emulator:                       # offline: seed what Telnyx would hold
        target.emulator.seed_bucket("docs", texts={...})
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Target:
    connection: dict[str, Any] = field(default_factory=dict)
    """Keyword arguments for every constructor; empty for Telnyx (the environment has them)."""
    emulator: Any = None
    """The running ``Emulator`` when offline, else ``None``."""


@contextmanager
def telnyx_or_emulator() -> Iterator[Target]:
    if os.environ.get("TELNYX_API_KEY"):
        print("TELNYX_API_KEY is set: talking to the real Telnyx API.\n")
        yield Target()
        return
    from telnyx_inference.emulator import Emulator

    with Emulator() as emulator:
        print("TELNYX_API_KEY is not set: talking to the local emulator (canned answers).\n")
        yield Target({"base_url": emulator.base_url, "api_key": "emulator"}, emulator)
