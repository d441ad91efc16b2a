"""Suite-wide rules: live tests need a key; nothing else may talk to the real API; no test
sees what an earlier one left in the process (test order, which differs between xdist
workers and runs, must decide nothing)."""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterator

import pytest

# Frameworks fall back to OpenAI or fetch tokenizers when left to their defaults; keep every
# test offline and explicit about its models.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.pop("OPENAI_API_KEY", None)


def _hypothesis_profile() -> None:
    """Property tests keep nothing between runs and print short reproductions.

    With Hypothesis' default database, one failure found at random is saved under
    ``.hypothesis/`` in the checkout and replayed first on every later run, so the suite
    keeps failing there (printing the whole example) even after the odds moved on.
    ``print_blob`` gives the ``@reproduce_failure`` line to replay it on purpose instead.
    """
    try:
        from hypothesis import settings
    except ImportError:  # the property tests skip themselves without it
        return
    settings.register_profile("telnyx-tests", database=None, print_blob=True)
    settings.load_profile("telnyx-tests")


_hypothesis_profile()


def _take_ctrl_c() -> None:
    """Take Ctrl-C as Python does by default, even when started as a background job.

    A non-interactive shell (a script, ``bash -c``) starts a background job such as
    ``nohup pytest ... &`` with SIGINT ignored, and child processes inherit an ignored signal: the CLI that the Ctrl-C tests start would
    shrug off the SIGINT they send it and hang. A handled signal is reset to the default in
    a child, so the children take it again.
    """
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


_take_ctrl_c()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("TELNYX_API_KEY"):
        return
    skip = pytest.mark.skip(reason="live test: set TELNYX_API_KEY to run it against the real API")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_one_time_warnings() -> None:
    """Each test sees the package's once-per-process warnings afresh (test order must not
    decide whether a warning shows)."""
    from telnyx_inference import _warnings

    _warnings._said.clear()


@pytest.fixture(autouse=True)
def _no_catalog_read_earlier() -> None:
    """No model catalog read (or failed) by an earlier test: the cache is per process and base
    URL, and emulators come and go (a new one may get an old one's port)."""
    from telnyx_inference.chat import catalog

    catalog.forget()


def _disabled_loggers() -> set[str]:
    loggers = logging.root.manager.loggerDict.items()
    return {name for name, lg in loggers if isinstance(lg, logging.Logger) and lg.disabled}


@pytest.fixture(autouse=True)
def _logging_left_as_found() -> Iterator[None]:
    """A test that switches loggers off fails itself, rather than a later test that looks for
    log records (``logging.config.dictConfig`` disables every existing logger by default)."""
    disabled, level = _disabled_loggers(), logging.root.manager.disable
    yield
    newly = sorted(_disabled_loggers() - disabled)
    assert not newly, f"this test disabled loggers for every later test: {newly[:10]}"
    assert logging.root.manager.disable == level, "this test left logging.disable() on"


@pytest.fixture(autouse=True)
def _environment_left_as_found() -> Iterator[None]:
    """A test that changes ``os.environ`` (not through ``monkeypatch``) fails itself, rather
    than a later test, or a child process a later test starts, that reads it."""
    before = dict(os.environ)
    yield
    after = dict(os.environ)
    names = (before.keys() | after.keys()) - {"PYTEST_CURRENT_TEST"}  # pytest's own
    changed = sorted(k for k in names if before.get(k) != after.get(k))
    assert not changed, f"this test left environment variables changed: {changed}"


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _signal_state() -> dict[str, object]:
    """How this process takes Ctrl-C and SIGTERM: Python's handlers, this thread's blocked
    signals, and (on Linux) what the kernel ignores, which C code can change behind Python."""
    state: dict[str, object] = {s.name: signal.getsignal(s) for s in _SIGNALS}
    state["blocked"] = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    try:
        with open("/proc/thread-self/status", encoding="ascii") as status:
            state["ignored"] = next(line for line in status if line.startswith("SigIgn:"))
    except OSError:
        pass
    return state


@pytest.fixture(autouse=True)
def _signal_handlers_left_as_found() -> Iterator[None]:
    """A test that changes how this process takes Ctrl-C or SIGTERM fails itself: an ignored
    or blocked SIGINT is inherited by every child process started later (a CLI under test
    would then shrug off the Ctrl-C that should stop it)."""
    before = _signal_state()
    yield
    after = _signal_state()
    changed = {k: (before.get(k), after.get(k)) for k in after if before.get(k) != after.get(k)}
    assert not changed, f"this test left signal handling changed: {changed}"
