"""Turning measurements into tables, the targets' verdicts, the markdown file and the plot."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks import storage as storage_bench

__all__ = ["TARGETS", "evaluate", "machine", "markdown", "plot", "terminal"]

PEER = {"langchain": "chatopenai", "llama-index": "openailike", "raw": "raw-httpx2"}
FLOOR = {"langchain": "floor-lc", "llama-index": "floor-li"}


@dataclass(frozen=True)
class Target:
    """A ratio from the issue: ``ours`` / ``peer`` on one figure must not exceed ``limit``."""

    key: str
    text: str
    limit: float
    ours: str
    figure: Callable[[dict[str, Any], str], float | None]
    peer: str = ""  # empty: the figure is already a ratio (stream growth)
    profile: str = ""  # what to profile when missed: "invoke" / "stream" / ""


def _get(results: dict[str, Any], *path: str) -> float | None:
    node: Any = results
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, int | float) else None


def _first(results: dict[str, Any]) -> str:
    return str(results["plan"]["stream_sizes"][0])


def _last(results: dict[str, Any]) -> str:
    return str(results["plan"]["stream_sizes"][-1])


def _invoke(r: dict[str, Any], k: str) -> float | None:
    return _get(r, "invoke", k, "cpu")


def _stream(r: dict[str, Any], k: str) -> float | None:
    return _get(r, "stream", _first(r), k, "cpu")


def growth(r: dict[str, Any], k: str) -> float | None:
    first, last = _stream(r, k), _get(r, "stream", _last(r), k, "cpu")
    if first is None or last is None:
        return None
    return (last / int(_last(r))) / (first / int(_first(r)))


def _wall(r: dict[str, Any], k: str) -> float | None:
    return _get(r, "concurrency", k, "wall")


def _import(r: dict[str, Any], k: str) -> float | None:
    return _get(r, "imports", k, "seconds")


def _storage(r: dict[str, Any], k: str) -> float | None:
    return _get(r, "storage", k, "wall")


TARGETS = [
    Target(
        "lc-stream",
        "ChatTelnyx stream CPU / ChatOpenAI",
        0.22,
        "ours-lc",
        _stream,
        "chatopenai",
        "stream",
    ),
    Target(
        "lc-invoke",
        "ChatTelnyx invoke CPU / ChatOpenAI",
        0.5,
        "ours-lc",
        _invoke,
        "chatopenai",
        "invoke",
    ),
    Target(
        "li-stream",
        "LlamaIndex Telnyx stream CPU / OpenAILike",
        0.25,
        "ours-li",
        _stream,
        "openailike",
        "stream",
    ),
    Target(
        "li-chat",
        "LlamaIndex Telnyx chat CPU / OpenAILike",
        0.5,
        "ours-li",
        _invoke,
        "openailike",
        "invoke",
    ),
    Target(
        "lc-growth",
        "ChatTelnyx per-chunk CPU growth, shortest -> longest stream",
        1.3,
        "ours-lc",
        growth,
    ),
    Target(
        "li-growth",
        "LlamaIndex Telnyx per-chunk CPU growth, shortest -> longest",
        1.3,
        "ours-li",
        growth,
    ),
    Target(
        "concurrency",
        "ChatTelnyx concurrency wall / raw httpx2 (the SDK's HTTP library)",
        1.3,
        "ours-lc",
        _wall,
        "raw-httpx2",
    ),
    Target(
        "import",
        "langchain_telnyx import / official langchain-telnyx",
        0.5,
        "ours-lc",
        _import,
        "official",
    ),
    Target(
        "storage-upload",
        "Storage.upload wall / sequential boto3 put_object loop (50 ms per request)",
        0.25,
        "ours",
        _storage,
        "boto3",
    ),
]


def evaluate(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target's ratio and verdict: pass, miss, or n/a when a side was not measured."""
    rows = []
    for t in TARGETS:
        ours = t.figure(results, t.ours)
        ratio: float | None = ours
        if t.peer:
            peer = t.figure(results, t.peer)
            ratio = ours / peer if ours is not None and peer else None
        verdict = "n/a" if ratio is None else ("pass" if ratio <= t.limit else "miss")
        rows.append(
            {
                "key": t.key,
                "text": t.text,
                "limit": t.limit,
                "ratio": ratio,
                "verdict": verdict,
                "ours": t.ours,
                "profile": t.profile,
            }
        )
    return rows


# --- tables ----------------------------------------------------------------------------------

Table = tuple[str, list[str], list[list[str]]]


def _us(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1e6:,.1f}"


def _x(a: float | None, b: float | None) -> str:
    return "—" if a is None or not b else f"{a / b:.2f}×"


def _label(results: dict[str, Any], key: str) -> str:
    return str(results["subjects"][key]["label"])


def _measured(results: dict[str, Any], figure: str) -> list[str]:
    table = results.get(figure, {})
    if figure == "stream":
        table = table.get(_first(results), {})
    return [k for k in results["subjects"] if k in table]


def tables(results: dict[str, Any]) -> list[Table]:
    subjects, first, last = results["subjects"], _first(results), _last(results)
    out: list[Table] = []

    rows = []
    for key in _measured(results, "invoke"):
        group = subjects[key]["group"]
        peer, floor = PEER[group], FLOOR.get(group)
        inv, st = _invoke(results, key), _stream(results, key)
        over = _stream(results, floor) if floor else None
        rows.append(
            [
                subjects[key]["label"],
                _us(inv),
                _us(_get(results, "invoke", key, "wall")),
                _x(inv, _invoke(results, peer)),
                _us(st),
                _us(_get(results, "stream", first, key, "wall")),
                _x(st, _stream(results, peer)),
                "—" if st is None or over is None or key == floor else _us(st - over),
            ]
        )
    out.append(
        (
            f"Invoke and {first}-chunk stream: client CPU (and wall) per call, µs; "
            "ratio to the group's peer (raw: httpx2, LangChain: ChatOpenAI, "
            "LlamaIndex: OpenAILike)",
            [
                "subject",
                "invoke CPU",
                "invoke wall",
                "× peer",
                "stream CPU",
                "stream wall",
                "× peer",
                "stream − floor",
            ],
            rows,
        )
    )

    sizes = [str(n) for n in results["plan"]["stream_sizes"]]
    rows = []
    for key in _measured(results, "stream"):
        per = [_get(results, "stream", n, key, "cpu") for n in sizes]
        cells = [_us(p / int(n)) if p is not None else "—" for p, n in zip(per, sizes, strict=True)]
        g = growth(results, key)
        rows.append([subjects[key]["label"], *cells, "—" if g is None else f"{g:.2f}×"])
    out.append(
        (
            f"Stream scaling: client CPU per chunk, µs (growth = per-chunk at {last} / at {first})",
            ["subject", *[f"{int(n):,} chunks" for n in sizes], "growth"],
            rows,
        )
    )

    conc = results.get("concurrency", {})
    plan = results["plan"]
    rows = []
    for key in [k for k in subjects if k in conc]:
        wall = conc[key]["wall"]
        rows.append(
            [
                subjects[key]["label"],
                f"{wall:.3f}",
                f"{conc[key]['cpu']:.3f}",
                _x(wall, _wall(results, "raw-httpx2")),
                _x(wall, _wall(results, "raw-httpx")),
            ]
        )
    out.append(
        (
            f"Concurrency: {plan['requests']:,} async requests at concurrency "
            f"{plan['concurrency']}, seconds",
            ["subject", "wall", "CPU", "× httpx2 wall", "× httpx wall"],
            rows,
        )
    )

    imports = results.get("imports", {})
    rows = []
    for entry in imports.values():
        seconds = entry.get("seconds")
        rows.append(
            [
                entry["label"],
                "—" if seconds is None else f"{seconds * 1e3:,.0f}",
                _x(seconds, _import(results, "official")),
                entry.get("skip", ""),
            ]
        )
    out.append(
        (
            "Import time in a fresh interpreter, ms (median)",
            ["import", "ms", "× official", "note"],
            rows,
        )
    )

    if "storage" in results:
        out.append(storage_bench.table(results["storage"]))

    rows = [
        [
            t["text"],
            "—" if t["ratio"] is None else f"{t['ratio']:.3f}×",
            f"≤ {t['limit']}×",
            t["verdict"].upper(),
        ]
        for t in results.get("targets", [])
    ]
    out.append(
        ("Targets (ratios measured in this run)", ["target", "measured", "limit", "verdict"], rows)
    )
    return out


def terminal(results: dict[str, Any]) -> str:
    parts = []
    for title, head, rows in tables(results):
        widths = [max(len(str(c)) for c in col) for col in zip(head, *rows, strict=True)]
        line = "  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True))
        parts.append(f"\n{title}\n{line}\n{'-' * len(line)}")
        for row in rows:
            cells = [
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            parts.append("  ".join(cells))
    skipped = [
        f"  {s['label']}: {s['skip']}" for s in results["subjects"].values() if s.get("skip")
    ]
    if skipped:
        parts.append("\nNot measured:\n" + "\n".join(skipped))
    return "\n".join(parts) + "\n"


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def machine(versions: dict[str, dict[str, str]]) -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
    }


def markdown(results: dict[str, Any], notes: str, profiles: dict[str, str]) -> str:
    m = results["machine"]
    out = [
        "# Benchmark results",
        "",
        "Written by `python -m benchmarks` (the full run); do not edit by hand — findings "
        "live in `benchmarks/results/NOTES.md` and are copied in below.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores",
        f"- Python {m['python']} on {m['platform']}",
    ]
    for env, versions in m["versions"].items():
        listed = ", ".join(f"{k} {v}" for k, v in sorted(versions.items()))
        out.append(f"- {env}: {listed}")
    out += ["", "## Method", "", results["method"], ""]
    for title, head, rows in tables(results):
        out += [f"## {title}", "", _md_table(head, rows), ""]
    skipped = [
        f"- {s['label']}: {s['skip']}" for s in results["subjects"].values() if s.get("skip")
    ]
    if skipped:
        out += ["## Not measured", "", *skipped, ""]
    out += ["![stream scaling](stream_scaling.png)", ""]
    if profiles:
        out += [
            "## Profiles of missed targets",
            "",
            "pyinstrument, our subject only, one batch; full trees in the files named.",
        ]
        for name, text in profiles.items():
            head = "\n".join(text.splitlines()[:45])
            out += ["", f"### {name}", "", "```", head, "```"]
        out.append("")
    if notes.strip():
        out += ["## Findings", "", notes.strip(), ""]
    return "\n".join(out)


def plot(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = results["plan"]["stream_sizes"]
    fig, ax = plt.subplots(figsize=(9, 5.5))
    for key in _measured(results, "stream"):
        per = [_get(results, "stream", str(n), key, "cpu") for n in sizes]
        points = [(n, p / n * 1e6) for n, p in zip(sizes, per, strict=True) if p is not None]
        style = "--" if key.startswith("floor") else "-"
        width = 2.6 if key.startswith("ours") else 1.4
        ax.plot(
            *zip(*points, strict=True),
            style,
            marker="o",
            linewidth=width,
            label=_label(results, key),
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(sizes, [f"{n:,}" for n in sizes])
    ax.set_xlabel("chunks per stream")
    ax.set_ylabel("client CPU per chunk (µs, log)")
    ax.set_title("Stream scaling: client CPU per chunk")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
