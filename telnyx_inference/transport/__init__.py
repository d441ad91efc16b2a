"""The I/O shells on the official openai SDK: shared clients and pools, the steps a flow asks
for and the retry flow, the aiohttp route, SSE framing and connection-error messages. It imports
only the foundation (``errors``, ``settings``, ``_constants``, ``_hints``, ``_flows``) and the SDK;
it knows nothing of chat or buckets.
"""
