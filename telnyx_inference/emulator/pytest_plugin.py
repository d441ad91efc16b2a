"""pytest plugin (registered as ``pytest11``): the ``telnyx_emulator`` and ``telnyx_env``
fixtures.

One emulator serves the whole session; each test gets it freshly reset::

    def test_hello(telnyx_emulator):
        client = openai.OpenAI(base_url=telnyx_emulator.base_url, api_key="test")
        ...

    def test_my_app(telnyx_env):        # TELNYX_API_KEY / TELNYX_API_BASE point at it
        assert my_app.answer("hi")      # code that reads the environment, unchanged

Mark a test ``@pytest.mark.telnyx_adversarial`` to get edge-case values (Hypothesis) instead
of values taken from the conversation, for robustness tests.

Only the standard library and pytest are imported at load time: the plugin is registered
wherever the package is installed, including installs without the ``emulator`` extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from telnyx_inference.emulator.replay import pytest_cassettes

EMULATOR_KEY = "emulator-test-key"
"""The key ``telnyx_env`` exports when the emulator accepts any key."""

if TYPE_CHECKING:
    from telnyx_inference.emulator.serving.server import Emulator


def pytest_addoption(parser: pytest.Parser) -> None:
    pytest_cassettes.add_options(parser)


@pytest.fixture(scope="session")
def telnyx_emulator_session() -> Iterator[Emulator]:
    """The session's emulator, not reset between tests (prefer ``telnyx_emulator``)."""
    from telnyx_inference.emulator.serving.server import Emulator

    with Emulator() as emu:
        yield emu


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "telnyx_adversarial: the telnyx_emulator fixture fills values with edge cases"
    )
    pytest_cassettes.register_marker(config)


@pytest.fixture
def telnyx_emulator(
    telnyx_emulator_session: Emulator, request: pytest.FixtureRequest
) -> Iterator[Emulator]:
    """A running emulator with fresh state: no scripts, faults, journal or buckets.

    With ``@pytest.mark.telnyx_cassette`` it answers from the test's cassette
    (see :mod:`.replay.pytest_cassettes`)."""
    telnyx_emulator_session.reset()
    if request.node.get_closest_marker("telnyx_adversarial") is not None:
        telnyx_emulator_session.configure(adversarial=True)
    with pytest_cassettes.marked_cassette(request, telnyx_emulator_session):
        yield telnyx_emulator_session
    telnyx_emulator_session.reset()


@pytest.fixture
def telnyx_env(telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """``telnyx_emulator``, with ``TELNYX_API_KEY`` and ``TELNYX_API_BASE`` set to reach it
    (restored after the test), for code that reads its configuration from the environment."""
    monkeypatch.setenv("TELNYX_API_KEY", telnyx_emulator.api_key or EMULATOR_KEY)
    monkeypatch.setenv("TELNYX_API_BASE", telnyx_emulator.base_url)
    return telnyx_emulator
