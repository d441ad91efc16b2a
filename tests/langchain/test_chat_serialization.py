"""dumpd / dumps / load of ChatTelnyx: the key is a secret reference, never the value."""

from __future__ import annotations

import pytest
from langchain_core.load import dumpd, dumps, load, loads

from langchain_telnyx import ChatTelnyx


def test_dump_has_a_secret_reference_not_the_key() -> None:
    llm = ChatTelnyx(api_key="sk-secret", temperature=0.2, guided_choice=["a", "b"])
    data = dumpd(llm)
    assert data["id"] == ["langchain_telnyx", "chat_models", "ChatTelnyx"]
    assert data["kwargs"]["api_key"] == {"lc": 1, "type": "secret", "id": ["TELNYX_API_KEY"]}
    assert data["kwargs"]["guided_choice"] == ["a", "b"]
    assert "sk-secret" not in dumps(llm)


def test_round_trip_with_the_class_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    llm = ChatTelnyx(api_key="sk-secret", model="zai-org/GLM-5.2", min_p=0.1, stop=["X"])
    restored = load(
        dumpd(llm),
        allowed_objects=[ChatTelnyx],
        valid_namespaces=["langchain_telnyx"],
        secrets_map={"TELNYX_API_KEY": "sk-from-map"},
    )
    assert isinstance(restored, ChatTelnyx)
    assert restored.dict() == llm.dict()
    assert restored.api_key is not None
    assert restored.api_key.get_secret_value() == "sk-from-map"
    again = loads(dumps(llm), allowed_objects=[ChatTelnyx], valid_namespaces=["langchain_telnyx"])
    assert again.model_name == "zai-org/GLM-5.2"
