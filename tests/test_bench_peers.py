"""``bench/peers.py``'s report: inkstone's ratio to each peer, round by round."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture(scope="module")
def peers() -> Iterator[ModuleType]:
    """``bench/peers.py``, which imports its neighbour ``bench/build.py`` as ``build``: both
    are imported with ``bench/`` first on the path and forgotten after, so that a package
    of either name stays what the rest of the session imports."""
    saved: dict[str, ModuleType] = {
        name: sys.modules.pop(name) for name in ("peers", "build") if name in sys.modules
    }
    sys.path.insert(0, str(BENCH))
    try:
        yield importlib.import_module("peers")
    finally:
        sys.path.remove(str(BENCH))
        for name in ("peers", "build"):
            sys.modules.pop(name, None)
        sys.modules.update(saved)


def _case(peers: ModuleType, tool: str, label: str, seconds: list[float], **kw: object) -> object:
    runs = [
        peers.Run(abs(s), 0, 0, abs(s), 0 if s > 0 else 1, "") for s in seconds
    ]  # a negative time: a failed run
    return peers.Case(tool, kw.pop("mode", "math"), label, "", [], Path(), None, runs=runs, **kw)


def test_round_ratios_pair_the_runs_of_one_round(peers: ModuleType) -> None:
    cases = [
        _case(peers, "inkstone", "inkstone -j 2", [10.0, 9.0, 12.0], search=True),
        _case(peers, "inkstone", "inkstone -j 2, no search", [1.0, 1.0, 1.0]),
        _case(peers, "inkstone", "inkstone -j 1", [1.0, 1.0, 1.0], search=True),
        _case(peers, "hugo", "Hugo", [20.0, 18.0, 20.0]),
        _case(peers, "hexo", "Hexo", [40.0, -5.0, 24.0]),
        _case(peers, "hugo", "Hugo", [20.0, 20.0, 20.0], mode="plain"),
    ]
    assert peers.round_ratios(cases) == (
        "inkstone -j 2 / tool, round by round:\n\n"
        "- Hugo (math): 0.50, 0.50, 0.60\n"
        "- Hexo (math): 0.25, 0.50"
    )


def test_round_ratios_need_two_rounds_and_inkstone(peers: ModuleType) -> None:
    one_round = [
        _case(peers, "inkstone", "inkstone -j 2", [10.0], search=True),
        _case(peers, "hugo", "Hugo", [20.0]),
    ]
    assert peers.round_ratios(one_round) == ""
    assert peers.round_ratios([_case(peers, "hugo", "Hugo", [20.0, 18.0])]) == ""


def test_the_benchmark_reads_every_form_of_the_summary_line(peers: ModuleType) -> None:
    """The summary says ``1 page``, ``1 warning`` in the singular; the benchmark reads
    inkstone's figures from it whatever the counts."""
    from inkstone.build import summary_line
    from inkstone.errors import BuildReport, Problem, Severity

    def report(count: int) -> BuildReport:
        made = BuildReport(
            pages_written=count,
            redirects_written=count,
            files_unchanged=count,
            formulas_rendered=count,
            formulas_typeset=count,
            seconds=1.5,
        )
        for severity in (Severity.WARNING, Severity.ERROR):
            for _ in range(count):
                made.add(Problem(severity, "m", None, None, None, None))
        return made

    one = summary_line(report(1))
    assert one == (
        "1 page, 1 redirect (1 file unchanged), 1 formula (1 typeset), 1 warning, 1 error in 1.50 s"
    )
    assert summary_line(report(0)).startswith("0 pages (0 files unchanged), 0 formulas")
    for count in (0, 1, 2):
        match = sys.modules["build"].SUMMARY.search(summary_line(report(count)))
        assert match, count
        assert [int(match[k]) for k in ("pages", "formulas", "warnings", "errors")] == [count] * 4
