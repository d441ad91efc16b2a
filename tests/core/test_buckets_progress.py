"""The wait's progress bar: shown when asked or on a terminal, silent otherwise, tqdm optional."""

from __future__ import annotations

import importlib
import io
import subprocess
import sys
import types
from typing import Any

import pytest

from telnyx_inference.buckets import progress as _progress
from telnyx_inference.buckets.bucket_api import Buckets
from telnyx_inference.emulator import Emulator

TEXTS = {"a.txt": "Telnyx runs a global IP network.", "b.txt": "Refunds take five days."}


class _Terminal(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self._tty = tty

    def isatty(self) -> bool:
        return self._tty


def _wait(emu: Emulator, progress: bool | None) -> None:
    emu.seed_bucket("docs", texts=TEXTS, embed=False)
    b = Buckets(api_key="test-key", base_url=emu.base_url)
    b.wait(b.embed("docs"), poll_interval=0.01, progress=progress)


def test_bar_shows_bucket_and_final_status(
    telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    err = _Terminal(tty=False)
    monkeypatch.setattr(sys, "stderr", err)
    _wait(telnyx_emulator, progress=True)
    shown = err.getvalue()
    assert "Embedding bucket 'docs'" in shown
    assert "success" in shown


@pytest.mark.parametrize(("tty", "progress"), [(False, None), (True, False)])
def test_bar_off_when_not_a_terminal_or_asked(
    telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tty: bool, progress: bool | None
) -> None:
    err = _Terminal(tty=tty)
    monkeypatch.setattr(sys, "stderr", err)
    _wait(telnyx_emulator, progress=progress)
    assert err.getvalue() == ""


def test_auto_mode_follows_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", _Terminal(tty=True))
    assert _progress.progress_wanted(None) is True
    monkeypatch.setattr(sys, "stderr", _Terminal(tty=False))
    assert _progress.progress_wanted(None) is False
    assert _progress.progress_wanted(True) is True


def test_waiting_works_without_tqdm(
    telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = importlib.import_module

    def no_tqdm(name: str, *args: Any) -> Any:
        if name.startswith("tqdm"):
            raise ImportError("tqdm is not installed")
        return real(name, *args)

    monkeypatch.setattr(_progress.importlib, "import_module", no_tqdm)
    err = _Terminal(tty=True)
    monkeypatch.setattr(sys, "stderr", err)
    bar = _progress.JobProgress("x", enabled=True)
    assert not bar.active
    _wait(telnyx_emulator, progress=True)
    assert err.getvalue() == ""


def test_importing_buckets_and_embeddings_loads_neither_tqdm_nor_openai() -> None:
    code = (
        "import sys, telnyx_inference.buckets.bucket_api, telnyx_inference.embeddings; "
        "print('tqdm' in sys.modules, 'openai' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_auto_mode_shows_the_bar_in_a_notebook_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    class ZMQInteractiveShell:  # what IPython's get_ipython() returns inside Jupyter
        pass

    class TerminalInteractiveShell:
        pass

    fake_ipython = types.ModuleType("IPython")
    monkeypatch.setitem(sys.modules, "IPython", fake_ipython)
    monkeypatch.setattr(sys, "stderr", _Terminal(tty=False))
    fake_ipython.get_ipython = ZMQInteractiveShell  # type: ignore[attr-defined]
    assert _progress.progress_wanted(None) is True
    fake_ipython.get_ipython = TerminalInteractiveShell  # type: ignore[attr-defined]
    assert _progress.progress_wanted(None) is False
    fake_ipython.get_ipython = lambda: None  # type: ignore[attr-defined]
    assert _progress.progress_wanted(None) is False
