"""In a Jupyter kernel without ipywidgets, the bar falls back to text without tqdm's nag."""

from __future__ import annotations

import subprocess
import sys

# A fresh interpreter that looks like a Jupyter kernel without ipywidgets to tqdm.autonotebook,
# recording every warning raised while the bar's class is imported.
_PROBE = """
import sys, types, warnings
sys.modules["ipykernel.zmqshell"] = types.ModuleType("ipykernel.zmqshell")
class ZMQInteractiveShell: pass
import IPython
IPython.get_ipython = ZMQInteractiveShell
sys.modules["ipywidgets"] = None  # not installed, as on a fresh Jupyter
from telnyx_inference.buckets import progress as _progress
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    bar = _progress._tqdm_class()
print(bar.__module__, [str(w.message) for w in caught])
"""


def test_no_ipywidgets_warning_in_a_notebook_kernel() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    module, warned = done.stdout.strip().split(" ", 1)
    assert module in ("tqdm.asyncio", "tqdm.std")  # the text bar, not the widget
    assert warned == "[]"
    assert done.stderr == ""
