"""The official ``langchain-telnyx`` installs the same import package: mixing is detected at
import with the fix spelled out, and the check costs two directory listings."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import langchain_telnyx

OFFICIAL_FILES = ["__init__.py", "chat_models/__init__.py", "embeddings/__init__.py"]


def _site(tmp_path: Path, *, official_files: bool, official_metadata: bool) -> Path:
    """A site directory holding our langchain_telnyx, and maybe the official one's traces."""
    site = tmp_path / "site"
    ours = Path(langchain_telnyx.__file__).parent
    shutil.copytree(ours, site / "langchain_telnyx", ignore=shutil.ignore_patterns("__pycache__"))
    if official_files:
        for name in OFFICIAL_FILES[1:]:
            path = site / "langchain_telnyx" / name
            path.parent.mkdir()
            path.write_text("raise RuntimeError('the official package was imported')\n")
    if official_metadata:
        info = site / "langchain_telnyx-0.1.0.dist-info"
        info.mkdir()
        info.joinpath("METADATA").write_text(
            "Metadata-Version: 2.1\nName: langchain-telnyx\nVersion: 0.1.0\n"
        )
        info.joinpath("RECORD").write_text(
            "".join(f"langchain_telnyx/{name},,\n" for name in OFFICIAL_FILES)
        )
    return site


def _import(site: Path) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import langchain_telnyx; "
        "print(langchain_telnyx.__file__)"
    )
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", code, str(site)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_mixed_files_fail_at_import_with_the_fix(tmp_path: Path) -> None:
    done = _import(_site(tmp_path, official_files=True, official_metadata=True))
    assert done.returncode != 0
    assert "ImportError" in done.stderr
    assert "pip uninstall langchain-telnyx" in done.stderr
    assert "chat_models/" in done.stderr


def test_another_distribution_claiming_the_name_is_warned_about(tmp_path: Path) -> None:
    done = _import(_site(tmp_path, official_files=False, official_metadata=True))
    assert done.returncode == 0, done.stderr
    assert "ForeignPackageWarning" in done.stderr
    assert "pip uninstall langchain-telnyx" in done.stderr
    assert "<string>:1: ForeignPackageWarning" in done.stderr  # at the user's import line
    assert "ResourceWarning" not in done.stderr


def test_a_clean_install_says_nothing(tmp_path: Path) -> None:
    site = _site(tmp_path, official_files=False, official_metadata=False)
    done = _import(site)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(site / "langchain_telnyx" / "__init__.py")
    assert "Warning" not in done.stderr


def test_the_check_on_a_clean_install_does_not_read_distribution_metadata(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from telnyx_inference import _coexist

    def forbidden(package: str) -> list[str]:
        raise AssertionError("the slow path ran for a clean install")

    monkeypatch.setattr(_coexist, "_owners", forbidden)
    _coexist.check_package_owner("langchain_telnyx", langchain_telnyx.__file__)
