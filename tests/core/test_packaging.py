"""The extras stay apart: LangChain users never get llama-index-core, and the other way round."""

from __future__ import annotations

import re
from importlib.metadata import requires

from packaging.requirements import Requirement

DIST = "telnyx-inference"


def closure(extra: str) -> set[str]:
    """Every distribution that installing ``telnyx-inference[extra]`` asks for."""
    reqs = [Requirement(r) for r in requires(DIST) or []]
    wanted, seen, names = [extra], set(), set()
    while wanted:
        current = wanted.pop()
        if current in seen:
            continue
        seen.add(current)
        for req in reqs:
            env = {"extra": current}
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            if req.marker is None and current != "":
                continue
            name = re.sub(r"[-_.]+", "-", req.name).lower()
            if name == DIST:
                wanted.extend(req.extras)
            else:
                names.add(name)
    return names


def test_core_needs_only_openai_and_pydantic() -> None:
    assert closure("") == {"openai", "pydantic"}


def test_langchain_extra_does_not_pull_llama_index() -> None:
    names = closure("langchain")
    assert "langchain-core" in names
    assert not any(n.startswith("llama-index") for n in names)


def test_llama_index_extra_does_not_pull_langchain() -> None:
    names = closure("llama-index")
    assert "llama-index-core" in names
    assert not any(n.startswith("langchain") for n in names)


def test_all_has_both() -> None:
    names = closure("all")
    assert {"langchain-core", "llama-index-core", "starlette", "uvicorn"} <= names


def test_storage_extra_is_boto3_without_the_frameworks() -> None:
    names = closure("storage")
    assert "boto3" in names
    assert not any(n.startswith(("langchain", "llama-index")) for n in names)
    assert "boto3" in closure("all")
    assert "moto" in closure("emulator")
