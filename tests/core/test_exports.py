"""Every error the core raises is importable from ``telnyx_inference``, and the three packages
load their names on first use through one mechanism."""

from __future__ import annotations

import importlib
import inspect

import pytest

import telnyx_inference
from telnyx_inference import errors
from telnyx_inference.chat import guards, structured


def _core_error_classes() -> list[type[BaseException]]:
    found = []
    for module in (errors, structured, guards):
        for _, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, errors.TelnyxError) and value.__module__ == module.__name__:
                found.append(value)
    return found


@pytest.mark.parametrize("cls", _core_error_classes(), ids=lambda c: c.__name__)
def test_every_core_error_is_exported(cls: type[BaseException]) -> None:
    assert getattr(telnyx_inference, cls.__name__) is cls
    assert cls.__name__ in telnyx_inference.__all__


@pytest.mark.parametrize("package", ["telnyx_inference", "langchain_telnyx", "llama_index_telnyx"])
def test_one_lazy_export_mechanism(package: str) -> None:
    module = importlib.import_module(package)
    hook = module.__getattr__
    assert hook.__module__ == "telnyx_inference._lazy"
    assert set(module.__all__) <= set(dir(module))  # lazy names are listed before first use
    with pytest.raises(AttributeError, match=package):
        hook("NoSuchName")
