"""Prompt caching as vLLM does it: a prompt's tokens in blocks, each block known by a hash of
everything up to it, so a prompt that repeats an earlier prompt's beginning finds those blocks
cached. ``usage.prompt_tokens_details.cached_tokens`` reports how many tokens were found.

::

    cache = PrefixCache()
    cache.lookup("m", messages)                 # 0: nothing seen yet
    cache.lookup("m", messages + [follow_up])   # the blocks of the first prompt: cached
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from typing import Any

from telnyx_inference.emulator.model import tokens

BLOCK_TOKENS = 16
"""Tokens per cache block (vLLM's default block size); only whole blocks are cached."""
MAX_BLOCKS = 65_536
"""Blocks remembered; the least recently used go first."""


def _prompt_tokens(messages: list[Any]) -> list[str]:
    """The prompt as the toy tokenizer reads it, with each message's role and framing."""
    out: list[str] = []
    for message in messages:
        if isinstance(message, dict):
            out.append(f"<|{message.get('role')}|>")
            content = message.get("content")
            text = content if isinstance(content, str) else json.dumps(content, sort_keys=True)
            out.extend(tokens.tokenize(text))
            if message.get("tool_calls"):
                out.extend(tokens.tokenize(json.dumps(message["tool_calls"], sort_keys=True)))
    return out


class PrefixCache:
    """Block hashes of the prompts seen, per model; thread-safe and bounded."""

    def __init__(self, max_blocks: int = MAX_BLOCKS) -> None:
        self._blocks: OrderedDict[bytes, None] = OrderedDict()
        self._max = max_blocks
        self._lock = threading.Lock()

    def lookup(self, model: str, messages: list[Any], prompt_tokens: int) -> int:
        """Tokens of this prompt found cached (at most ``prompt_tokens - 1``: the last token
        is always computed); the prompt's own blocks are remembered for later requests."""
        toks = _prompt_tokens(messages)
        digest = hashlib.blake2b(model.encode(), digest_size=16)
        hashes = []
        for start in range(0, len(toks) - BLOCK_TOKENS + 1, BLOCK_TOKENS):
            digest.update("\x00".join(toks[start : start + BLOCK_TOKENS]).encode())
            hashes.append(digest.copy().digest())
        hits = 0
        with self._lock:
            for key in hashes:
                if key not in self._blocks:
                    break
                hits += 1
            for key in hashes:
                self._blocks[key] = None
                self._blocks.move_to_end(key)
            while len(self._blocks) > self._max:
                self._blocks.popitem(last=False)
        return max(0, min(hits * BLOCK_TOKENS, prompt_tokens - 1))

    def clear(self) -> None:
        with self._lock:
            self._blocks.clear()
