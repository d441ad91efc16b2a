"""Classes that send through a core client: one given to them, or one they build from
connection arguments — and close with themselves (a client you pass in stays yours)::

    Buckets(TelnyxClient(api_key="..."))    # yours: Buckets.close() leaves it open
    Buckets(api_key="...")                  # built here: Buckets.close() closes it

The clients load the openai SDK, so they are imported when one is built, not before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from telnyx_inference._closing import AsyncClosing, Closing

if TYPE_CHECKING:
    from telnyx_inference.chat.client import AsyncTelnyxClient, TelnyxClient

__all__ = ["AclosesClient", "ClientUser", "ClosesClient"]

_Client = TypeVar("_Client", "TelnyxClient", "AsyncTelnyxClient")


class ClientUser(Generic[_Client]):
    """Holds ``client``: the one given, else a ``_client_class`` built from the arguments."""

    _client_class: ClassVar[str]
    """``"TelnyxClient"`` or ``"AsyncTelnyxClient"``."""

    def __init__(self, client: Any = None, **client_kwargs: Any) -> None:
        self._owns_client = client is None
        if client is None:
            from telnyx_inference.chat import client as clients

            client = getattr(clients, self._client_class)(**client_kwargs)
        self.client: _Client = client


class ClosesClient(Closing):
    """``close()`` / ``with``: closes the client if it was built here."""

    client: TelnyxClient
    _owns_client: bool

    def close(self) -> None:
        """Close the client built from connection arguments (one you passed stays open)."""
        if self._owns_client:
            self.client.close()


class AclosesClient(AsyncClosing):
    """``aclose()`` / ``async with``: closes the async client if it was built here."""

    client: AsyncTelnyxClient
    _owns_client: bool

    async def aclose(self) -> None:
        if self._owns_client:
            await self.client.aclose()
