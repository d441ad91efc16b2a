"""Re-run the notebooks against the local emulator and store their outputs.

    python notebooks/execute.py                        # every notebook
    python notebooks/execute.py langchain_chat.ipynb   # some of them

Each notebook runs top to bottom in a fresh kernel of this interpreter, with ``TELNYX_API_KEY``
(and the other variables that could reach a real service) removed from its environment, so
stored outputs always come from the emulator, never from an account. Before a notebook is
written back, its outputs are checked: no errors, nothing that looks like a key, no machine
paths or loopback addresses, and a size fit for reading on GitHub. ``tests/test_notebooks.py``
uses the same functions.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NOTEBOOKS = (
    "langchain_chat.ipynb",
    "langchain_rag.ipynb",
    "llamaindex_agents.ipynb",
    "llamaindex_rag.ipynb",
    "testing_offline.ipynb",
)
CELL_TIMEOUT = 120
MAX_NOTEBOOK_BYTES = 150_000
MAX_IMAGE_BYTES = 40_000

# Variables that would send a kernel to a real service, or leak a secret into an output.
_REMOVED = ("TELNYX_API_KEY", "TELNYX_API_BASE", "OPENAI_API_KEY", "OPENAI_BASE_URL")

_LEAKS = {
    "a machine path": re.compile(
        r"(?<![\w.])/(?:work|root|home|tmp|Users|private|var/folders)/|[A-Za-z]:\\\\|site-packages"
    ),
    "a loopback address": re.compile(r"127\.0\.0\.1|localhost:\d|\[::1\]"),
    "a bearer token": re.compile(r"Bearer (?!\[REDACTED\])\S{8,}"),
    "a key-like string": re.compile(r"\bKEY[0-9A-Za-z_-]{20,}|\bsk-[0-9A-Za-z_-]{20,}"),
}


def offline_environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The kernel's environment: this one without keys or base URLs, and no way off loopback."""
    env = {k: v for k, v in (os.environ if base is None else base).items() if k not in _REMOVED}
    closed = "http://127.0.0.1:9"  # proxies at a closed port: only loopback can be reached
    env.update(HTTP_PROXY=closed, HTTPS_PROXY=closed, ALL_PROXY=closed)
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env["HF_HUB_OFFLINE"] = "1"
    env["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # no debugger notice in the first output
    return env


def execute(path: Path, timeout: int = CELL_TIMEOUT) -> Any:
    """Run the notebook at ``path`` in a fresh kernel; raises on the first failing cell."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        kernel_name="python3",  # ipykernel of the running interpreter
        timeout=timeout,
        record_timing=False,  # no timestamps in stored metadata
        coalesce_streams=True,  # one stdout and one stderr block per cell; progress bars settle
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute(env=offline_environment())
    return notebook


def _output_texts(notebook: Any) -> Iterator[tuple[int, str]]:
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", ()):
            if "text" in output:
                yield index, str(output["text"])
            for mime, value in (output.get("data") or {}).items():
                if mime.startswith("text/") or mime.endswith("json"):
                    yield index, value if isinstance(value, str) else str(value)
            if output.get("output_type") == "error":
                yield index, "\n".join([output.get("evalue", ""), *output.get("traceback", ())])


def problems(notebook: Any, secrets: Iterable[str] = ()) -> list[str]:
    """Everything wrong with the stored outputs of ``notebook``; empty when it can be published."""
    found: list[str] = []
    secret_values = [s for s in secrets if s and len(s) >= 4]
    for index, text in _output_texts(notebook):
        for what, pattern in _LEAKS.items():
            match = pattern.search(text)
            if match:
                found.append(f"cell {index}: {what} in an output: {match.group(0)!r}")
        found.extend(
            f"cell {index}: a secret value in an output" for s in secret_values if s in text
        )
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", ()):
            if output.get("output_type") == "error":
                found.append(f"cell {index}: an error output ({output.get('ename')})")
            for mime, value in (output.get("data") or {}).items():
                if mime.startswith("image/") and len(value) > MAX_IMAGE_BYTES:
                    found.append(
                        f"cell {index}: a {len(value)}-byte {mime} (max {MAX_IMAGE_BYTES})"
                    )
    code = [c for c in notebook.cells if c.cell_type == "code"]
    if [c.get("execution_count") for c in code] != list(range(1, len(code) + 1)):
        found.append("code cells were not all run once, top to bottom, in a fresh kernel")
    return found


def size_problem(path: Path) -> str | None:
    size = path.stat().st_size
    return (
        f"{path.name} is {size} bytes (max {MAX_NOTEBOOK_BYTES})"
        if size > MAX_NOTEBOOK_BYTES
        else None
    )


def main(names: list[str]) -> int:
    import nbformat

    failed = 0
    for name in names or NOTEBOOKS:
        path = HERE / Path(name).name
        notebook = execute(path)
        found = problems(notebook, [os.environ.get("TELNYX_API_KEY", "")])
        if found:
            failed += 1
            print(f"{path.name}: not written", *found, sep="\n  ", file=sys.stderr)
            continue
        nbformat.write(notebook, path)
        print(f"{path.name}: outputs stored ({path.stat().st_size} bytes)")
        problem = size_problem(path)
        if problem:
            failed += 1
            print(f"  {problem}", file=sys.stderr)
    return 1 if failed else 0


def _arguments(argv: list[str]) -> list[str]:
    import argparse

    cli = argparse.ArgumentParser(
        prog="python notebooks/execute.py",
        description="Re-run notebooks against the local emulator and store their outputs "
        "(every notebook when none is named).",
    )
    cli.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help=", ".join(NOTEBOOKS))
    names: list[str] = cli.parse_args(argv).notebooks
    unknown = [n for n in names if Path(n).name not in NOTEBOOKS]
    if unknown:
        cli.error(f"unknown notebook(s) {unknown}; known: {list(NOTEBOOKS)}")
    return names


if __name__ == "__main__":
    sys.exit(main(_arguments(sys.argv[1:])))
