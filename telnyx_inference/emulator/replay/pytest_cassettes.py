"""The ``telnyx_cassette`` marker: a test's Telnyx answers recorded once, replayed after.

    @pytest.mark.telnyx_cassette                 # cassette named after the test
    def test_answer(telnyx_emulator): ...

    @pytest.mark.telnyx_cassette("shared/greeting", strict=False)
    def test_other(telnyx_emulator): ...

The cassette is the folder ``cassettes/<test module>/<test name>`` next to the test file
(``--telnyx-cassette-dir`` moves the root); see :func:`default_name`. ``--telnyx-record`` says what happens:

* ``none`` (default): replay only. A request with no recording fails with an error naming the
  closest recording (``strict=False`` lets the emulator's model answer it instead).
* ``new``: replay what is recorded, record what is missing.
* ``all``: forget the cassette and record every request again.

Recording sends requests to ``--telnyx-upstream`` (default ``https://api.telnyx.com``) with
the client's own key; the key never reaches the cassette.

Only the standard library and pytest are imported at load time (see :mod:`telnyx_inference.emulator.pytest_plugin`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from telnyx_inference.emulator.serving.server import Emulator

MARKER = "telnyx_cassette"
RECORD_MODES = ("none", "new", "all")
CASSETTE_FOLDER = "cassettes"
RECORD_HINT = (
    "To record it, run pytest with --telnyx-record=new and a real key in the test's client "
    "(what is missing goes to --telnyx-upstream, now {upstream})."
)


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("telnyx", "Telnyx emulator cassettes")
    group.addoption(
        "--telnyx-record",
        choices=RECORD_MODES,
        default="none",
        help="none: replay only (default); new: record what is missing; all: re-record",
    )
    group.addoption(
        "--telnyx-upstream",
        default=None,
        metavar="URL",
        help="where recording sends requests (default https://api.telnyx.com)",
    )
    group.addoption(
        "--telnyx-cassette-dir",
        default=None,
        metavar="DIR",
        help="root of the cassettes (default: 'cassettes' next to each test file)",
    )


def register_marker(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(name=None, *, strict=True, ignore_fields=None, upstream=None): answer the "
        "telnyx_emulator fixture's requests from a recorded cassette (see --telnyx-record)",
    )


def default_name(item: pytest.Item) -> str:
    """``<module>/<test>``, with the class between for a method (``test_chat/TestX/test_y``);
    each part readable and unique (a parametrised id that had to be changed to be safe in
    a file name ends in a short hash of itself: ``test_sum-What-is-2-2-5b1a9e02``)."""
    from telnyx_inference.emulator.replay.cassettes import unique_slug

    chain = item.listchain()
    modules = [i for i, node in enumerate(chain) if isinstance(node, pytest.Module)]
    inner = [node.name for node in chain[modules[-1] + 1 :]] if modules else [item.name]
    module = Path(str(item.path)).stem
    return "/".join(unique_slug(part) for part in (module, *inner))


@contextmanager
def marked_cassette(request: pytest.FixtureRequest, emu: Emulator) -> Iterator[None]:
    """Record / replay through the test's cassette, if the test carries the marker."""
    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        yield
        return
    from telnyx_inference.emulator.replay.cassettes import cassette_path
    from telnyx_inference.emulator.replay.matching import DEFAULT_IGNORED_FIELDS
    from telnyx_inference.emulator.replay.tape import DEFAULT_UPSTREAM, Tape, erase_cassette

    config = request.config
    name = marker.args[0] if marker.args else marker.kwargs.get("name")
    root = config.getoption("telnyx_cassette_dir") or Path(str(request.node.path)).parent / (
        CASSETTE_FOLDER
    )
    folder = cassette_path(root, name or default_name(request.node))
    mode = config.getoption("telnyx_record")
    if mode == "all":
        erase_cassette(folder)
    upstream = (
        marker.kwargs.get("upstream") or config.getoption("telnyx_upstream") or DEFAULT_UPSTREAM
    )
    tape = Tape(
        replay=None if mode == "all" else folder,
        record=None if mode == "none" else folder,
        upstream=upstream,
        strict=bool(marker.kwargs.get("strict", True)),
        ignore=marker.kwargs.get("ignore_fields") or DEFAULT_IGNORED_FIELDS,
        hint=RECORD_HINT.format(upstream=upstream),
    )
    with emu.cassette(tape):
        yield
