"""A griffe extension for the API reference: the docstrings' Sphinx roles become links.

The code cross-references in its docstrings with Sphinx roles (``:class:`Foo```,
``:func:`.x.y```, ``:meth:`~a.B.c```). mkdocstrings reads docstrings as Markdown, where a role
would show as ``:class:`` followed by code. Here each role becomes an *optional* autorefs
reference: a link when its target is rendered somewhere in the reference, the name in code
otherwise, so a role never breaks ``mkdocs build --strict``. A paragraph ending in RST's ``::``
(a literal block follows, which Markdown already shows as code) ends in a colon instead.

Targets are found the way Sphinx finds them: a leading dot searches every loaded object whose
path ends with the rest; a plain name is looked up in the docstring owner's scope (its class,
its module, their imports); a dotted name that is neither is taken as a full path. ``~`` shows
the last part only.
"""

from __future__ import annotations

import html
import re
from typing import Any

from griffe import Alias, Extension, GriffeLoader, NameResolutionError, Object

ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj):`(~?)([^`<>]+)`")
LITERAL_MARKER = re.compile(r"(?<=\S)::$", re.MULTILINE)
LONE_LITERAL_MARKER = re.compile(r"^[ \t]*::[ \t]*$", re.MULTILINE)


class SphinxRoles(Extension):
    """Rewrite each docstring once the package is loaded (names can then be resolved)."""

    def __init__(self) -> None:
        super().__init__()
        self._paths: list[str] | None = None

    def on_package(self, *, pkg: Any, loader: GriffeLoader, **kwargs: Any) -> None:
        self._paths = None  # a new package: the suffix index is rebuilt on first use

    def on_object(self, *, obj: Object, loader: GriffeLoader, **kwargs: Any) -> None:
        self._rewrite(obj, loader)

    def on_module(self, *, mod: Object, loader: GriffeLoader, **kwargs: Any) -> None:
        self._rewrite(mod, loader)  # a package's own module fires no on_object

    def _rewrite(self, obj: Object, loader: GriffeLoader) -> None:
        docstring = obj.docstring
        if docstring is None:
            return
        text = ROLE.sub(
            lambda m: self._reference(obj, loader, m.group(1) == "~", m.group(2)), docstring.value
        )
        text = LONE_LITERAL_MARKER.sub("", text)
        docstring.value = LITERAL_MARKER.sub(":", text)

    def _reference(self, obj: Object, loader: GriffeLoader, short: bool, target: str) -> str:
        target = target.strip().removesuffix("()")
        shown = target.rsplit(".", 1)[-1] if short else target.lstrip(".")
        identifier = self._resolve(obj, loader, target) or target.lstrip(".")
        return (
            f'<autoref identifier="{html.escape(identifier)}" optional>'
            f"<code>{html.escape(shown)}</code></autoref>"
        )

    def _resolve(self, obj: Object, loader: GriffeLoader, target: str) -> str | None:
        if target.startswith("."):
            return self._by_suffix(loader, target.lstrip("."))
        head, _, rest = target.partition(".")
        try:
            found = obj.resolve(head)  # the owner's scope, then its parents'
        except NameResolutionError:
            found = None
        if found:
            return f"{found}.{rest}" if rest else found
        return target if "." in target else self._by_suffix(loader, target)

    def _by_suffix(self, loader: GriffeLoader, suffix: str) -> str | None:
        if self._paths is None:
            self._paths = sorted(_all_paths(loader))
        matches = [p for p in self._paths if p == suffix or p.endswith("." + suffix)]
        return min(matches, key=len) if matches else None


def _all_paths(loader: GriffeLoader) -> set[str]:
    paths: set[str] = set()
    stack: list[Object | Alias] = list(loader.modules_collection.members.values())
    while stack:
        item = stack.pop()
        paths.add(item.path)
        if item.is_alias:
            continue
        stack.extend(item.members.values())
    return paths
