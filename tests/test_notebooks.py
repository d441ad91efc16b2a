"""The notebooks: each runs top to bottom against the emulator, offline; stored outputs are
executed, small, and free of keys, machine paths and loopback addresses.

Execution uses ``notebooks/execute.py`` (the same code that stores the outputs), one kernel per
notebook from this interpreter; the execution tests are marked ``notebooks``.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"


def _load_execute() -> ModuleType:
    spec = importlib.util.spec_from_file_location("notebooks_execute", NOTEBOOKS_DIR / "execute.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


execute = _load_execute()
NAMES: tuple[str, ...] = execute.NOTEBOOKS


def test_the_notebooks_are_the_ones_listed() -> None:
    assert sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb")) == sorted(NAMES)


def test_the_kernel_is_this_interpreter() -> None:
    import ipykernel  # noqa: F401  (the kernel the notebooks run in)
    from jupyter_client.manager import KernelManager

    command = KernelManager(kernel_name="python3").format_kernel_cmd()
    assert Path(command[0]).resolve() == Path(sys.executable).resolve()


@pytest.mark.notebooks
@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_offline(name: str) -> None:
    notebook = execute.execute(NOTEBOOKS_DIR / name)  # raises on the first failing cell
    outputs = [o for c in notebook.cells for o in c.get("outputs", ())]
    assert outputs
    assert not [o for o in outputs if o.get("output_type") == "error"]
    first = notebook.cells[[c.cell_type for c in notebook.cells].index("code")]
    assert "emulator" in "".join(o.get("text", "") for o in first.outputs) or name.startswith(
        "testing"
    )


@pytest.mark.parametrize("name", NAMES)
def test_stored_outputs_are_publishable(name: str) -> None:
    path = NOTEBOOKS_DIR / name
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert execute.problems(notebook, [os.environ.get("TELNYX_API_KEY", "")]) == []
    assert execute.size_problem(path) is None


@pytest.mark.parametrize(
    "name", ["langchain_chat.ipynb", "langchain_rag.ipynb", "llamaindex_rag.ipynb"]
)
def test_plots_are_stored(name: str) -> None:
    notebook = nbformat.read(NOTEBOOKS_DIR / name, as_version=4)
    images = [
        o["data"]["image/png"]
        for c in notebook.cells
        for o in c.get("outputs", ())
        if "image/png" in o.get("data", {})
    ]
    assert images


def _notebook_printing(*texts: str, error: bool = False) -> nbformat.NotebookNode:
    cell = new_code_cell("print(...)", execution_count=1)
    cell.outputs = [new_output("stream", name="stdout", text=t) for t in texts]
    if error:
        cell.outputs.append(new_output("error", ename="ValueError", evalue="x", traceback=[]))
    notebook = new_notebook()
    notebook.cells = [cell]
    return notebook


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ("File /work/main/langchain_telnyx/chat_models.py, line 3", "machine path"),
        ("/root/.pyenv/versions/3.11.7/lib/python3.11/contextlib.py:144: Warning", "machine path"),
        ("/tmp/ipykernel_4242/123.py:5: TelnyxWarning", "machine path"),
        ("at http://127.0.0.1:41919/v2/ai/openai", "loopback address"),
        ("Authorization: Bearer abcdefghijklmnop", "bearer token"),
        ("key=KEY01234567890ABCDEFGHIJ_abcdef", "key-like string"),
        ("the key is s3cr3t-value", "secret value"),
    ],
)
def test_the_checker_finds_leaks(text: str, what: str) -> None:
    found = execute.problems(_notebook_printing("fine\n", text), ["s3cr3t-value"])
    assert any(what in problem for problem in found), found


def test_the_checker_passes_clean_outputs_and_finds_errors_and_stale_runs() -> None:
    clean = _notebook_printing("Talking to the local emulator\n", "Bearer [REDACTED]\n")
    assert execute.problems(clean) == []
    assert any("error output" in p for p in execute.problems(_notebook_printing(error=True)))
    stale = _notebook_printing("ok\n")
    stale.cells[0].execution_count = None
    assert any("top to bottom" in p for p in execute.problems(stale))


def test_kernel_environment_drops_keys_and_base_urls() -> None:
    env = execute.offline_environment(
        {"TELNYX_API_KEY": "k", "TELNYX_API_BASE": "b", "OPENAI_API_KEY": "o", "PATH": "/bin"}
    )
    assert "TELNYX_API_KEY" not in env
    assert "TELNYX_API_BASE" not in env
    assert "OPENAI_API_KEY" not in env
    assert env["PATH"] == "/bin"
    assert env["HTTPS_PROXY"].startswith("http://127.0.0.1:")
    assert "127.0.0.1" in env["NO_PROXY"]
