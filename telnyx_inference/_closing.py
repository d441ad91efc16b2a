"""``with`` / ``async with`` for the classes that own connections: the block closes them.

A class defines ``close()`` (sync) or ``aclose()`` (async) saying what it hands back; these
mixins add the context managers, as httpx's clients have them::

    with TelnyxClient() as client:          # pools handed back at the end
        client.chat(body)
"""

from __future__ import annotations

from typing import Self

__all__ = ["AsyncClosing", "Closing"]


class Closing:
    """``with owner:`` calls ``owner.close()`` at the end of the block."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncClosing:
    """``async with owner:`` awaits ``owner.aclose()`` at the end of the block."""

    async def aclose(self) -> None:
        raise NotImplementedError

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()
