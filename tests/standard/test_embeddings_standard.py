"""langchain-tests' standard suites for TelnyxEmbeddings (integration against the emulator)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests
from langchain_tests.unit_tests import EmbeddingsUnitTests

from langchain_telnyx.embeddings import TelnyxEmbeddings
from telnyx_inference.emulator import Emulator


class TestTelnyxEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[TelnyxEmbeddings]:
        return TelnyxEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "thenlper/gte-large"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"TELNYX_API_KEY": "env-key", "TELNYX_API_BASE": "https://api.telnyx.eu/v2/ai/openai"},
            {"model": "intfloat/multilingual-e5-large"},
            {
                "api_key": "env-key",
                "base_url": "https://api.telnyx.eu/v2/ai/openai",
                "model": "intfloat/multilingual-e5-large",
            },
        )


class TestTelnyxEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @pytest.fixture(autouse=True)
    def _emulator(self, telnyx_emulator: Emulator) -> None:
        self._base_url = telnyx_emulator.base_url

    @property
    def embeddings_class(self) -> type[TelnyxEmbeddings]:
        return TelnyxEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"api_key": "test-key", "base_url": self._base_url, "batch_size": 2}
