"""Record and replay: the proxy to an upstream, cassettes on disk, matching a request to a
recording, the drift check and the ``telnyx_cassette`` marker. Never imports the model.
"""
