"""Bulk work on an existing engine: row callables for Ray Data's ``map_batches`` (they import no
Ray), sharing a token budget, and a ready ``ray.data.llm`` HTTP processor (it imports Ray when
called). It may import every core room but the emulator.
"""

from telnyx_inference.bulk.ray_data import ChatRows, EmbedRows, SearchRows
from telnyx_inference.bulk.ray_llm import http_processor

__all__ = ["ChatRows", "EmbedRows", "SearchRows", "http_processor"]
