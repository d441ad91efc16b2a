"""Bulk work on an existing engine: row callables for Ray Data's ``map_batches`` (they import no
Ray), sharing a token budget. It may import every core room but the emulator.
"""

from telnyx_inference.bulk.ray_data import ChatRows, EmbedRows, SearchRows

__all__ = ["ChatRows", "EmbedRows", "SearchRows"]
