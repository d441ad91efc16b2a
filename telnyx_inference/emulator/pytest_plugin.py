"""pytest plugin (registered as ``pytest11``): the ``telnyx_emulator`` and ``telnyx_env``
fixtures.

One emulator serves the whole session; each test gets it freshly reset::

    def test_hello(telnyx_emulator):
        client = openai.OpenAI(base_url=telnyx_emulator.base_url, api_key="test")
        ...

    def test_my_app(telnyx_env):        # TELNYX_API_KEY / TELNYX_API_BASE point at it
        assert my_app.answer("hi")      # code that reads the environment, unchanged

Mark a test ``@pytest.mark.telnyx_adversarial`` to get edge-case values (Hypothesis) instead
of values taken from the conversation, for robustness tests. Mark it
``@pytest.mark.telnyx_responder(fn=answer)`` to let your function answer its chat requests
(or call ``telnyx_emulator.respond_with(answer)`` in the test); whatever a responder raises
fails the test at teardown with the function's own traceback, unless the test took it with
``telnyx_emulator.take_responder_errors()``.

Only the standard library and pytest are imported at load time: the plugin is registered
wherever the package is installed, including installs without the ``emulator`` extra.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from telnyx_inference.emulator.replay import pytest_cassettes

SETTLE_SECONDS = 10.0
"""How long a test waits for an earlier one's requests to be done with (a hang guard: a
request still going after that is left to itself)."""
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
    config.addinivalue_line(
        "markers",
        "telnyx_responder(fn=answer): answer(request) answers the telnyx_emulator fixture's "
        "chat requests",
    )
    pytest_cassettes.register_marker(config)


@pytest.fixture
def telnyx_emulator(
    telnyx_emulator_session: Emulator, request: pytest.FixtureRequest
) -> Iterator[Emulator]:
    """A running emulator with fresh state: no scripts, faults, journal or buckets, no request
    of an earlier test still to come in (see :meth:`~.Emulator.settle`), and no catalog of it
    remembered by this process's clients (an earlier test's read would hide the models this
    test adds, depending on test order).

    With ``@pytest.mark.telnyx_cassette`` it answers from the test's cassette
    (see :mod:`.replay.pytest_cassettes`)."""
    from telnyx_inference.chat.catalog import forget

    emu = telnyx_emulator_session
    emu.settle(SETTLE_SECONDS)
    emu.reset()
    forget(emu.root + "/")
    if request.node.get_closest_marker("telnyx_adversarial") is not None:
        emu.configure(adversarial=True)
    if (marker := request.node.get_closest_marker("telnyx_responder")) is not None:
        emu.respond_with(_marked_responder(marker))
    with pytest_cassettes.marked_cassette(request, emu):
        yield emu
    left = emu.take_responder_errors()
    emu.reset()
    if left:
        first = left[0]
        if len(left) > 1:
            first.add_note(f"({len(left) - 1} more responder errors in this test)")
        raise first


def _marked_responder(marker: pytest.Mark) -> Callable[..., Any]:
    # ``fn=`` because pytest takes a lone function argument for the function being marked.
    given = [*marker.args, *marker.kwargs.values()]
    if len(given) != 1 or set(marker.kwargs) - {"fn"} or not callable(given[0]):
        raise pytest.UsageError(
            "@pytest.mark.telnyx_responder takes one function: telnyx_responder(fn=answer); "
            f"got args={marker.args!r:.80} kwargs={marker.kwargs!r:.80}"
        )
    responder: Callable[..., Any] = given[0]
    return responder


@pytest.fixture
def telnyx_env(telnyx_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """``telnyx_emulator``, with ``TELNYX_API_KEY`` and ``TELNYX_API_BASE`` set to reach it
    (restored after the test), for code that reads its configuration from the environment."""
    monkeypatch.setenv("TELNYX_API_KEY", telnyx_emulator.api_key or EMULATOR_KEY)
    monkeypatch.setenv("TELNYX_API_BASE", telnyx_emulator.base_url)
    return telnyx_emulator
