"""The official ``langchain-telnyx`` in a virtualenv of its own.

It cannot share ours: it pins ``openai<2`` (we run on 2.x/3.x) and its import name,
``langchain_telnyx``, is ours too. So the first full run creates
``benchmarks/.venv-official`` (ignored by git) with pip from PyPI — the only network the
benchmarks use — and later runs reuse it. Its worker is measured the same way as the others,
interleaved with them.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

from benchmarks.runner import HERE, plain_env

__all__ = ["OFFICIAL_REQUIREMENT", "official_python", "openai2_python", "openai_pythons"]

OFFICIAL_REQUIREMENT = "langchain-telnyx==1.0.0"
VENV_DIR = HERE / ".venv-official"
_STAMP = VENV_DIR / "installed.txt"


def _python() -> Path:
    scripts = "Scripts" if sys.platform == "win32" else "bin"
    return VENV_DIR / scripts / ("python.exe" if sys.platform == "win32" else "python")


def official_python(create: bool) -> tuple[str | None, str]:
    """The interpreter that has the official package, and a note on how it was obtained.

    ``create=False`` only reuses an existing virtualenv (the smoke run never installs).
    """
    if _STAMP.exists() and _STAMP.read_text().startswith(OFFICIAL_REQUIREMENT):
        return str(_python()), f"reused {VENV_DIR.name}"
    if not create:
        return None, f"{VENV_DIR.name} not created (the full run creates it)"
    print(
        f"creating {VENV_DIR.relative_to(HERE.parent)} with {OFFICIAL_REQUIREMENT} ...", flush=True
    )
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV_DIR)
    install = [
        str(_python()),
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        OFFICIAL_REQUIREMENT,
    ]
    done = subprocess.run(install, env=plain_env(), capture_output=True, text=True)
    if done.returncode != 0:
        return None, f"pip install {OFFICIAL_REQUIREMENT} failed: {done.stderr.strip()[-300:]}"
    _STAMP.write_text(f"{OFFICIAL_REQUIREMENT}\n")
    return str(_python()), f"created {VENV_DIR.name}"


OPENAI2_DIR = HERE.parent / ".venv-openai2"
"""openai 2.x (on httpx), as CI builds it: ``python3 -m venv .venv-openai2 &&
.venv-openai2/bin/pip install -e ".[dev]" "openai>=2,<3"``. Never created here."""


def _venv_python(directory: Path) -> Path:
    scripts = "Scripts" if sys.platform == "win32" else "bin"
    return directory / scripts / ("python.exe" if sys.platform == "win32" else "python")


def openai2_python() -> str | None:
    """The interpreter of the openai 2.x virtualenv, when it has been made."""
    python = _venv_python(OPENAI2_DIR)
    return str(python) if python.exists() else None


def _openai_major(python: str) -> str | None:
    probe = "import openai; print(openai.__version__.split('.')[0])"
    done = subprocess.run([python, "-c", probe], env=plain_env(), capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def openai_pythons() -> list[tuple[str, str]]:
    """(openai major, interpreter): this one first, then the README's ``.venv`` and
    ``.venv-openai2``, keeping the first interpreter of each major. The bench virtualenv
    carries openai 2.x (its peers pin it), so the ``.venv`` then supplies 3.x."""
    candidates = [sys.executable]
    candidates += [str(p) for p in (_venv_python(HERE.parent / ".venv"), _venv_python(OPENAI2_DIR))]
    found: dict[str, str] = {}
    for python in candidates:
        if Path(python).exists():
            major = _openai_major(python)
            if major is not None and major not in found:
                found[major] = python
    return sorted(found.items(), reverse=True)  # the newest major first
