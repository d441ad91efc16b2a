"""Who may talk to the emulator: loopback by default, a token for the control routes beyond it.

On loopback only this machine can reach the server, so the control API (``/_emulator/...``)
is open. Bound to anything else (``--host 0.0.0.0`` in a container, say), anyone on the
network could reset it, script its answers or read its journal; there every control route but
``health`` needs the control token, sent as ``X-Emulator-Token: <token>`` (or
``Authorization: Bearer <token>``). The token is given (``control_token=``,
``--control-token``, ``TELNYX_EMULATOR_CONTROL_TOKEN``) or generated at start.

:func:`is_loopback_host` is the one definition of "bound beyond loopback" that other parts of
the emulator (the recorder, for one) reuse.
"""

from __future__ import annotations

import hmac
import os
import secrets
from collections.abc import Mapping

from telnyx_inference._constants import EMULATOR_CONTROL_TOKEN_ENV, EMULATOR_CONTROL_TOKEN_HEADER
from telnyx_inference.settings import is_loopback_url

CONTROL_TOKEN_ENV = EMULATOR_CONTROL_TOKEN_ENV
CONTROL_TOKEN_HEADER = EMULATOR_CONTROL_TOKEN_HEADER.lower()
CONTROL_PREFIX = "/_emulator/"
OPEN_CONTROL_PATHS = frozenset({"/_emulator/health"})
"""Control paths that answer without the token: liveness reveals nothing and changes nothing."""


def is_loopback_host(host: str) -> bool:
    """Whether binding to ``host`` keeps the server reachable from this machine only.

    Decided from the string alone, never by a DNS lookup: ``localhost`` and loopback
    addresses (``127.0.0.0/8``, ``::1``) are loopback; ``0.0.0.0``, ``::``, other addresses
    and other names are not.
    """
    name = host.strip()
    if not name:
        return False
    if ":" in name and not name.startswith("["):
        name = f"[{name}]"
    return is_loopback_url(f"http://{name}/")


def resolve_control_token(
    host: str, given: str | None, env: Mapping[str, str] | None = None
) -> tuple[str | None, bool]:
    """The token the control routes will require (``None``: they stay open), and whether it
    was generated here (then it must be shown to the user, who has no other way to know it).

    A token given explicitly (argument, then environment) is always required, even on
    loopback; beyond loopback one is generated when none is given.
    """
    if given is not None and not given.strip():
        raise ValueError("control_token must not be empty")
    token = given or (env if env is not None else os.environ).get(CONTROL_TOKEN_ENV) or None
    if token is None and not is_loopback_host(host):
        return secrets.token_urlsafe(24), True
    return token, False


def needs_token(path: str) -> bool:
    return path.startswith(CONTROL_PREFIX) and path not in OPEN_CONTROL_PATHS


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header; None for none or another
    scheme. The one reading of that header (API keys, the control token, the recorder)."""
    scheme, _, token = (authorization or "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def token_matches(headers: Mapping[str, str], token: str) -> bool:
    """Whether a request's headers carry ``token`` (compared in constant time)."""
    sent = headers.get(CONTROL_TOKEN_HEADER)
    if sent is None:
        sent = bearer_token(headers.get("authorization"))
    return sent is not None and hmac.compare_digest(sent.encode(), token.encode())


def exposure_notice(host: str, token: str | None, generated: bool) -> str:
    """What the CLI prints, loudly, when the server is reachable beyond this machine.

    A generated token is printed (nobody else knows it); a given one is not repeated.
    """
    lines = [
        f"WARNING: the Telnyx emulator is bound to {host}, beyond loopback: anyone who can "
        "reach this port can use its API.",
    ]
    if token and generated:
        lines.append(
            "Control routes (/_emulator/...) require this generated control token: "
            f"send 'X-Emulator-Token: {token}'."
        )
    elif token:
        lines.append("Control routes (/_emulator/...) require the control token you gave.")
    return "\n".join(lines)
