"""langchain-tests' vector-store suite for TelnyxVectorStore, sync and async, on the emulator.

Every test gets a fresh, empty bucket. Nothing is switched off: server-side embedding
changes how documents are embedded, not what the suite checks (the fake embeddings the suite
offers through ``get_embeddings`` are simply not used, as Telnyx embeds on its side).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from langchain_tests.integration_tests import VectorStoreIntegrationTests

from langchain_telnyx import TelnyxVectorStore
from telnyx_inference.emulator import Emulator


class TestTelnyxVectorStore(VectorStoreIntegrationTests):
    @pytest.fixture
    def vectorstore(self, telnyx_emulator: Emulator) -> Iterator[TelnyxVectorStore]:  # type: ignore[override]
        store = TelnyxVectorStore(
            bucket_name=f"lc-{uuid.uuid4().hex[:12]}",
            api_key="test-key",
            base_url=telnyx_emulator.base_url,
            storage_url=telnyx_emulator.storage_url,
            poll_interval=0.01,
            progress=False,
        )
        store.ensure_bucket()  # an empty store is an existing, empty bucket
        try:
            yield store
        finally:
            store.delete()
