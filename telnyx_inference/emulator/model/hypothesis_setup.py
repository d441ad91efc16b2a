"""Hypothesis, kept out of the user's way when the emulator draws values with it.

The emulator runs inside the user's process (often their pytest) and draws on its own
threads. Left alone, Hypothesis would write caches under ``.hypothesis/`` in the user's
current folder, and parse the source of the user's modules for constants on our threads,
racing pytest's own use of ``ast`` (CPython 3.11: ``SystemError: AST constructor recursion
depth mismatch``, gh-106905). Its test engine (``find``) formats a traceback for every value
it finds, which parses source as well. So:

* :func:`prepare`, on the caller's thread at start, imports what drawing needs and builds
  Hypothesis's Unicode tables with its storage pointed at our cache folder
  (``$XDG_CACHE_HOME`` or ``~/.cache``, then ``telnyx-inference/hypothesis``), unless the
  user chose one (``HYPOTHESIS_STORAGE_DIRECTORY``); later draws find the tables built;
* :func:`draw` draws straight from a strategy, without the engine, with a provider that
  reads no source for constants (the user's own Hypothesis tests keep theirs).
"""

from __future__ import annotations

import contextlib
import os
import random
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

CODECS = ("ascii", "utf-8")
"""The codecs our schema draws ask hypothesis-jsonschema for."""
MAX_CHOICES = 8 * 1024
"""Choices one value may take before it counts as too big (what Hypothesis allows too)."""


class Rejected(Exception):
    """The strategy gave no value this time (too big, or filtered out)."""


def cache_folder() -> Path:
    """Where Hypothesis's caches go when the emulator builds them."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "telnyx-inference" / "hypothesis"


@contextlib.contextmanager
def _storage_in_our_cache() -> Iterator[None]:
    from hypothesis import configuration

    if os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
        yield  # the user said where Hypothesis keeps its files
        return
    slot = "__hypothesis_home_directory"  # the module's own global for the chosen folder
    before = vars(configuration).get(slot)
    try:
        folder = cache_folder()
    except RuntimeError:  # no home directory: nowhere to cache, build the tables anyway
        folder = Path(os.devnull) / "telnyx-inference"
    configuration.set_hypothesis_home_dir(folder)
    try:
        yield
    finally:
        configuration.set_hypothesis_home_dir(before)


def prepare() -> None:
    """Import and build everything a draw needs, on the calling thread (call it at start)."""
    import hypothesis.strategies  # noqa: F401 - imported here, not on a server thread
    from hypothesis.internal import charmap

    with _storage_in_our_cache():
        import hypothesis_jsonschema  # noqa: F401 - its import builds the Unicode tables

        charmap.charmap()
        for codec in CODECS:
            charmap.intervals_from_codec(codec)
    _provider()


@cache
def _provider() -> type[Any]:
    from hypothesis.internal.conjecture.providers import HypothesisProvider
    from hypothesis.internal.constants_ast import Constants

    none = Constants()

    class NoLocalConstants(HypothesisProvider):  # type: ignore[misc]
        """Hypothesis's own provider, minus the constants read from the user's source."""

        @property
        def _local_constants(self) -> Any:
            return none

    return NoLocalConstants


def draw(strategy: Any, rng: random.Random) -> Any:
    """One value of ``strategy``; raises :class:`Rejected` when it gives none this time."""
    from hypothesis.control import BuildContext
    from hypothesis.errors import HypothesisException, StopTest
    from hypothesis.internal.conjecture.data import ConjectureData

    data = ConjectureData(random=rng, provider=_provider(), max_choices=MAX_CHOICES)
    try:
        with BuildContext(data, wrapped_test=draw):
            return data.draw(strategy)
    except (StopTest, HypothesisException) as exc:
        raise Rejected from exc
