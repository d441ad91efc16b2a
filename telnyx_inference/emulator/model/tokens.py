"""A toy tokenizer: words and punctuation with their leading spaces.

Joining the tokens of a text gives the text back exactly, which lets the emulator stream
token-sized deltas, cut at ``max_tokens``, count usage and report logprobs consistently.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

_TOKEN = re.compile(r"\s*\w+|\s*[^\w\s]|\s+")


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text)


def count(text: str) -> int:
    return len(_TOKEN.findall(text)) if text else 0


def message_tokens(messages: list[Any]) -> int:
    """Prompt size: each message's text plus a few tokens of chat-template framing."""
    total = 2
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        total += 4
        content = msg.get("content")
        if isinstance(content, str):
            total += count(content)
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, dict):
                    total += count(str(part.get("text") or "")) + (
                        85 if part.get("image_url") else 0
                    )
        for call in msg.get("tool_calls") or []:
            if isinstance(call, dict):
                fn = call.get("function") or {}
                total += count(str(fn.get("name", ""))) + count(str(fn.get("arguments", "")))
    return total


def _logprob(token: str, rank: int) -> float:
    # A stable pseudo-probability: the chosen token is likely, alternatives less so.
    jitter = (zlib.crc32(token.encode()) % 1000) / 1000.0
    return round(-(0.01 + 0.2 * jitter) - 1.5 * rank, 6)


def _alternatives(token: str, k: int) -> list[str]:
    stripped = token.strip()
    lead = token[: len(token) - len(token.lstrip())]
    alts = [
        lead + stripped.upper(),
        lead + stripped.lower(),
        lead + stripped[:1],
        lead + stripped + "s",
        lead + "the",
        lead + "a",
    ]
    seen = {token}
    out: list[str] = []
    for alt in alts:
        if alt not in seen:
            seen.add(alt)
            out.append(alt)
    i = 0
    while len(out) < k:
        out.append(f"{lead}<alt{i}>")
        i += 1
    return out[:k]


def logprob_entries(tokens: list[str], top: int) -> list[dict[str, Any]]:
    """OpenAI ``logprobs.content`` entries for ``tokens`` with ``top`` alternatives each."""
    entries: list[dict[str, Any]] = []
    for tok in tokens:
        lp = _logprob(tok, 0)
        tops = [{"token": tok, "logprob": lp, "bytes": list(tok.encode())}] if top else []
        for rank, alt in enumerate(_alternatives(tok, max(top - 1, 0)), start=1):
            tops.append({"token": alt, "logprob": _logprob(alt, rank), "bytes": list(alt.encode())})
        entries.append(
            {"token": tok, "logprob": lp, "bytes": list(tok.encode()), "top_logprobs": tops}
        )
    return entries
