"""The pure parts of record/replay: format, scrubbing, framing, paths, matching."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from telnyx_inference.emulator.replay.cassettes import (
    REDACTED,
    CassettePathError,
    Frame,
    FrameSplitter,
    Interaction,
    Stream,
    cassette_path,
    scrub_interaction,
    scrub_json,
    scrub_pieces,
    scrub_stream,
)
from telnyx_inference.emulator.replay.matching import Library, body_differences, canonical
from telnyx_inference.emulator.replay.tape import CassetteFileError, load_cassette

KEY = "sk-live-abc123"


def test_scrub_json_hides_secret_fields_and_the_key_anywhere() -> None:
    body = {
        "api_key_ref": "vault-name",
        "messages": [{"role": "user", "content": f"key={KEY}!"}],
        "nested": {"Authorization": "Bearer x", "n": 3, "none": None},
    }
    assert scrub_json(body, [KEY]) == {
        "api_key_ref": REDACTED,
        "messages": [{"role": "user", "content": f"key={REDACTED}!"}],
        "nested": {"Authorization": REDACTED, "n": 3, "none": None},
    }


def test_scrub_interaction_covers_headers_bodies_frames_and_tail() -> None:
    item = Interaction(
        "POST", "/v2/ai/openai/chat/completions", request_headers={"authorization": KEY},
        body={"q": KEY}, headers={"x-request-id": KEY}, content=json.dumps({"echo": KEY}).encode(),
        stream=Stream([Frame(0.1, 'data: {"c":"' + KEY + '"}'), Frame(0.2, f": {KEY}")],
                      tail=KEY, cut=True),
    )
    clean = scrub_interaction(item, [KEY])
    text = json.dumps(clean.to_dict())
    assert KEY not in text
    assert text.count(REDACTED) == 6
    assert clean.content == json.dumps({"echo": REDACTED}).encode()


def test_a_key_split_across_pieces_is_hidden_as_one() -> None:
    assert scrub_pieces(["x sk-live", "-abc", "123 y"], [KEY]) == [f"x {REDACTED}", "", " y"]
    assert scrub_pieces(["no", "key"], [KEY]) == ["no", "key"]


def test_a_key_split_across_frames_is_hidden_wherever_it_was_streamed() -> None:
    def call(args: str) -> Frame:
        delta = {"tool_calls": [{"index": 0, "function": {"arguments": args}}]}
        return Frame(0.0, "data: " + json.dumps({"choices": [{"delta": delta}]}))

    stream = Stream(
        [call('{"k": "sk-li'), call('ve-abc'), call('123"}'), Frame(0.1, "event: sk-live-a")],
        tail="bc123",
    )
    clean = scrub_stream(stream, [KEY])
    text = json.dumps(Stream.to_dict(clean))
    assert "sk-li" not in text
    assert "bc123" not in text
    args = "".join(
        json.loads(f.text[6:])["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"]
        for f in clean.frames[:3]
    )
    assert args == f'{{"k": "{REDACTED}"}}'
    assert (clean.frames[3].text, clean.tail) == (f"event: {REDACTED}", "")


def test_frame_splitter_handles_pieces_crlf_and_a_tail() -> None:
    s = FrameSplitter()
    assert s.feed(b"data: 1\n") == []
    assert s.feed(b"\ndata: 2\n\nda") == ["data: 1", "data: 2"]
    assert s.tail == "da"
    assert s.separator == "\n\n"
    crlf = FrameSplitter()
    assert crlf.feed(b"data: a\r\n\r\ndata: b\r\n\r\n") == ["data: a", "data: b"]
    assert crlf.separator == "\r\n\r\n"


@pytest.mark.parametrize(
    "text",
    ['data: {"a":1,"b":"é"}', 'data: {"a": 1, "b": "\\u00e9"}', "data: [DONE]", ": keep-alive",
     "event: x\ndata: {}", 'data: {"broken'],
)
def test_frames_round_trip_byte_for_byte(text: str) -> None:
    as_dict = Frame(0.5, text).to_dict()
    assert Frame.from_dict(json.loads(json.dumps(as_dict))).text == text
    assert ("data" in as_dict) == text.startswith('data: {"a"')


@pytest.mark.parametrize("content", [b'{"x":1}', b'{"x": [1, 2]}', b"plain text", b""])
def test_plain_answers_round_trip_byte_for_byte(content: bytes) -> None:
    item = Interaction("GET", "/v2/ai/models", content=content)
    back = Interaction.from_dict(json.loads(json.dumps(item.to_dict())))
    assert back.content == content
    assert back.stream is None


def test_cassette_paths_never_leave_the_folder(tmp_path: Path) -> None:
    assert cassette_path(tmp_path, "mod/test_a") == (tmp_path / "mod" / "test_a").resolve()
    for bad in ("../x", "/etc", "a/../../b", "a//b", "C:evil", "."):
        with pytest.raises(CassettePathError):
            cassette_path(tmp_path, bad)
    (tmp_path / "link").symlink_to(tmp_path.parent)
    with pytest.raises(CassettePathError, match="leaves"):
        cassette_path(tmp_path, "link/elsewhere")


def _item(body: object, path: str = "/chat", query: str = "", name: str = "") -> Interaction:
    return Interaction("POST", path, query=query, body=body, name=name)


def test_matching_ignores_key_order_and_listed_fields() -> None:
    assert canonical({"a": 1, "b": [1, {"y": 2, "x": 1}]}) == canonical(
        {"b": [1, {"x": 1, "y": 2}], "a": 1})
    lib = Library([_item({"m": [{"name": "n1", "c": 1}], "user": "u", "q": 1}, query="b=2&a=1")],
                  ignored=["user", "m.*.name"])
    got = lib.take("POST", "/chat", "a=1&b=2", {"q": 1, "m": [{"c": 1, "name": "other"}]})
    assert isinstance(got, Interaction)


def test_a_miss_names_the_closest_recording_with_the_differences() -> None:
    lib = Library([
        _item({"model": "a", "messages": ["hi"]}, path="/other", name="0001.json"),
        _item({"model": "a", "messages": ["hi"], "t": 1}, name="0002.json"),
        _item({"model": "b", "messages": ["yo", "x"]}, name="0003.json"),
    ])
    miss = lib.take("POST", "/chat", "", {"model": "a", "messages": ["hi"], "t": 2})
    assert not isinstance(miss, Interaction)
    assert miss.closest is not None
    assert miss.closest.name == "0002.json"
    assert miss.differences == ["t: recorded 1, now 2"]
    assert "0002.json" in miss.describe()


def test_body_differences_list_every_change() -> None:
    assert body_differences({"a": [1, 2], "b": 1}, {"a": [1], "c": "x"}) == [
        "a[1]: recorded 2, missing now", "b: recorded 1, missing now", 'c: not recorded, now "x"'
    ]


@pytest.mark.parametrize(
    "content", ["{not json", '{"version": 1}', '{"version": 99, "request": {}, "response": {}}']
)
def test_an_unreadable_cassette_file_is_named(tmp_path: Path, content: str) -> None:
    (tmp_path / "0001-post-x.json").write_text(content)
    (tmp_path / "notes.txt").write_text("ignored")
    with pytest.raises(CassetteFileError, match=r"0001-post-x\.json"):
        load_cassette(tmp_path)
