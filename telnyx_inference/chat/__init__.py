"""The chat path: request building, answer and stream reading, tools, structured output, the
model catalog, and the clients that send them. Pure modules here import only the foundation
(``errors``, ``settings``, ``_constants``, ``_hints``, ``_validation``, ``_warnings``); only
:mod:`.client` sends, through :mod:`telnyx_inference.transport`.
"""
