"""No "Unclosed client session" / "Unclosed connector" at exit, whichever way a program ends.

aiohttp reports a session that is collected while open (plain httpx says nothing), so each
way a script, a test run or a notebook kernel can leave its event loop is run in a fresh
interpreter on the aiohttp transport, and its stderr must not mention an unclosed session.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from telnyx_inference.emulator import Emulator
from telnyx_inference.transport.aio import aiohttp_installed

pytestmark = [
    pytest.mark.timeout(120),
    pytest.mark.skipif(not aiohttp_installed(), reason="the aiohttp extra is not installed"),
]

_SETUP = """
import asyncio, gc, sys
from langchain_telnyx import ChatTelnyx
from llama_index.core.llms import ChatMessage
from llama_index_telnyx import Telnyx

URL = sys.argv[1]
chat = ChatTelnyx(base_url=URL, api_key="k", async_transport="aiohttp")
llm = Telnyx(base_url=URL, api_key="k", async_transport="aiohttp")

async def calls() -> None:
    await chat.ainvoke("hi")
    async for _ in chat.astream("hi"):
        pass
    await llm.achat([ChatMessage(role="user", content="hi")])
"""

ENDINGS = {
    "asyncio_run": "asyncio.run(calls())",
    "loop_left_open": "loop = asyncio.new_event_loop()\nloop.run_until_complete(calls())",
    "loop_closed_by_hand_then_another": (
        "loop = asyncio.new_event_loop()\n"
        "loop.run_until_complete(calls())\n"
        "loop.close()\n"
        "asyncio.run(calls())\n"
        "gc.collect()"
    ),
    "runner": "with asyncio.Runner() as runner:\n    runner.run(calls())",
}


def _assert_quiet(stderr: str) -> None:
    assert "Unclosed client session" not in stderr, stderr
    assert "Unclosed connector" not in stderr, stderr


@pytest.mark.parametrize("ending", sorted(ENDINGS))
def test_script_exits_quietly(ending: str, telnyx_emulator: Emulator) -> None:
    script = _SETUP + ENDINGS[ending] + "\nprint('done')\n"
    done = subprocess.run(
        [sys.executable, "-c", script, telnyx_emulator.base_url],
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("done")
    _assert_quiet(done.stderr)


def test_pytest_run_exits_quietly(telnyx_emulator: Emulator, tmp_path: Path) -> None:
    test_file = tmp_path / "test_calls.py"
    test_file.write_text(
        _SETUP.replace("URL = sys.argv[1]", f"URL = {telnyx_emulator.base_url!r}")
        + textwrap.dedent(
            """
            async def test_one() -> None:
                await calls()

            async def test_two() -> None:
                await calls()
            """
        )
    )
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "asyncio_mode=auto",
            str(test_file),
        ],
        capture_output=True,
        text=True,
        timeout=90,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    _assert_quiet(done.stdout + done.stderr)


_KERNEL = """
import sys, tempfile
from jupyter_client.manager import KernelManager

err = tempfile.TemporaryFile()
km = KernelManager(kernel_name="python3")
km.start_kernel(stderr=err, extra_arguments=["--HistoryManager.enabled=False"])
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=60)
setup = {setup!r}.replace("URL = sys.argv[1]", "URL = " + repr(sys.argv[1]))
reply = kc.execute_interactive(setup + "\\nawait calls()\\nawait calls()", timeout=60)
print("cell", reply["content"]["status"])
kc.stop_channels()
km.shutdown_kernel(now=False)
err.seek(0)
sys.stderr.write(err.read().decode())
"""


def test_jupyter_kernel_exits_quietly(telnyx_emulator: Emulator) -> None:
    pytest.importorskip("jupyter_client")
    done = subprocess.run(
        [sys.executable, "-c", _KERNEL.format(setup=_SETUP), telnyx_emulator.base_url],
        capture_output=True,
        text=True,
        timeout=110,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "cell ok" in done.stdout, done.stdout + done.stderr
    _assert_quiet(done.stderr)
