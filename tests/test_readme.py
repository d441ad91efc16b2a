"""Every Python block of the README runs, in order, against the emulator."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from telnyx_inference.emulator import Emulator

README = Path(__file__).resolve().parent.parent / "README.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.DOTALL | re.MULTILINE)
HANDBOOK = {
    "vacation.txt": "Employees get 25 vacation days a year. Unused days carry over once.",
    "expenses.txt": "Submit expenses within 30 days with receipts attached.",
}
KEY = "readme-test-key-5d1c"


def blocks() -> list[tuple[str, str]]:
    return [(lang, body) for lang, body in FENCE.findall(README.read_text())]


def test_every_block_is_python_or_a_shell_command() -> None:
    langs = {lang for lang, _ in blocks()}
    assert langs <= {"python", "bash"}, langs


def test_python_blocks_run(tmp_path: Path) -> None:
    python = [body for lang, body in blocks() if lang == "python"]
    assert len(python) >= 8
    script = tmp_path / "readme_blocks.py"
    script.write_text(
        "".join(f"# --- README python block {n} ---\n{body}\n" for n, body in enumerate(python, 1))
    )
    with Emulator() as emu:
        emu.seed_bucket("handbook", texts=HANDBOOK)
        env = {
            **os.environ,
            "TELNYX_API_KEY": KEY,
            "TELNYX_API_BASE": emu.base_url,
            "HF_HUB_OFFLINE": "1",
        }
        env.pop("OPENAI_API_KEY", None)
        done = subprocess.run(
            [sys.executable, str(script)],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
        )
    lines = script.read_text().splitlines()
    if done.returncode != 0:
        failing = [int(m) for m in re.findall(r'readme_blocks.py", line (\d+)', done.stderr)]
        block = next(
            (line for line in reversed(lines[: failing[-1]]) if line.startswith("# --- README")),
            "unknown block",
        ) if failing else "unknown block"
        raise AssertionError(f"{block} failed:\n{done.stderr[-3000:]}")
    assert KEY not in done.stdout + done.stderr
