"""The I/O shell of the storage layer: boto3 clients, one per region, and the send.

boto3 is imported here only, on first use (it costs ~0.3 s). A client is configured for Telnyx
Cloud Storage: path-style addressing, SigV4 with the API key as the access key id (Telnyx
ignores the secret and the signature), checksums only where S3 requires them, botocore's own
retries (the one retry layer: 5xx, throttling and dropped connections, per call).
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telnyx_inference._constants import (
    EMULATOR_CONTROL_TOKEN_ENV,
    EMULATOR_CONTROL_TOKEN_HEADER,
    EMULATOR_STORAGE_PATH,
    STORAGE_URL_ENV,
    STORAGE_URL_TEMPLATE,
)
from telnyx_inference.buckets.storage_wire import endpoint_for, storage_error
from telnyx_inference.errors import (
    InvalidParameterError,
    TelnyxConnectionError,
    TelnyxError,
    TelnyxTimeoutError,
)
from telnyx_inference.settings import is_local_url
from telnyx_inference.transport.conn_errors import describe_target, root_cause

__all__ = ["S3Call", "S3Clients", "discover_storage_url"]


def discover_storage_url(base_url: str, timeout: float = 60.0) -> str | None:
    """The S3 endpoint the emulator at a local base URL advertises; ``None`` for a public
    base URL (Telnyx's own regional endpoints serve it).

    A loopback or private base URL never falls back to Telnyx's cloud: documents and the
    key would leave for somewhere the user did not point at. So a server there that cannot
    be reached (or does not answer within ``timeout``: the emulator starts its S3 endpoint
    on first use, which takes seconds on a loaded machine), refuses to say (an emulator with
    a control token, sent from ``TELNYX_EMULATOR_CONTROL_TOKEN`` when set), or is no
    emulator raises an error naming ``storage_url=``."""
    if not is_local_url(base_url):
        return None
    parts = urlsplit(base_url)
    where = f"{parts.scheme}://{parts.netloc}{EMULATOR_STORAGE_PATH}"
    host = describe_target(base_url) or base_url
    token = os.environ.get(EMULATOR_CONTROL_TOKEN_ENV)
    headers = {EMULATOR_CONTROL_TOKEN_HEADER: token} if token else {}
    try:  # a local or private host, checked above
        with urllib.request.urlopen(
            urllib.request.Request(where, headers=headers), timeout=timeout
        ) as answer:
            url = json.loads(answer.read()).get("storage_url")
    except urllib.error.HTTPError as exc:
        raise _not_advertised(host, exc.code, bool(token)) from None
    except (ValueError, AttributeError):
        url = None
    except OSError as exc:
        cause = root_cause(exc) or str(getattr(exc, "reason", exc))
        raise TelnyxConnectionError(
            f"could not ask {host} (from base_url) for its storage endpoint "
            f"({EMULATOR_STORAGE_PATH}): {cause}. A local or private base_url never falls back "
            f"to Telnyx's cloud: start the emulator, or pass storage_url= "
            f"(or set {STORAGE_URL_ENV})."
        ) from None
    if not isinstance(url, str) or not url:
        raise _not_advertised(host, None, bool(token))
    return url


def _not_advertised(host: str, status: int | None, sent_token: bool) -> InvalidParameterError:
    """The error for a local server that did not say where its storage endpoint is."""
    said = f"answered HTTP {status}" if status else "answered without a storage_url"
    if status in (401, 403):
        token = (
            f"the control token in {EMULATOR_CONTROL_TOKEN_ENV} was refused"
            if sent_token
            else f"it wants the emulator's control token: set {EMULATOR_CONTROL_TOKEN_ENV} to it"
        )
        advice = f"{token}, or pass storage_url= (the emulator prints it at start)"
    else:
        advice = (
            f"it is not a Telnyx emulator, so pass storage_url= (or set {STORAGE_URL_ENV}); "
            f"Telnyx Cloud Storage is {STORAGE_URL_TEMPLATE!r}"
        )
    return InvalidParameterError(
        "storage_url",
        f"base_url points at {host}, a local or private address, which {said} when asked "
        f"for its storage endpoint ({EMULATOR_STORAGE_PATH}); documents never go to Telnyx's "
        f"cloud from a local base_url: {advice}",
    )


@dataclass(frozen=True, slots=True)
class S3Call:
    """One S3 operation: the boto3 method name, its arguments, the region whose endpoint
    serves it, and the bucket / key it concerns (for error messages)."""

    op: str
    region: str
    params: dict[str, Any] = field(default_factory=dict)
    bucket: str | None = None
    key: str | None = None


class S3Clients:
    """boto3 S3 clients for one key and endpoint template, built once per region (boto3
    clients are thread-safe; building one reads botocore's service model, ~50 ms)."""

    def __init__(
        self,
        *,
        key: Callable[[], str],
        template: Callable[[], str],
        timeout: float | None,
        max_retries: int,
        max_pool: int,
        allow_insecure_http: bool,
        source: Callable[[], str] = lambda: "storage_url",
    ) -> None:
        self._key = key
        self._template = template
        self._source = source
        self._timeout = timeout
        self._max_retries = max_retries
        self._max_pool = max_pool
        self._insecure = allow_insecure_http
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}

    def client(self, region: str) -> Any:
        found = self._clients.get(region)
        if found is not None:
            return found
        with self._lock:
            if region not in self._clients:
                self._clients[region] = self._build(region)
            return self._clients[region]

    def _build(self, region: str) -> Any:
        import boto3.session
        from botocore.config import Config

        url = endpoint_for(
            self._template(), region, allow_insecure_http=self._insecure, param=self._source()
        )
        key = self._key()
        config = Config(
            s3={"addressing_style": "path"},
            signature_version="s3v4",
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"total_max_attempts": self._max_retries + 1, "mode": "standard"},
            max_pool_connections=self._max_pool,
            connect_timeout=self._timeout or 60,
            read_timeout=self._timeout or 60,
            user_agent_extra="telnyx-inference",
        )
        # A session of our own, so a user's AWS profile or environment credentials never mix in.
        session = boto3.session.Session(
            aws_access_key_id=key, aws_secret_access_key=key, region_name=region
        )
        _hide_key_in_logs()
        client = session.client("s3", endpoint_url=url, config=config)
        client.meta.events.register("before-call.s3", _no_region_redirect)
        return client

    def close(self) -> None:
        with self._lock:
            clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            client.close()

    def send(self, call: S3Call) -> dict[str, Any]:
        """Run one call; a refusal becomes the matching :mod:`telnyx_inference` error."""
        from botocore import exceptions as bx

        client = self.client(call.region)
        method = getattr(client, call.op)
        try:
            body = call.params.get("Body")
            if isinstance(body, Path):
                with body.open("rb") as handle:
                    answer: dict[str, Any] = method(**{**call.params, "Body": handle})
            else:
                answer = method(**call.params)
            stream = answer.get("Body")
            if stream is not None and hasattr(stream, "read"):
                answer["Body"] = stream.read()  # reading the body is part of the send
            return answer
        except bx.ClientError as exc:
            raise _client_error(exc, call) from None
        except (bx.ReadTimeoutError, bx.ConnectTimeoutError) as exc:
            raise TelnyxTimeoutError(
                f"Telnyx Storage at {self._host(client)} did not answer within the timeout on "
                f"{_what(call)}; the endpoint is {self.describe()}"
            ) from exc
        except (bx.HTTPClientError, bx.ConnectionError) as exc:
            cause = root_cause(exc) or type(exc).__name__
            raise TelnyxConnectionError(
                f"could not reach Telnyx Storage at {self._host(client)} ({cause}) on "
                f"{_what(call)}; the endpoint is {self.describe()}"
            ) from exc
        except bx.BotoCoreError as exc:  # botocore refused to build or send the request
            raise TelnyxError(
                f"Telnyx Storage could not send {_what(call)}: {exc}; the endpoint is "
                f"{self.describe()}"
            ) from exc
        except OSError as exc:  # reading a local file
            raise TelnyxError(f"could not read {_what(call)}: {exc}") from exc

    def describe(self) -> str:
        """Where the endpoint came from, in the words the user chose it with."""
        template, source = self._template(), self._source()
        if source == "base_url":
            return f"the emulator's {template!r}, found from base_url= (storage_url= overrides it)"
        if source == "default":
            return f"Telnyx Cloud Storage, {template!r} (storage_url= chooses another)"
        return (
            f"{source}={template!r}" if source == STORAGE_URL_ENV else f"storage_url={template!r}"
        )

    @staticmethod
    def _host(client: Any) -> str:
        url = getattr(client.meta, "endpoint_url", None)
        return describe_target(url) or str(url)


_CREDENTIAL = re.compile(r"(Credential=)[^/\s'\"]+")
_LOGGERS_WITH_HEADERS = ("botocore.endpoint", "botocore.httpsession", "botocore.auth")
"""botocore loggers whose DEBUG records can carry the Authorization header, whose SigV4
``Credential=`` names the access key id: for Telnyx, the API key."""


class _HideCredential(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Credential=" in message:
            record.msg, record.args = _CREDENTIAL.sub(r"\1**********", message), None
        return True


def _hide_key_in_logs() -> None:
    for name in _LOGGERS_WITH_HEADERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _HideCredential) for f in logger.filters):
            logger.addFilter(_HideCredential())


def _no_region_redirect(params: dict[str, Any], **_: Any) -> None:
    """Turn off botocore's wrong-region retry: it re-signs for the bucket's region but keeps
    the endpoint, and Telnyx routes by host (it ignores the signature), so the retry cannot
    help; the 301 becomes a :class:`WrongRegionError` naming the bucket's region instead."""
    redirect = params.get("context", {}).get("s3_redirect")
    if isinstance(redirect, dict):
        redirect["redirected"] = True


def _what(call: S3Call) -> str:
    if call.key:
        return f"document {call.key!r} in bucket {call.bucket!r}"
    return f"bucket {call.bucket!r}" if call.bucket else "Telnyx Storage"


def _client_error(exc: Any, call: S3Call) -> TelnyxError:
    response = getattr(exc, "response", {}) or {}
    error = response.get("Error") or {}
    meta = response.get("ResponseMetadata") or {}
    headers = meta.get("HTTPHeaders") or {}
    status = meta.get("HTTPStatusCode")
    return storage_error(
        code=str(error.get("Code") or status or "Unknown"),
        status=int(status) if status else None,
        message=str(error.get("Message") or ""),
        bucket=call.bucket,
        key=call.key,
        region=call.region,
        home_region=headers.get("x-amz-bucket-region") or error.get("Region"),
        request_id=meta.get("RequestId"),
        body=error or None,
    )
