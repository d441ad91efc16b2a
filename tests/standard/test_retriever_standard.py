"""langchain-tests' retriever suite for TelnyxBucketRetriever, on a bucket seeded in the emulator."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from langchain_telnyx.retrievers import TelnyxBucketRetriever
from telnyx_inference.emulator import Emulator

TEXTS = {
    "network.txt": "Telnyx runs a private global IP network for voice and messaging.",
    "refunds.txt": "Refunds are issued within five business days of the request.",
    "numbers.txt": "Phone numbers can be ported to Telnyx in most countries.",
    "pets.txt": "Cats sleep most of the day; dogs like long walks.",
}


class TestTelnyxBucketRetriever(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _bucket(self, telnyx_emulator: Emulator) -> None:
        telnyx_emulator.seed_bucket("kb", texts=TEXTS)
        self._base_url = telnyx_emulator.base_url

    @property
    def retriever_constructor(self) -> type[TelnyxBucketRetriever]:
        return TelnyxBucketRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"bucket_name": "kb", "k": 2, "api_key": "test-key", "base_url": self._base_url}

    @property
    def retriever_query_example(self) -> str:
        return "How long do refunds take?"
