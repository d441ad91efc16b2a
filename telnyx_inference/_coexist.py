"""Living next to other distributions that install the same import package.

Telnyx's official ``langchain-telnyx`` distribution installs ``langchain_telnyx/`` too, with
``chat_models/`` and ``embeddings/`` as sub-packages. Installed beside this distribution the
two sets of files mix silently, and Python prefers a sub-package directory over a module of
the same name, so ``langchain_telnyx.chat_models`` quietly becomes the other package's.

:func:`check_package_owner` runs when an integration package is imported. Its usual cost is
two directory listings (the package's own directory and the one it was installed into); only
when something foreign shows up does it ask :mod:`importlib.metadata` who installed it.
"""

from __future__ import annotations

import os
from pathlib import Path

from telnyx_inference._warnings import warn_at_user

__all__ = ["ForeignPackageWarning", "check_package_owner"]

OWN_DISTRIBUTION = "telnyx-inference"


class ForeignPackageWarning(UserWarning):
    """Another installed distribution claims this package's import name."""


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _foreign_subpackages(package_dir: Path) -> list[str]:
    """Sub-packages inside ``package_dir``: this distribution's packages have none."""
    try:
        entries = list(os.scandir(package_dir))
    except OSError:
        return []
    return sorted(
        e.name
        for e in entries
        if e.is_dir() and e.name != "__pycache__" and (Path(e.path) / "__init__.py").exists()
    )


def _named_like(package: str, site_dir: Path) -> bool:
    """Whether a distribution named after the import package is installed in ``site_dir``."""
    prefix = _normal(package) + "-"
    try:
        with os.scandir(site_dir) as entries:  # closed even when any() stops early
            return any(
                e.name.lower().startswith(prefix) and e.name.endswith((".dist-info", ".egg-info"))
                for e in entries
            )
    except OSError:
        return False


def _owners(package: str) -> list[str]:
    """Installed distributions other than this one whose files include ``package/``
    (the slow path: reads every distribution's file list)."""
    from importlib.metadata import distributions

    found: set[str] = set()
    for dist in distributions():
        name = dist.metadata["Name"] or ""
        if not name or _normal(name) == _normal(OWN_DISTRIBUTION):
            continue
        if _normal(name) == _normal(package) or any(
            f.parts[:1] == (package,) for f in (dist.files or ())
        ):
            found.add(name)
    return sorted(found)


def check_package_owner(package: str, init_file: str) -> None:
    """Refuse a package whose files are mixed with another distribution's; warn when another
    installed distribution merely claims the same import name. Both say how to fix it."""
    package_dir = Path(init_file).parent
    foreign = _foreign_subpackages(package_dir)
    if not foreign and not _named_like(package, package_dir.parent):
        return
    owners = _owners(package) or [package.replace("_", "-")]
    fix = " ".join(f"pip uninstall {name}" for name in owners)
    listed = ", ".join(owners)
    if foreign:
        raise ImportError(
            f"{package} at {package_dir} holds files of another distribution ({listed}: "
            f"{', '.join(f'{name}/' for name in foreign)}), so its modules are mixed. Fix: "
            f"{fix}, then reinstall: pip install --force-reinstall --no-deps {OWN_DISTRIBUTION}"
        )
    warn_at_user(
        f"{listed} is installed too and also provides the import package {package}; "
        f"whichever was installed last owns its files. Fix: {fix}",
        ForeignPackageWarning,
    )
