"""A progress line for waiting on an embedding job: tqdm when it is installed and wanted.

tqdm is an optional extra (``buckets``), so it is imported only when a bar is shown; without
it, or outside a terminal and a notebook, waiting is silent.
"""

from __future__ import annotations

import importlib
import sys
import warnings
from types import TracebackType
from typing import Any, Self

__all__ = ["CountProgress", "JobProgress", "progress_wanted"]


def _in_notebook() -> bool:
    """True inside a Jupyter (IPython kernel) session, where a bar is also wanted."""
    shell = sys.modules.get("IPython")
    get_ipython = getattr(shell, "get_ipython", None)
    instance = get_ipython() if callable(get_ipython) else None
    return instance is not None and type(instance).__name__ == "ZMQInteractiveShell"


def progress_wanted(progress: bool | None) -> bool:
    """``None`` means: show a bar on an interactive terminal or in a notebook."""
    if progress is not None:
        return progress
    stream = sys.stderr
    if stream is not None and hasattr(stream, "isatty") and stream.isatty():
        return True
    return _in_notebook()


def _tqdm_class() -> Any:
    try:
        # In Jupyter without ipywidgets, tqdm.auto warns (with a file path) and falls back to
        # the text bar, which is all we need: keep that nag out of users' notebook outputs.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="IProgress not found")
            return importlib.import_module("tqdm.auto").tqdm
    except ImportError:
        return None


class _Bar:
    """A tqdm bar that may be off (``_bar`` is None); closed on leaving a ``with`` block."""

    _bar: Any = None

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class JobProgress(_Bar):
    """Shows the status of a job as it changes; a no-op when disabled or without tqdm.

    ::

        with JobProgress("embedding bucket 'docs'", enabled=None) as bar:
            bar.update("processing")
    """

    def __init__(self, description: str, *, enabled: bool | None = None) -> None:
        self.description = description
        self._bar: Any = None
        if progress_wanted(enabled):
            tqdm = _tqdm_class()
            if tqdm is not None:
                self._bar = tqdm(
                    total=None,
                    desc=description,
                    unit="check",
                    bar_format="{desc} [{elapsed}]",
                    leave=True,
                )

    @property
    def active(self) -> bool:
        return self._bar is not None

    def update(self, status: str) -> None:
        if self._bar is not None:
            self._bar.set_description_str(f"{self.description}: {status}", refresh=False)
            self._bar.update(1)


class CountProgress(_Bar):
    """A bar counting finished items out of ``total`` (uploads, deletions); a no-op when
    disabled, without tqdm, or (when ``enabled`` is ``None``) for fewer than ``minimum`` items.

    ::

        with CountProgress("Uploading to 'docs'", total=1000) as bar:
            bar.advance()
    """

    def __init__(
        self,
        description: str,
        total: int,
        *,
        enabled: bool | None = None,
        minimum: int = 20,
        unit: str = "doc",
    ) -> None:
        self._bar: Any = None
        if enabled is False or (enabled is None and total < minimum):
            return
        if progress_wanted(enabled):
            tqdm = _tqdm_class()
            if tqdm is not None:
                self._bar = tqdm(total=total, desc=description, unit=unit, leave=True)

    @property
    def active(self) -> bool:
        return self._bar is not None

    def advance(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)
