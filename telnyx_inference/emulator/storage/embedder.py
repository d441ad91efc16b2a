"""A deterministic, dependency-free embedder: hashed character n-grams and words.

Texts that share words and fragments get nearby vectors, which is enough for similarity
search to rank sensibly in tests. 1024 dimensions, L2-normalised, like thenlper/gte-large.
"""

from __future__ import annotations

import base64
import math
import re
import struct
import zlib
from functools import lru_cache

from telnyx_inference._constants import EMBEDDING_DIMENSIONS

NGRAM_SIZES = (3, 4, 5)
_WORD = re.compile(r"\w+")


def _features(text: str) -> list[tuple[str, float]]:
    norm = " ".join(text.lower().split())
    feats: list[tuple[str, float]] = [(f"w:{w}", 2.0) for w in _WORD.findall(norm)]
    padded = f" {norm} "
    for n in NGRAM_SIZES:
        feats.extend((padded[i : i + n], 1.0) for i in range(len(padded) - n + 1))
    return feats


@lru_cache(maxsize=4096)
def _embed(text: str, dims: int) -> tuple[float, ...]:
    vec = [0.0] * dims
    for feat, weight in _features(text):
        h = zlib.crc32(feat.encode())
        vec[h % dims] += weight if (h >> 31) & 1 else -weight
    norm = math.sqrt(sum(v * v for v in vec))
    if norm == 0.0:
        # The empty text still needs a unit vector so cosine distance stays defined.
        vec[0], norm = 1.0, 1.0
    return tuple(v / norm for v in vec)


def embed(text: str, dimensions: int | None = None) -> list[float]:
    """The unit vector of ``text``, in ``dimensions`` dimensions (default 1024).

    Fewer dimensions hash the same features into fewer buckets rather than cutting the
    1024-dimension vector short, so even a short text never comes back as all zeros.
    """
    if dimensions is None or dimensions >= EMBEDDING_DIMENSIONS:
        return list(_embed(text, EMBEDDING_DIMENSIONS))
    return list(_embed(text, dimensions))


def to_base64(vector: list[float]) -> str:
    """OpenAI's base64 encoding: little-endian float32s."""
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode()


def cosine_distance(
    a: list[float] | tuple[float, ...], b: list[float] | tuple[float, ...]
) -> float:
    """1 − cosine similarity of two unit vectors: 0 identical, 2 opposite."""
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return max(0.0, min(2.0, 1.0 - dot))


def certainty(distance: float) -> float:
    """Weaviate-style certainty (higher is closer), as Telnyx reports it: 1 − distance / 2."""
    return 1.0 - distance / 2.0
