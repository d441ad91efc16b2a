"""The LlamaIndex retriever takes the same connection settings as every other Telnyx class."""

from __future__ import annotations

from typing import Any

import pytest

from llama_index_telnyx.retrievers import TelnyxBucketRetriever
from telnyx_inference import InvalidParameterError
from telnyx_inference.emulator import Emulator
from telnyx_inference.transport.sdk_http import http_module


def test_total_timeout_and_aliases_reach_the_settings(telnyx_emulator: Emulator) -> None:
    retriever = TelnyxBucketRetriever(
        "kb", telnyx_api_key="k", api_base=telnyx_emulator.base_url, total_timeout=7.5
    )
    settings = retriever._connection.telnyx_settings()
    assert settings.total_timeout == 7.5
    assert settings.base_url == telnyx_emulator.base_url


def test_the_users_http_client_carries_the_requests(telnyx_emulator: Emulator) -> None:
    telnyx_emulator.seed_bucket("kb", texts={"a.txt": "Refunds take five days."})
    seen: list[str] = []

    def record(request: Any) -> None:
        seen.append(str(request.url))

    with http_module.Client(event_hooks={"request": [record]}) as http:
        retriever = TelnyxBucketRetriever(
            "kb", api_key="k", base_url=telnyx_emulator.base_url, http_client=http
        )
        nodes = retriever.retrieve("refunds")
    assert nodes[0].node.metadata["filename"] == "a.txt"
    assert any(url.endswith("similarity-search") for url in seen)


def test_unknown_connection_names_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="did you mean 'total_timeout'") as caught:
        TelnyxBucketRetriever("kb", api_key="k", total_timeot=3)
    assert caught.value.param == "total_timeot"
