"""Suite-wide rules: live tests need a key; nothing else may talk to the real API."""

from __future__ import annotations

import os

import pytest

# Frameworks fall back to OpenAI or fetch tokenizers when left to their defaults; keep every
# test offline and explicit about its models.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.pop("OPENAI_API_KEY", None)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("TELNYX_API_KEY"):
        return
    skip = pytest.mark.skip(reason="live test: set TELNYX_API_KEY to run it against the real API")
    for item in items:
        if "live" in item.keywords:
            item.add_marker(skip)
