"""The emulator's S3 endpoint: plain boto3 works, uploads feed the bucket endpoints, re-embedding,
regions, accounts, latency, faults, journal and reset."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import boto3
import httpx
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from telnyx_inference import TelnyxClient
from telnyx_inference.buckets.bucket_api import Buckets
from telnyx_inference.emulator import Emulator, Fault

from ._support import KEY

FAST = {"poll_interval": 0.01, "progress": False}


def s3(emu: Emulator, region: str = "us-central-1", key: str = KEY) -> Any:
    """A plain boto3 client, configured as Telnyx documents it."""
    return boto3.session.Session().client(
        "s3",
        endpoint_url=emu.storage_url,
        region_name=region,
        aws_access_key_id=key,
        aws_secret_access_key=key,
        config=Config(
            s3={"addressing_style": "path"},
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"total_max_attempts": 1},
        ),
    )


def make_bucket(client: Any, name: str, region: str = "us-central-1") -> None:
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": region})


def buckets(emu: Emulator) -> Buckets:
    return Buckets(TelnyxClient(api_key=KEY, base_url=emu.base_url))


def test_boto3_round_trip_and_location(emu: Emulator) -> None:
    client = s3(emu)
    make_bucket(client, "kb-plain")
    client.put_object(Bucket="kb-plain", Key="a.txt", Body=b"hello", Metadata={"k": "v"})
    assert client.get_bucket_location(Bucket="kb-plain")["LocationConstraint"] == "us-central-1"
    got = client.get_object(Bucket="kb-plain", Key="a.txt")
    assert got["Body"].read() == b"hello"
    assert got["Metadata"] == {"k": "v"}
    listed = client.list_objects_v2(Bucket="kb-plain")
    assert [o["Key"] for o in listed["Contents"]] == ["a.txt"]


def test_uploads_are_what_the_bucket_embeds_and_searches(emu: Emulator) -> None:
    client = s3(emu)
    make_bucket(client, "kb-embed")
    client.put_object(Bucket="kb-embed", Key="leave.txt", Body=b"Staff get 25 vacation days.")
    client.put_object(Bucket="kb-embed", Key="pets.txt", Body=b"Cats sleep most of the day.")
    b = buckets(emu)
    assert {f.filename for f in b.files("kb-embed")} == {"leave.txt", "pets.txt"}
    job = b.wait(b.embed("kb-embed"), **FAST)
    assert job.status == "success"
    assert all(f.embedded for f in b.files("kb-embed"))
    hit = b.search("kb-embed", "how many vacation days", num_of_docs=1)[0]
    assert (hit.filename, hit.chunk) == ("leave.txt", "Staff get 25 vacation days.")


def test_changed_new_and_deleted_objects_are_re_embedded(emu: Emulator) -> None:
    client = s3(emu)
    make_bucket(client, "kb-live")
    client.put_object(Bucket="kb-live", Key="leave.txt", Body=b"Staff get 25 vacation days.")
    b = buckets(emu)
    b.wait(b.embed("kb-live"), **FAST)
    first = {f.filename: f for f in b.files("kb-live")}["leave.txt"]

    client.put_object(Bucket="kb-live", Key="leave.txt", Body=b"Staff get 30 vacation days.")
    client.put_object(Bucket="kb-live", Key="bikes.txt", Body=b"Bicycles can be parked inside.")
    pending = {f.filename: f.status for f in b.files("kb-live")}
    assert pending == {"leave.txt": "pending", "bikes.txt": "pending"}
    done = {f.filename: f for f in b.files("kb-live")}
    assert {n: f.status for n, f in done.items()} == {"leave.txt": "success", "bikes.txt": "success"}
    assert done["leave.txt"].last_embedded_at != first.last_embedded_at
    chunks = [h.chunk for h in b.search("kb-live", "vacation days", num_of_docs=5)]
    assert "Staff get 30 vacation days." in chunks
    assert "Staff get 25 vacation days." not in chunks

    client.delete_objects(Bucket="kb-live", Delete={"Objects": [{"Key": "bikes.txt"}]})
    client.delete_object(Bucket="kb-live", Key="leave.txt")
    assert b.files("kb-live") == []
    assert b.search("kb-live", "bicycles", num_of_docs=5) == []


def test_search_catches_up_without_a_status_read(emu: Emulator) -> None:
    client = s3(emu)
    make_bucket(client, "kb-catchup")
    client.put_object(Bucket="kb-catchup", Key="a.txt", Body=b"alpha text")
    b = buckets(emu)
    b.wait(b.embed("kb-catchup"), **FAST)
    client.put_object(Bucket="kb-catchup", Key="b.txt", Body=b"bravo words about ships")
    assert "b.txt" in {h.filename for h in b.search("kb-catchup", "ships", num_of_docs=2)}


def test_never_embedded_bucket_is_not_embedded_by_uploads(emu: Emulator) -> None:
    client = s3(emu)
    make_bucket(client, "kb-raw")
    client.put_object(Bucket="kb-raw", Key="a.txt", Body=b"alpha")
    b = buckets(emu)
    assert "kb-raw" not in b.list_buckets()
    assert [(f.filename, f.status) for f in b.files("kb-raw")] == [("a.txt", "pending")]


def signed_for(region: str) -> dict[str, str]:
    """An Authorization header signed for ``region`` (the emulator, like Telnyx, reads only
    the key and the credential scope)."""
    scope = f"{KEY}/20260101/{region}/s3/aws4_request"
    return {"Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, "
                             "Signature=00"}


def test_object_calls_must_go_to_the_home_region(emu: Emulator) -> None:
    make_bucket(s3(emu, region="eu-central-1"), "kb-region", "eu-central-1")
    with httpx.Client(base_url=emu.storage_url, timeout=10) as http:
        wrong = http.put("/kb-region/a.txt", content=b"x", headers=signed_for("us-east-1"))
        assert wrong.status_code == 301
        assert wrong.headers["x-amz-bucket-region"] == "eu-central-1"
        assert "<Code>PermanentRedirect</Code>" in wrong.text
        # GetBucketLocation is answered whatever the region.
        where = http.get("/kb-region?location", headers=signed_for("us-east-1"))
        assert where.status_code == 200
        assert "eu-central-1" in where.text
        right = http.put("/kb-region/a.txt", content=b"x", headers=signed_for("eu-central-1"))
        assert right.status_code == 200
        assert http.get("/kb-region/a.txt", headers={}).status_code == 403  # unsigned


def test_names_are_global_and_other_accounts_buckets_are_closed(emu: Emulator) -> None:
    emu.storage.claim("kb-claimed")
    client = s3(emu)
    with pytest.raises(ClientError) as taken:
        make_bucket(client, "kb-claimed")
    assert taken.value.response["Error"]["Code"] == "BucketAlreadyExists"
    with pytest.raises(ClientError) as denied:
        client.put_object(Bucket="kb-claimed", Key="a", Body=b"x")
    assert denied.value.response["Error"]["Code"] == "AccessDenied"


def test_two_emulators_keep_their_own_objects(emu: Emulator) -> None:
    make_bucket(s3(emu), "kb-mine")
    with Emulator() as other:
        client = s3(other)
        make_bucket(client, "kb-theirs")
        assert [b["Name"] for b in client.list_buckets()["Buckets"]] == ["kb-theirs"]
    assert [b["Name"] for b in s3(emu).list_buckets()["Buckets"]] == ["kb-mine"]


def test_the_emulator_key_is_the_access_key(emu: Emulator) -> None:
    emu.configure(api_key="right-key")
    with pytest.raises(ClientError) as info:
        s3(emu, key="wrong-key").list_buckets()
    assert info.value.response["Error"]["Code"] == "InvalidAccessKeyId"
    assert s3(emu, key="right-key").list_buckets()["Buckets"] == []


def test_faults_apply_to_storage_calls(emu: Emulator) -> None:
    client = s3(emu)
    make_bucket(client, "kb-fault")
    emu.fault(Fault(kind="status", status=503, times=1, route="/kb-fault/"))
    with pytest.raises(ClientError) as info:
        client.put_object(Bucket="kb-fault", Key="a", Body=b"x")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    client.put_object(Bucket="kb-fault", Key="a", Body=b"x")  # the fault was used up
    emu.fault(Fault(kind="drop", times=1, route="/kb-fault/b"))
    with pytest.raises(Exception, match=r"(?i)connection"):
        client.put_object(Bucket="kb-fault", Key="b", Body=b"y")
    assert [o["Key"] for o in client.list_objects_v2(Bucket="kb-fault")["Contents"]] == ["a"]


def test_latency_is_added_to_each_request(emu: Emulator) -> None:
    client = s3(emu)
    client.list_buckets()  # connect and warm up
    emu.storage.latency = 0.2
    start = time.perf_counter()
    client.list_buckets()
    assert time.perf_counter() - start >= 0.2
    emu.reset()
    assert emu.storage.latency == 0.0


def test_control_route_advertises_and_configures(emu: Emulator) -> None:
    with httpx.Client(base_url=emu.root, timeout=10) as http:
        assert http.get("/_emulator/storage").json()["storage_url"] == emu.storage_url
        answer = http.post("/_emulator/storage", json={"latency": 0.01}).json()
        assert answer["latency"] == 0.01
        assert http.post("/_emulator/storage", json={"latency": -1}).status_code == 400
    assert emu.storage.latency == 0.01


def test_journal_records_storage_calls_without_the_key(emu: Emulator) -> None:
    client = s3(emu, key="sk-secret-value")
    make_bucket(client, "kb-journal")
    client.put_object(Bucket="kb-journal", Key="a.txt", Body=b"x")
    entries = [(e.method, e.path, e.status) for e in emu.journal]
    assert ("PUT", "/kb-journal/a.txt", 200) in entries
    assert "sk-secret-value" not in repr(emu.journal)


def test_reset_clears_storage(emu: Emulator) -> None:
    client = s3(emu)
    make_bucket(client, "kb-reset")
    client.put_object(Bucket="kb-reset", Key="a.txt", Body=b"x")
    emu.reset()
    assert client.list_buckets()["Buckets"] == []
    make_bucket(client, "kb-reset")  # the name is free again


def test_cli_prints_the_storage_url() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "telnyx_inference.emulator", "--port", "0",
         "--storage-latency", "0.01"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        line = proc.stdout.readline().strip()
        assert base.endswith("/v2/ai/openai")
        assert line.startswith("storage (S3): http://127.0.0.1:")
        url = line.split(": ", 1)[1]
        client = boto3.session.Session().client(
            "s3", endpoint_url=url, region_name="us-central-1",
            aws_access_key_id="k", aws_secret_access_key="k",
            config=Config(s3={"addressing_style": "path"}),
        )
        assert client.list_buckets()["Buckets"] == []
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_seeded_buckets_are_objects_too(emu: Emulator) -> None:
    emu.seed_bucket("kb-seeded", texts={"a.txt": "alpha"})  # before storage starts
    client = s3(emu)
    assert client.get_object(Bucket="kb-seeded", Key="a.txt")["Body"].read() == b"alpha"
    emu.seed_bucket("kb-seeded", texts={"b.txt": "bravo"})  # after
    keys = [o["Key"] for o in client.list_objects_v2(Bucket="kb-seeded")["Contents"]]
    assert keys == ["a.txt", "b.txt"]


def test_seeding_a_name_s3_refuses_still_seeds_the_embeddings(emu: Emulator) -> None:
    emu.storage.start()
    emu.seed_bucket("kb", texts={"a.txt": "alpha"})  # too short for S3: embeddings only
    assert [f.filename for f in buckets(emu).files("kb")] == ["a.txt"]
    assert s3(emu).list_buckets()["Buckets"] == []


def test_reset_returns_storage_to_the_baseline_buckets() -> None:
    with Emulator() as own:  # its own: a baseline set on the shared one would outlive this test
        own.seed_bucket("kb-base", texts={"a.txt": "alpha"})
        own.set_baseline()
        client = s3(own)
        client.put_object(Bucket="kb-base", Key="b.txt", Body=b"bravo")
        client.delete_object(Bucket="kb-base", Key="a.txt")
        own.reset()
        keys = [o["Key"] for o in client.list_objects_v2(Bucket="kb-base")["Contents"]]
        assert keys == ["a.txt"]
        assert client.get_object(Bucket="kb-base", Key="a.txt")["Body"].read() == b"alpha"
