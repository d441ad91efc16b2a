"""LlamaIndex integration for Telnyx Inference."""

__all__: list[str] = []
