"""The emulator's heuristic "model": a request in, a completion out (:func:`.engine.complete`,
its one entry point), and the seam's side of a responder's answer (:mod:`.seam`). Pure
behaviour over plain dicts: imports only the emulator's shared records, never the serving side.

The heuristic model is the default and stops growing: new behaviour goes through the seam (a
function of yours, see :mod:`telnyx_inference.emulator.responders`). What it understands is
written down in ``docs/emulator-model.md``.
"""
