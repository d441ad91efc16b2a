"""Importing the package and its pure wire modules must not load the openai SDK."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_pure_modules_do_not_import_openai() -> None:
    code = (
        "import sys, telnyx_inference, telnyx_inference.chat.request, telnyx_inference.chat.stream, "
        "telnyx_inference.chat.structured, telnyx_inference.chat.catalog\n"
        "print('openai' in sys.modules)"
    )
    assert _run(code) == "False"


def test_clients_load_on_first_access() -> None:
    code = (
        "import telnyx_inference\n"
        "from telnyx_inference import TelnyxClient, AsyncTelnyxClient\n"
        "from telnyx_inference.chat.client import TelnyxClient as Direct\n"
        "print(TelnyxClient is Direct, AsyncTelnyxClient.__name__)"
    )
    assert _run(code) == "True AsyncTelnyxClient"


def test_unknown_attribute_still_raises() -> None:
    import pytest

    import telnyx_inference

    with pytest.raises(AttributeError):
        _ = telnyx_inference.NoSuchThing  # type: ignore[attr-defined]
