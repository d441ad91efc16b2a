"""The emulator's HTTP side: routes, validation in Telnyx's layers, the journal, the control API
and the server. May import every other room of the emulator and the core.
"""
