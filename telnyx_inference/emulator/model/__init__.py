"""The emulator's deterministic "model": a request in, a completion out (:mod:`.engine`). Pure
behaviour over plain dicts: imports only the emulator's shared records, never the serving side.
"""
