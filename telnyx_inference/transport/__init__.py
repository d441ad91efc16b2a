"""The I/O shells on the official openai SDK: shared clients and pools, retries, the aiohttp
route, SSE framing and connection-error messages. It imports only the foundation (``errors``,
``settings``, ``_constants``, ``_hints``) and the SDK; it knows nothing of chat or buckets.
"""
