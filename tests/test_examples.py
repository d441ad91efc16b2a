"""Every script in examples/ runs offline (``TELNYX_API_KEY`` unset) and prints what it promises.

Each runs in a fresh interpreter, the way a reader runs it. HTTP(S) proxies point at a closed
loopback port, so a request to anything but loopback (the emulator) fails the script.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

EXPECTED: dict[str, tuple[str, ...]] = {
    "quickstart.py": ("local emulator", "LangChain  ChatTelnyx(", "LlamaIndex Telnyx("),
    "langchain_chat.py": (
        "invoke: ",
        "stream: ",
        "tool call: get_weather({'city': 'Paris'})",
        'agent: get_weather(city="Paris") returned 18 °C, light rain.',
        "json_schema: Lead(name='Ada Lovelace', company='Analytical Engines', seats=12)",
        "regex: +1 ",
        "choice: ",
        "logprobs: ",
        "enable_thinking=True: 1 reasoning block(s)",
        "enable_thinking=False: 0 reasoning block(s)",
    ),
    "langchain_rag.py": (
        "store: 3 documents in 'acme-handbook'",
        "[1] refunds.md (id refunds)",
        "retrieval tool: According to refunds.txt: Refunds are issued",
        "grounded structured answer: RefundPolicy(business_days=5)",
        "retriever chain: From the context: Refunds are issued to the original card within "
        "5 business days [1].",
    ),
    "llamaindex_agents.py": (
        "tool call: multiply({'a': 6, 'b': 7}) = 42",
        "agent: multiply(a=6, b=7) returned 42.",
        "structured_predict: Invoice(vendor='ACME Telecom', total_usd=1250.0, paid=True)",
        "chat engine: You said: Hi, I am Ada and I build voice bots.",
        "4 messages in the history",
    ),
    "llamaindex_rag.py": (
        "query engine: According to refunds.md",
        "  refunds.md (ref_doc_id refunds)",
        "retrieval tool: According to refunds.txt",
        "grounded structured answer: RefundPolicy(business_days=5)",
        "after delete_ref_doc('refunds'): ['shipping', 'support']",
    ),
}
PYTEST_EXAMPLES = {"test_my_chain.py": "4 passed"}
RAY_EXAMPLES = {"ray_bulk.py": "tests/bulk/test_ray_example.py, marked ray (the ray extra)"}


def offline_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TELNYX_API_KEY", "TELNYX_API_BASE", "OPENAI_API_KEY", "OPENAI_BASE_URL")
        and not k.startswith("PYTEST_")
    }
    closed = "http://127.0.0.1:9"  # the discard port: nothing listens
    env.update(
        HTTP_PROXY=closed,
        HTTPS_PROXY=closed,
        ALL_PROXY=closed,
        NO_PROXY="127.0.0.1,localhost",
        HF_HUB_OFFLINE="1",
        PYTHONIOENCODING="utf-8",
    )
    return env


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=offline_env(),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=90,
        check=False,
    )


def test_every_example_is_checked() -> None:
    scripts = {p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_")}
    assert scripts == set(EXPECTED) | set(PYTEST_EXAMPLES) | set(RAY_EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_runs_offline(name: str) -> None:
    done = run(str(EXAMPLES / name))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    assert "emulator" in done.stdout.splitlines()[0]
    missing = [line for line in EXPECTED[name] if line not in done.stdout]
    assert not missing, f"{name} did not print {missing}:\n{done.stdout}"


@pytest.mark.parametrize("name", sorted(PYTEST_EXAMPLES))
def test_pytest_example_passes(name: str) -> None:
    done = run("-m", "pytest", "-q", "-p", "no:cacheprovider", "--color=no", f"examples/{name}")
    assert done.returncode == 0, done.stdout[-3000:]
    assert PYTEST_EXAMPLES[name] in done.stdout
