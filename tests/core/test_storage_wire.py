"""The storage layer's pure part: names, documents, endpoints, error mapping, run bookkeeping."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from telnyx_inference.buckets.storage import (
    BucketAlreadyExistsError,
    EmptyDocumentError,
    ObjectNotFoundError,
    Storage,
    StorageAuthenticationError,
    StorageObject,
    StoragePermissionError,
    StorageServerError,
    UploadError,
    WrongRegionError,
)
from telnyx_inference.buckets.storage_flows import UploadRun
from telnyx_inference.buckets.storage_wire import (
    check_bucket,
    check_keys,
    endpoint_for,
    plan_upload,
    read_location,
    storage_error,
)
from telnyx_inference.errors import (
    BucketNotFoundError,
    InsecureTransportError,
    InvalidParameterError,
    InvalidParameterTypeError,
    TelnyxConnectionError,
)


@pytest.mark.parametrize("name", ["abc", "my-docs.2026", "a" * 63, "0-9"])
def test_valid_bucket_names_pass(name: str) -> None:
    assert check_bucket(name) == name


@pytest.mark.parametrize(
    "name", ["ab", "a" * 64, "Docs", "my_docs", "-docs", "docs-", "a..b", "192.168.1.1", ""]
)
def test_invalid_bucket_names_name_the_parameter(name: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        check_bucket(name)
    assert info.value.param == "bucket"
    assert repr(name) in str(info.value)


def test_bucket_name_must_be_a_string() -> None:
    with pytest.raises(InvalidParameterTypeError):
        check_bucket(42)


def test_plan_accepts_text_bytes_and_files(tmp_path: Path) -> None:
    pdf = tmp_path / "guide.pdf"
    pdf.write_bytes(b"%PDF-1.7 fake")
    planned = plan_upload({"a.txt": "hello", "b.bin": b"\x00\x01", "guide.pdf": pdf})
    assert [p.key for p in planned] == ["a.txt", "b.bin", "guide.pdf"]
    assert planned[0].body == b"hello"
    assert planned[0].content_type == "text/plain; charset=utf-8"
    assert planned[1].content_type == "application/octet-stream"
    assert planned[2].body == pdf
    assert planned[2].content_type == "application/pdf"


def test_plan_keeps_storage_object_metadata_and_type() -> None:
    obj = StorageObject("doc", "text", {"Source": "wiki", "page": "3"}, "text/markdown")
    (planned,) = plan_upload([obj])
    assert planned.metadata == {"source": "wiki", "page": "3"}
    assert planned.content_type == "text/markdown"


@pytest.mark.parametrize("body", ["", "   \n", b""])
def test_empty_document_is_refused_by_key(body: str | bytes) -> None:
    with pytest.raises(EmptyDocumentError) as info:
        plan_upload({"ok.txt": "fine", "blank.txt": body})
    assert info.value.key == "blank.txt"
    assert "'blank.txt'" in str(info.value)
    assert info.value.param == "items['blank.txt']"


def test_empty_file_and_missing_file_are_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(EmptyDocumentError, match=r"empty\.txt"):
        plan_upload({"empty.txt": empty})
    with pytest.raises(InvalidParameterError, match="no such file"):
        plan_upload({"gone.txt": tmp_path / "gone.txt"})


def test_duplicate_keys_and_bad_items_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="appears twice"):
        plan_upload([StorageObject("a", "x"), StorageObject("a", "y")])
    with pytest.raises(InvalidParameterTypeError):
        plan_upload("just a string")
    with pytest.raises(InvalidParameterTypeError, match="StorageObject"):
        plan_upload([("a", "x")])
    with pytest.raises(InvalidParameterError, match="nothing to upload"):
        plan_upload({})
    with pytest.raises(InvalidParameterTypeError, match="must be str, bytes or a path"):
        plan_upload({"a": 12})


def test_metadata_rules_name_the_document() -> None:
    with pytest.raises(InvalidParameterError, match=r"'doc'.*ASCII"):
        plan_upload([StorageObject("doc", "x", {"title": "Café"})])
    with pytest.raises(InvalidParameterError, match="2048"):
        plan_upload([StorageObject("doc", "x", {"blob": "x" * 3000})])
    with pytest.raises(InvalidParameterError, match="header name"):
        plan_upload([StorageObject("doc", "x", {"bad key": "v"})])
    with pytest.raises(InvalidParameterTypeError):
        plan_upload([StorageObject("doc", "x", {"n": 3})])  # type: ignore[dict-item]


def test_keys_are_checked() -> None:
    assert check_keys(["a", "b/c"]) == ["a", "b/c"]
    with pytest.raises(InvalidParameterTypeError):
        check_keys("a")
    with pytest.raises(InvalidParameterError, match=r"keys\[1\]"):
        check_keys(["a", ""])
    with pytest.raises(InvalidParameterError, match="1024"):
        check_keys(["k" * 1025])


def test_endpoint_template_fills_the_region_and_refuses_plain_http() -> None:
    assert (
        endpoint_for("https://{region}.telnyxcloudstorage.com", "eu-central-1")
        == "https://eu-central-1.telnyxcloudstorage.com"
    )
    assert endpoint_for("http://127.0.0.1:9000/", "us-east-1") == "http://127.0.0.1:9000"
    with pytest.raises(InsecureTransportError):
        endpoint_for("http://storage.example.com", "us-east-1")
    assert endpoint_for("http://storage.example.com", "x", allow_insecure_http=True)
    with pytest.raises(InvalidParameterError, match="storage_url"):
        endpoint_for("ftp://x", "us-east-1")


def test_location_reads_the_region() -> None:
    assert read_location({"LocationConstraint": "us-central-1"}) == "us-central-1"
    assert read_location({"LocationConstraint": None}) == "us-east-1"


@pytest.mark.parametrize(
    ("code", "status", "key", "cls"),
    [
        ("NoSuchBucket", 404, None, BucketNotFoundError),
        ("NoSuchKey", 404, "a.txt", ObjectNotFoundError),
        ("BucketAlreadyExists", 409, None, BucketAlreadyExistsError),
        ("PermanentRedirect", 301, "a.txt", WrongRegionError),
        ("InvalidAccessKeyId", 403, None, StorageAuthenticationError),
        ("AccessDenied", 403, None, StoragePermissionError),
        ("InternalError", 500, "a.txt", StorageServerError),
    ],
)
def test_s3_errors_map_to_named_errors(
    code: str, status: int, key: str | None, cls: type[Exception]
) -> None:
    err = storage_error(
        code=code, status=status, message="m", bucket="docs", key=key, region="us-east-1",
        home_region="eu-central-1",
    )
    assert isinstance(err, cls)
    assert "'docs'" in str(err)
    if key:
        assert f"{key!r}" in str(err)


def test_wrong_region_error_names_both_regions() -> None:
    err = storage_error(
        code="PermanentRedirect", status=301, message="", bucket="docs", region="us-east-1",
        home_region="eu-central-1",
    )
    assert isinstance(err, WrongRegionError)
    assert (err.region, err.requested) == ("eu-central-1", "us-east-1")
    assert "'eu-central-1'" in str(err)
    assert "'us-east-1'" in str(err)


def test_upload_run_reports_every_key_once() -> None:
    objects = plan_upload({"a": "1", "b": "2", "c": "3", "d": "4"})
    run = UploadRun("docs", "us-central-1", objects, progress=False)
    first, second = run.next(), run.next()
    assert first is not None
    assert second is not None
    run.done(first.key, "etag-a")
    run.fail(second.key, TelnyxConnectionError("dropped"))
    third = run.next()
    assert third is not None
    run.fail(third.key, StoragePermissionError("denied", bucket="docs"))
    assert run.next() is None  # a fatal error stops handing out documents
    with pytest.raises(UploadError) as info:
        run.finish()
    err = info.value
    assert err.stored == ["a"]
    assert set(err.not_stored) == {"b", "c", "d"}
    assert err.not_stored["b"] == "dropped"
    assert "not sent" in err.not_stored["d"]
    assert "'docs'" in str(err)


def test_storage_construction_is_offline_and_keeps_the_key_secret() -> None:
    store = Storage(api_key="sk-secret-123", base_url="https://api.telnyx.com/v2/ai/openai")
    assert "sk-secret-123" not in repr(store)
    assert "sk-secret-123" not in repr(store.settings)
    with pytest.raises(InvalidParameterError, match="max_concurrency"):
        Storage(api_key="k", max_concurrency=0)


def test_storage_url_resolution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELNYX_STORAGE_URL", raising=False)
    remote = Storage(api_key="k", base_url="https://api.telnyx.com/v2/ai/openai")
    assert remote.storage_url == "https://{region}.telnyxcloudstorage.com"
    monkeypatch.setenv("TELNYX_STORAGE_URL", "https://s3.example.test")
    assert Storage(api_key="k").storage_url == "https://s3.example.test"
    given = Storage(api_key="k", storage_url="http://127.0.0.1:1")
    assert given.storage_url == "http://127.0.0.1:1"


def test_a_local_base_url_never_falls_back_to_the_cloud_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TELNYX_STORAGE_URL", raising=False)
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = Storage(api_key="k", base_url=f"http://127.0.0.1:{port}/v2/ai/openai")
    with pytest.raises(TelnyxConnectionError, match=f"127.0.0.1:{port}.*storage_url="):
        _ = store.storage_url
