"""What a flow asks a transport shell to do: one HTTP attempt, read an error answer, pause, run
flows together, call a budget (:class:`~telnyx_inference._flows.Invoke`). Plain objects,
importable without the openai SDK (the clients' flows are written
in modules that load before it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict, Union

from telnyx_inference._flows import Invoke, Pause

if TYPE_CHECKING:
    from telnyx_inference._flows import Flow
    from telnyx_inference.transport.attempt import Attempt

__all__ = ["Drain", "Invoke", "Pause", "SendOptions", "Step", "Together"]


class SendOptions(TypedDict, total=False):
    """Per-call options of a request (``None``: the client's own)."""

    timeout: float | None
    headers: Mapping[str, str] | None
    max_retries: int | None


@dataclass(frozen=True, slots=True)
class Drain:
    """Read an error answer's body, then close it; the result is the body's bytes."""

    response: Any


@dataclass(frozen=True, slots=True)
class Together:
    """Run these flows, up to ``limit`` at once where the shell can (the async one; the sync
    one runs them in order); the result is their values in order, or the first failure."""

    flows: list[Flow[Step, Any]]
    limit: int


Step = Union["Attempt", Drain, Pause, Together, Invoke]
"""Every step a transport flow yields; the result sent back is the step's answer."""
