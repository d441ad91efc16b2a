"""The drift check: send the same small probe set to real Telnyx and to the emulator, record
both through the recorder, and list every difference in shape (:mod:`.shapes`).

    TELNYX_API_KEY=... python -m pytest -m live tests/live/test_drift.py -s

Each line printed is a place where the emulator no longer answers like Telnyx: fix the
emulator (or, for a deliberate difference, say so in ``docs/limitations.md``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telnyx_inference._constants import (
    CHAT_PATH,
    DEFAULT_CHAT_MODEL,
    DEFAULT_EMBEDDING_MODEL,
    EMBEDDINGS_PATH,
    MODELS_PATH,
    NATIVE_ROOT_PATH,
    OPENAI_BASE_SUFFIX,
)
from telnyx_inference.emulator.replay.shapes import compare_interactions
from telnyx_inference.emulator.replay.tape import load_cassette
from telnyx_inference.transport.sdk_http import http_module

_OPENAI = NATIVE_ROOT_PATH + OPENAI_BASE_SUFFIX
CHAT = f"{_OPENAI}/{CHAT_PATH}"

_WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "The current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    },
}
_PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
}


@dataclass(frozen=True)
class Probe:
    name: str
    method: str
    path: str
    body: dict[str, Any] | None = None


def probes(
    model: str = DEFAULT_CHAT_MODEL, embedding_model: str = DEFAULT_EMBEDDING_MODEL
) -> list[Probe]:
    """Chat, stream, tools, json_schema, guided_json, a 422, models and embeddings: small and
    cheap."""

    def ask(text: str, **extra: Any) -> dict[str, Any]:
        # max_tokens keeps the probes cheap, but Telnyx refuses it next to function tools
        limit = {} if "tools" in extra else {"max_tokens": 64}
        return {"model": model, "messages": [{"role": "user", "content": text}], **limit, **extra}

    return [
        Probe("chat", "POST", CHAT, ask("Reply with the single word: pong")),
        Probe(
            "stream",
            "POST",
            CHAT,
            ask("Count from 1 to 5.", stream=True, stream_options={"include_usage": True}),
        ),
        Probe(
            "tools",
            "POST",
            CHAT,
            ask("What is the weather in Oslo?", tools=[_WEATHER_TOOL], tool_choice="required"),
        ),
        Probe(
            "json_schema",
            "POST",
            CHAT,
            ask(
                "Invent a person.",
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": "Person", "schema": _PERSON, "strict": True},
                },
            ),
        ),
        Probe("guided_json", "POST", CHAT, ask("Invent a person.", guided_json=_PERSON)),
        Probe("422", "POST", CHAT, ask("hi", min_p=5)),
        Probe("models", "GET", f"{_OPENAI}/{MODELS_PATH}"),
        Probe(
            "embeddings",
            "POST",
            f"{_OPENAI}/{EMBEDDINGS_PATH}",
            {"model": embedding_model, "input": ["Telnyx runs a global IP network."]},
        ),
    ]


def send_probes(root: str, key: str, items: Sequence[Probe], timeout: float = 120.0) -> None:
    """Send each probe to ``root`` (a recorder) and read its answer through."""
    headers = {"Authorization": f"Bearer {key}"}
    with http_module.Client(base_url=root, headers=headers, timeout=timeout) as client:
        for probe in items:
            with client.stream(probe.method, probe.path, json=probe.body) as answer:
                for _ in answer.iter_raw():
                    pass


def drift_report(real: str | Path, emulated: str | Path, items: Sequence[Probe]) -> list[str]:
    """Every shape difference between two cassettes recorded from the same probes, each line
    prefixed with the probe's name."""
    left, right = load_cassette(real), load_cassette(emulated)
    if len(left) != len(items) or len(right) != len(items):
        return [f"cassettes hold {len(left)} and {len(right)} answers for {len(items)} probes"]
    return [
        f"{probe.name}: {line}"
        for probe, a, b in zip(items, left, right, strict=True)
        for line in compare_interactions(a, b)
    ]
