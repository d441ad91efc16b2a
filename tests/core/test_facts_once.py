"""Each fact in one place: every default that means the same thing is the same constant."""

from __future__ import annotations

import inspect

from langchain_telnyx import TelnyxVectorStore
from llama_index_telnyx import TelnyxIndex
from telnyx_inference import _constants as facts
from telnyx_inference.buckets import documents
from telnyx_inference.buckets.bucket_api import AsyncBuckets, Buckets, JobDeadline


def _default(function: object, name: str) -> object:
    return inspect.signature(function).parameters[name].default  # type: ignore[arg-type]


def test_every_embedding_wait_polls_at_one_interval() -> None:
    waits = {
        "Buckets.wait": _default(Buckets.wait, "poll_interval"),
        "AsyncBuckets.wait": _default(AsyncBuckets.wait, "poll_interval"),
        "JobDeadline": _default(JobDeadline, "poll_interval"),
        "DocumentBucket": _default(documents._Base, "poll_interval"),
        "TelnyxVectorStore": _default(TelnyxVectorStore, "poll_interval"),
        "TelnyxIndex": _default(TelnyxIndex, "poll_interval"),
    }
    assert waits == dict.fromkeys(waits, facts.DEFAULT_POLL_INTERVAL)
