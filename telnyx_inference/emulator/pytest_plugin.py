"""pytest plugin (registered as ``pytest11``): the ``telnyx_emulator`` fixture.

One emulator serves the whole session; each test gets it freshly reset::

    def test_hello(telnyx_emulator):
        client = openai.OpenAI(base_url=telnyx_emulator.base_url, api_key="test")
        ...

Only the standard library and pytest are imported at load time: the plugin is registered
wherever the package is installed, including installs without the ``emulator`` extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from telnyx_inference.emulator import pytest_cassettes

if TYPE_CHECKING:
    from telnyx_inference.emulator.server import Emulator


def pytest_addoption(parser: pytest.Parser) -> None:
    pytest_cassettes.add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    pytest_cassettes.register_marker(config)


@pytest.fixture(scope="session")
def telnyx_emulator_session() -> Iterator[Emulator]:
    """The session's emulator, not reset between tests (prefer ``telnyx_emulator``)."""
    from telnyx_inference.emulator.server import Emulator

    with Emulator() as emu:
        yield emu


@pytest.fixture
def telnyx_emulator(
    telnyx_emulator_session: Emulator, request: pytest.FixtureRequest
) -> Iterator[Emulator]:
    """A running emulator with fresh state: no scripts, faults, journal or buckets.

    With ``@pytest.mark.telnyx_cassette`` it answers from the test's cassette
    (see :mod:`.pytest_cassettes`)."""
    telnyx_emulator_session.reset()
    with pytest_cassettes.marked_cassette(request, telnyx_emulator_session):
        yield telnyx_emulator_session
    telnyx_emulator_session.reset()
