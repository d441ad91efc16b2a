"""Record/replay where trust is decided: what a cassette keeps of a key, and what matching
does to the request it is given."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from telnyx_inference.emulator import Emulator

from ._replay_support import CANARY, PLAIN, recorded


def _ask(base_url: str, key: str, text: str) -> str | None:
    with openai.OpenAI(base_url=base_url, api_key=key, max_retries=0) as client:
        answer = client.chat.completions.create(
            model=PLAIN, messages=[{"role": "user", "content": text}]
        )
        return answer.choices[0].message.content


def test_a_short_replay_key_does_not_rewrite_the_prompt_being_matched(tmp_path: Path) -> None:
    prompts = ["Write a test plan", "Pack a kayak kit"]
    with recorded(tmp_path) as (rec, _):
        first = [_ask(rec.base_url, CANARY, text) for text in prompts]
    # CI replays with dummy keys: "test" and "k" occur in the prompts themselves.
    for key in ("test", "k"):
        with Emulator(replay=tmp_path, replay_strict=True) as player:
            assert [_ask(player.base_url, key, text) for text in prompts] == first


def test_a_short_recording_key_is_not_scrubbed_out_of_the_cassette(tmp_path: Path) -> None:
    with recorded(tmp_path) as (rec, _):
        _ask(rec.base_url, "test", "Write a test plan")
    (written,) = tmp_path.iterdir()
    assert "Write a test plan" in written.read_text()
    with Emulator(replay=tmp_path, replay_strict=True) as player:
        assert _ask(player.base_url, "another", "Write a test plan")


def test_replay_of_a_missing_folder_is_refused_at_construction(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nope does not exist"):
        Emulator(replay=tmp_path / "nope")
    Emulator(replay=tmp_path / "nope", record=tmp_path / "nope")  # records what is missing


def test_strict_still_means_strict_replay_with_a_deprecation(tmp_path: Path) -> None:
    with pytest.warns(DeprecationWarning, match="replay_strict=True") as caught:
        player = Emulator(replay=tmp_path, strict=True)
    assert caught[0].filename == __file__  # the user's line
    with player, pytest.raises(openai.BadRequestError) as info:
        _ask(player.base_url, "k", "never recorded")
    assert "give the same folder to record= and replay=" in str(info.value.body)
    with Emulator(replay=tmp_path, replay_strict=True) as player, pytest.raises(
        openai.BadRequestError
    ):
        _ask(player.base_url, "k", "never recorded")
    with Emulator(replay=tmp_path) as player:  # not strict: the model answers
        assert _ask(player.base_url, "k", "never recorded")
