"""Warnings that point at the user's own line, once per subject.

A warning raised deep inside a framework call (``ChatTelnyx.invoke`` → langchain-core →
this package) would otherwise point at a library file, and a fixed ``stacklevel`` is right
for one call path only. :func:`warn_at_user` walks the stack to the first frame outside this
package, the frameworks and the standard library and issues the warning there (with
``warn_explicit``, so frames the ``warnings`` module would skip, such as the import
machinery's, cannot shift it); :func:`warn_once` does so once per subject and process.
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import warnings
from collections.abc import Hashable
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import asyncio

__all__ = ["user_frame", "warn_at_user", "warn_once"]

_OURS = frozenset({"telnyx_inference", "langchain_telnyx", "llama_index_telnyx"})
"""This distribution's import packages, recognised by module name (wherever they live)."""


@functools.cache
def _libraries() -> tuple[str, ...]:
    """Where installed packages and the standard library live (read on the first warning)."""
    import sysconfig

    paths = sysconfig.get_paths()
    keys = ("stdlib", "platstdlib", "purelib", "platlib", "scripts")
    return tuple({os.path.abspath(paths[k]) + os.sep for k in keys if paths.get(k)})


_said: set[Hashable] = set()
_lock = threading.Lock()


def _ours(frame: FrameType) -> bool:
    name = frame.f_globals.get("__name__")
    return isinstance(name, str) and name.partition(".")[0] in _OURS


def _users(frame: FrameType) -> bool:
    path = frame.f_code.co_filename
    return not (_ours(frame) or path.startswith(_libraries()) or path.startswith("<"))


def user_frame() -> FrameType | None:
    """The user's calling frame: the first outside this package, installed libraries and the
    standard library. A framework that runs the call in a task of its own (langchain-core's
    ``agenerate`` gathers one per prompt) leaves the user's frame in the task awaiting it:
    those are searched next. When every frame is library code (an app installed into
    site-packages), the first frame outside this package."""
    frame: FrameType | None = sys._getframe(1)
    first_outside_ours: FrameType | None = None
    while frame is not None:
        if _users(frame):
            return frame
        if not _ours(frame) and not frame.f_code.co_filename.startswith("<frozen"):
            first_outside_ours = first_outside_ours or frame  # not the import machinery
        frame = frame.f_back
    return _awaiting_user_frame() or first_outside_ours


def _awaiting_user_frame() -> FrameType | None:
    """The innermost user frame of the tasks awaiting the current one, nearest first."""
    aio = sys.modules.get("asyncio")  # not imported: no task is running
    try:
        task: asyncio.Task[Any] | None = aio.current_task() if aio is not None else None
    except RuntimeError:  # no running event loop
        return None
    seen: set[int] = set()
    waiting = [task] if task is not None else []
    while waiting and len(seen) < 50:
        current = waiting.pop(0)
        seen.add(id(current))
        if current is not task:
            found: FrameType | None = next(
                (f for f in reversed(current.get_stack()) if _users(f)), None
            )
            if found is not None:
                return found
        waiting.extend(t for t in _awaiters(current, seen) if id(t) not in seen)
    return None


def _awaiters(future: asyncio.Future[Any], seen: set[int]) -> list[asyncio.Task[Any]]:
    """Tasks waiting for ``future``: read from its done-callbacks (a task's wake-up method,
    or ``gather``/``shield``'s callback holding the future the task awaits). Best effort:
    what the event loop does not expose is simply not found."""
    aio = sys.modules["asyncio"]
    tasks: list[asyncio.Task[Any]] = []
    for entry in getattr(future, "_callbacks", None) or ():
        callback = entry[0] if isinstance(entry, tuple) else entry
        owner = getattr(callback, "__self__", None)
        if isinstance(owner, aio.Task):
            tasks.append(owner)
            continue
        for cell in getattr(callback, "__closure__", None) or ():
            try:
                held = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if isinstance(held, aio.Future) and id(held) not in seen:
                seen.add(id(held))
                tasks.extend(_awaiters(held, seen))
    return tasks


def warn_at_user(message: str, category: type[Warning]) -> None:
    """Issue the warning at the user's line (see :func:`user_frame`)."""
    frame = user_frame()
    if frame is None:  # nothing but this package on the stack
        warnings.warn(message, category, stacklevel=2)
        return
    globs = frame.f_globals
    warnings.warn_explicit(
        message,
        category,
        frame.f_code.co_filename,
        frame.f_lineno,
        module=globs.get("__name__", "<string>"),
        registry=globs.setdefault("__warningregistry__", {}),
    )


def warn_once(key: Hashable, message: str, category: type[Warning]) -> bool:
    """Warn ``message`` at the user's line, unless ``key`` was warned about before.

    Returns whether the warning was issued.
    """
    with _lock:
        if key in _said:
            return False
        _said.add(key)
    warn_at_user(message, category)
    return True
