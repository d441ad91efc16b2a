"""The emulator's storage side: buckets as Telnyx embeds and searches them, the hashed embedder,
and Telnyx Cloud Storage's S3 API on moto. Never imports the model or record/replay.
"""
