"""pytest plugin (registered as ``pytest11``): the ``telnyx_emulator`` fixture.

One emulator serves the whole session; each test gets it freshly reset::

    def test_hello(telnyx_emulator):
        client = openai.OpenAI(base_url=telnyx_emulator.base_url, api_key="test")
        ...

Mark a test ``@pytest.mark.telnyx_adversarial`` to get edge-case values (Hypothesis) instead
of values taken from the conversation, for robustness tests.

Only the standard library and pytest are imported at load time: the plugin is registered
wherever the package is installed, including installs without the ``emulator`` extra.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from telnyx_inference.emulator.server import Emulator


@pytest.fixture(scope="session")
def telnyx_emulator_session() -> Iterator[Emulator]:
    """The session's emulator, not reset between tests (prefer ``telnyx_emulator``)."""
    from telnyx_inference.emulator.server import Emulator

    with Emulator() as emu:
        yield emu


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "telnyx_adversarial: the telnyx_emulator fixture fills values with edge cases"
    )


@pytest.fixture
def telnyx_emulator(
    telnyx_emulator_session: Emulator, request: pytest.FixtureRequest
) -> Iterator[Emulator]:
    """A running emulator with fresh state: no scripts, faults, journal or buckets."""
    telnyx_emulator_session.reset()
    if request.node.get_closest_marker("telnyx_adversarial") is not None:
        telnyx_emulator_session.configure(adversarial=True)
    yield telnyx_emulator_session
    telnyx_emulator_session.reset()
