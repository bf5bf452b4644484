"""Golden Markdown → HTML fixtures: ``tests/fixtures/*.md``.

Each fixture file holds cases in markdown-it's fixture format::

    title of the case
    .
    Markdown input
    .
    expected HTML
    .

Cases are separated by blank lines. A case expecting warnings (``ctx.problems``) lists them
in a section after the HTML, one per line as ``PATH:LINE: MESSAGE`` (the hint left out;
a line break inside a message written ``↵``; an error, not a warning, starts with
``[error] ``)::

    title
    .
    $\\frac{a$
    .
    <p><code class="math-error" …>…</code></p>
    . warnings
    fixture.md:1: KaTeX error: …
    .

A case without that section expects no warnings at all. Every case is rendered on its own
as the body of ``fixture.md``, starting at line 1.

KaTeX output is long and not ours to pin, so each complete rendering is replaced by a marker
before comparing: ``<katex tex="x^2"/>`` inline, ``<katex-display tex="…" tag="(1)"/>``
in display mode. ``tex`` is the TeX as escaped in KaTeX's ``annotation``; ``tag`` is the
text of the printed equation number, when there is one. A rendering without its MathML or
with an empty HTML part becomes ``<katex-broken …/>``, which no fixture expects.

A title ending in ``[xfail: reason]`` marks a case whose expected HTML is the correct
behaviour the renderer does not have yet (strict: the marker must go once it is fixed).

Update mode: ``INKSTONE_UPDATE_FIXTURES=1 pytest tests/test_fixtures.py`` rewrites every
expected output (HTML and warnings) from the current renderer, except for xfail cases,
which are kept as written (run it without ``-n``). ``INKSTONE_UPDATE_FIXTURES=callouts,tabs``
rewrites only those files (``-k`` does not limit what is rewritten). Read the diff: the new
output is not checked by anything else.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from inkstone.errors import Problem, Severity
from inkstone.markup.markdown import RenderContext, render_markdown

FIXTURES = Path(__file__).parent / "fixtures"
_UPDATE_SETTING = os.environ.get("INKSTONE_UPDATE_FIXTURES", "")
UPDATE = _UPDATE_SETTING not in ("", "0")


def _updated(path: Path) -> bool:
    """Whether update mode rewrites ``path``: ``1`` means every file, else a comma-separated
    list of fixture names (``callouts,tabs``)."""
    if _UPDATE_SETTING in ("1", "all"):
        return True
    return UPDATE and path.stem in {name.strip() for name in _UPDATE_SETTING.split(",")}


XFAIL = re.compile(r"\s*\[xfail:\s*(.*?)\]\s*$")
WARNINGS_LINE = ". warnings"
NEWLINE = "↵"
"""Stands for a line break inside one warning's message."""


# ---------------------------------------------------------------- fixture files


@dataclass
class Case:
    line: int
    """1-based line of the title in the fixture file."""
    title: str
    markdown: str
    html: str
    warnings: list[str]

    @property
    def xfail(self) -> str | None:
        match = XFAIL.search(self.title)
        return match.group(1) if match else None


def read_fixtures(path: Path) -> list[Case]:
    lines = path.read_text(encoding="utf-8").split("\n")
    cases: list[Case] = []
    i = 0

    def section(start: int, ends: tuple[str, ...]) -> tuple[list[str], int]:
        end = start
        while end < len(lines) and lines[end] not in ends:
            end += 1
        if end == len(lines):
            raise ValueError(f"{path.name}:{start + 1}: section not closed by `.`")
        return lines[start:end], end

    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        if i + 1 >= len(lines) or lines[i + 1] != ".":
            raise ValueError(f"{path.name}:{i + 1}: expected a title line followed by `.`")
        title_line, title = i + 1, lines[i]
        source, i = section(i + 2, (".",))
        expected, i = section(i + 1, (".", WARNINGS_LINE))
        warnings: list[str] = []
        if lines[i] == WARNINGS_LINE:
            warnings, i = section(i + 1, (".",))
        cases.append(Case(title_line, title, _joined(source), _joined(expected), warnings))
        i += 1
    return cases


def write_fixtures(path: Path, cases: list[Case]) -> None:
    out: list[str] = []
    for case in cases:
        out += [case.title, ".", case.markdown.rstrip("\n"), ".", case.html.rstrip("\n")]
        if case.warnings:
            out += [WARNINGS_LINE, *case.warnings]
        out += [".", ""]
    path.write_text("\n".join(out), encoding="utf-8")


def _joined(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


# ---------------------------------------------------------------- KaTeX markers


_SPAN = re.compile(r"<span\b[^>]*>|</span>")
_KATEX_START = re.compile(r'<span class="katex(?:-display)?(?:[ "])[^>]*>')
_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)
_TAG_START = re.compile(r'<span class="katex-tag"[^>]*>')
_TAG_ROW = re.compile(r'<span class="(?:mord text|eqn-num)"[^>]*>')
_HTML_START = re.compile(r'<span class="katex-html"[^>]*>')


def _span_end(text: str, start: int) -> int:
    """Index just past the ``</span>`` closing the ``<span`` that starts at ``start``."""
    depth = 0
    for match in _SPAN.finditer(text, start):
        depth += -1 if match.group(0) == "</span>" else 1
        if depth == 0:
            return match.end()
    raise ValueError(f"unbalanced <span> in KaTeX output at {start}: {text[start : start + 80]!r}")


def _inner(text: str, opening: re.Match[str]) -> str:
    """The content of the span whose opening tag ``opening`` matched."""
    return text[opening.end() : _span_end(text, opening.start()) - len("</span>")]


def _marker(rendering: str) -> str:
    display = rendering.startswith('<span class="katex-display')
    name = "katex-display" if display else "katex"
    annotation = _ANNOTATION.search(rendering)
    tex = annotation.group(1) if annotation else ""
    problems = []
    if annotation is None or '<span class="katex-mathml"><math' not in rendering:
        problems.append("no MathML")
    html_part = _HTML_START.search(rendering)
    if html_part is None or not _has_content(_inner(rendering, html_part)):
        problems.append("empty HTML")
    if problems:
        return f'<katex-broken tex="{tex}" problem="{", ".join(problems)}"/>'
    tag = _TAG_START.search(rendering)
    tags = _tags(_inner(rendering, tag)) if tag is not None else ""
    tag_attr = f' tag="{tags}"' if tags else ""
    return f'<{name} tex="{tex}"{tag_attr}/>'


def _tags(part: str) -> str:
    """The printed numbers in a ``katex-tag`` span, one per numbered row, space-separated;
    ``[css-counter]`` for a number left to KaTeX's CSS counters (``eqn-num``)."""
    numbers = []
    pos = 0
    while (row := _TAG_ROW.search(part, pos)) is not None:
        if "eqn-num" in row.group(0):
            numbers.append("[css-counter]")
        else:
            numbers.append(re.sub(r"<[^>]*>", "", _inner(part, row)).strip())
        pos = _span_end(part, row.start())
    return " ".join(numbers)


def _has_content(part: str) -> bool:
    return "<svg" in part or bool(re.sub(r"<[^>]*>", "", part).strip())


def normalize_katex(text: str) -> str:
    """Replace every complete KaTeX rendering in ``text`` by a short marker."""
    out: list[str] = []
    pos = 0
    while (start := _KATEX_START.search(text, pos)) is not None:
        end = _span_end(text, start.start())
        out += [text[pos : start.start()], _marker(text[start.start() : end])]
        pos = end
    out.append(text[pos:])
    return "".join(out)


# ---------------------------------------------------------------- rendering


def _problem_line(problem: Problem) -> str:
    text = f"{problem.location}: {problem.message}" if problem.location else problem.message
    text = text.replace("\n", NEWLINE)
    return text if problem.severity == Severity.WARNING else f"[error] {text}"


def render_case(markdown: str) -> tuple[str, list[str]]:
    ctx = RenderContext(path=Path("fixture.md"))
    rendered = render_markdown(markdown, ctx)
    return normalize_katex(rendered.html), [_problem_line(p) for p in ctx.problems]


def update_fixtures(path: Path) -> None:
    cases = read_fixtures(path)
    for case in cases:
        if case.xfail is None:
            case.html, case.warnings = render_case(case.markdown)
    write_fixtures(path, cases)


def _params() -> Iterator[object]:
    if UPDATE and os.environ.get("PYTEST_XDIST_WORKER"):
        raise RuntimeError("INKSTONE_UPDATE_FIXTURES=1 rewrites files: run it without -n")
    for path in sorted(FIXTURES.glob("*.md")):
        if _updated(path):
            update_fixtures(path)
        for case in read_fixtures(path):
            reason = case.xfail
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            ident = f"{path.name}:{case.line}"
            yield pytest.param(case, id=ident, marks=marks)


@pytest.mark.parametrize("case", list(_params()))
def test_fixture(case: Case) -> None:
    actual_html, actual_warnings = render_case(case.markdown)
    assert "<katex-broken" not in actual_html, "KaTeX output lacks its MathML or HTML part"
    assert actual_html.rstrip("\n") == case.html.rstrip("\n"), case.title
    assert actual_warnings == case.warnings, case.title


def test_marker_keeps_tex_and_tag() -> None:
    rendered = render_markdown("$$\nx<y \\tag{A}\n$$\n", RenderContext(path=Path("t.md")))
    assert normalize_katex(rendered.html) == (
        '<div class="math-display"><katex-display tex="x&lt;y \\tag{A}" tag="(A)"/></div>\n'
    )


def test_marker_refuses_broken_katex() -> None:
    empty_html = (
        '<span class="katex"><span class="katex-mathml"><math><semantics><mi>x</mi>'
        '<annotation encoding="application/x-tex">x</annotation></semantics></math></span>'
        '<span class="katex-html" aria-hidden="true"><span class="katex-base"></span></span></span>'
    )
    assert normalize_katex(empty_html).startswith("<katex-broken")
    no_mathml = '<span class="katex"><span class="katex-html"><span>x</span></span></span>'
    assert normalize_katex(no_mathml).startswith("<katex-broken")


def test_reader_round_trip(tmp_path: Path) -> None:
    for path in sorted(FIXTURES.glob("*.md")):
        copy = tmp_path / path.name
        write_fixtures(copy, read_fixtures(path))
        assert copy.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), path.name


def test_fixture_files_exist() -> None:
    names = {path.name for path in FIXTURES.glob("*.md")}
    expected = {
        "math_delimiters.md",
        "math_edge_cases.md",
        "equations.md",
        "code_blocks.md",
        "gfm.md",
        "headings.md",
        # one file per Markdown extension
        "callouts.md",
        "admonitions.md",
        "toggles.md",
        "tabs.md",
        "bookmarks.md",
        "emoji.md",
        "inline_extras.md",
        "mermaid.md",
        "figures.md",
        "wikilinks.md",
    }
    assert expected <= names


def test_links_read_aloud_are_named_in_the_pages_language() -> None:
    """The ``↩︎`` back to a footnote's citation and the ``#`` of a heading say what they
    do, in Chinese on a Chinese page."""
    body = "## 第一节\n\n正文[^1]。\n\n[^1]: 脚注。\n"
    for zh, back, anchor in (
        (True, "回到引用处 1", "链接到本节"),
        (False, "Back to reference 1", "Link to this section"),
    ):
        html = render_markdown(body, RenderContext(path=Path("t.md"), zh=zh)).html
        assert f'class="footnote-backref" aria-label="{back}">↩︎</a>' in html
        assert f'class="heading-anchor" href="#第一节" aria-label="{anchor}">#</a>' in html
