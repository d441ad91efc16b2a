"""Warnings that point at the user's own line, once per subject.

A warning raised deep inside a framework call (``ChatTelnyx.invoke`` → langchain-core →
this package) would otherwise point at a library file. :func:`warn_once` walks the stack to
the first frame outside this package, the frameworks and the standard library, so the
location printed is the user's call, and says a given thing only once per process.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import warnings
from collections.abc import Hashable

__all__ = ["warn_once"]

_OURS = tuple(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep + name + os.sep
    for name in ("telnyx_inference", "langchain_telnyx", "llama_index_telnyx")
)


@functools.cache
def _libraries() -> tuple[str, ...]:
    """Where installed packages and the standard library live (read on the first warning)."""
    import sysconfig

    paths = sysconfig.get_paths()
    keys = ("stdlib", "platstdlib", "purelib", "platlib", "scripts")
    return tuple({os.path.abspath(paths[k]) + os.sep for k in keys if paths.get(k)})


_said: set[Hashable] = set()
_lock = threading.Lock()


def _stacklevel() -> int:
    """The ``stacklevel`` (as seen from :func:`warn_once`) of the user's calling frame.

    The first frame outside this package, installed libraries and the standard library; when
    every frame is library code (an app installed into site-packages), the first frame
    outside this package.
    """
    libraries = _libraries()
    frame = sys._getframe(2)  # the caller of warn_once
    level, first_outside_ours = 2, 0
    while frame is not None:
        path = frame.f_code.co_filename
        if not path.startswith(_OURS):
            first_outside_ours = first_outside_ours or level
            if not path.startswith(libraries) and not path.startswith("<"):
                return level
        frame = frame.f_back  # type: ignore[assignment]
        level += 1
    return first_outside_ours or 2


def warn_once(key: Hashable, message: str, category: type[Warning]) -> bool:
    """Warn ``message`` at the user's line, unless ``key`` was warned about before.

    Returns whether the warning was issued.
    """
    with _lock:
        if key in _said:
            return False
        _said.add(key)
    warnings.warn(message, category, stacklevel=_stacklevel())
    return True
