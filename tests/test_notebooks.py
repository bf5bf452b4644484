"""Jupyter notebooks as posts: whole sites with notebooks written by nbformat."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell
from PIL import Image

from inkstone.errors import BuildReport
from tests.sites import build_site, messages, read

SITE = """
-- site.toml --
title = "Notebooks"
theme = "minimal"
language = "en"
timezone = "UTC"
-- content/posts/plain.md --
---
title: A Markdown post
date: 2024-01-01
---
Plain text.
"""
PYTHON = {
    "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
    "language_info": {"name": "python"},
}


def _png(width: int, height: int, fmt: str = "PNG") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "teal").save(buffer, fmt)
    return base64.b64encode(buffer.getvalue()).decode()


def _notebook(cells: list[Any], **metadata: Any) -> Any:
    nb = new_notebook(cells=cells, metadata={**PYTHON, **metadata})
    for number, cell in enumerate(nb.cells, start=1):
        cell.id = f"c{number}"  # stable ids: the same notebook gives the same file
    nbformat.validate(nb)
    return nb


def _write(root: Path, rel: str, nb: Any) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path


def _content(out: Path, page: str) -> str:
    """The post body of one built page."""
    text = read(out, page)
    start = text.index('<div class="post-content">') + len('<div class="post-content">')
    return text[start : text.index("\n  </div>", start)]


def _line_of(path: Path, needle: str) -> int:
    """1-based line of the notebook file holding ``needle``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


OUTPUTS = _notebook(
    [
        new_markdown_cell(
            "# Outputs of every kind\n\nProse comes first: $e^{i\\pi} + 1 = 0$ and\n\n"
            "$$\\sum_{k=1}^n k = \\frac{n(n+1)}{2}$$\n"
        ),
        new_code_cell(
            "import numpy as np\nprint('hello')",
            execution_count=1,
            outputs=[
                new_output("stream", name="stdout", text="hello\n"),
                new_output("stream", name="stdout", text="\nworld <b>\n"),
                new_output("stream", name="stderr", text="careful\n"),
                new_output("stream", name="stdout", text="10%\r50%\r100%\n"),
            ],
        ),
        new_code_cell(
            "df",
            execution_count=2,
            outputs=[
                new_output(
                    "execute_result",
                    execution_count=2,
                    data={
                        "text/html": (
                            "<style scoped>.dataframe td { color: red }</style>\n"
                            '<table border="1" class="dataframe">\n<thead>\n'
                            '<tr style="text-align: right;"><th></th><th>x</th><th>y</th></tr>\n'
                            "</thead>\n\n<tbody><tr><th>0</th><td>1</td>"
                            '<td onclick="steal()">2</td></tr></tbody></table>\n'
                            "<script>alert('owned')</script>"
                            '<img src="x.png" onerror="alert(1)">'
                        ),
                        "text/plain": "   x  y\n0  1  2",
                    },
                )
            ],
        ),
        new_code_cell(
            "plot()",
            execution_count=3,
            outputs=[
                new_output(
                    "display_data",
                    data={"image/png": _png(48, 30), "text/plain": "<Figure size 48x30>"},
                ),
                new_output(
                    "display_data",
                    data={"image/png": _png(200, 100), "text/plain": "<Figure>"},
                    metadata={"image/png": {"width": 100}},
                ),
                new_output("display_data", data={"image/jpeg": _png(12, 8, "JPEG")}),
                new_output(
                    "display_data",
                    data={"image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg"/>'},
                ),
                new_output(
                    "display_data",
                    data={"image/png": "bm90IGFuIGltYWdl", "text/plain": "broken plot"},
                ),
            ],
        ),
        new_code_cell(
            "sympy_things()",
            execution_count=4,
            outputs=[
                new_output(
                    "execute_result",
                    execution_count=4,
                    data={"text/latex": "$\\displaystyle \\alpha^{2}$", "text/plain": "alpha**2"},
                ),
                new_output(
                    "display_data", data={"text/markdown": "**bold** result", "text/plain": "x"}
                ),
                new_output("execute_result", execution_count=4, data={"text/plain": "(1, 2)"}),
                new_output(
                    "display_data",
                    data={"text/html": "<script>only()</script>", "text/plain": "fallback"},
                ),
            ],
        ),
        new_code_cell(
            "1 / 0",
            execution_count=5,
            outputs=[
                new_output(
                    "error",
                    ename="ZeroDivisionError",
                    evalue="division by zero",
                    traceback=[
                        "\x1b[0;31m---------------------------------------------------\x1b[0m",
                        "\x1b[0;31mZeroDivisionError\x1b[0m  Traceback (most recent call last)",
                        "Cell \x1b[0;32mIn[5], line 1\x1b[0m\n\x1b[0;32m----> 1\x1b[0m 1 / 0",
                        "\x1b[0;31mZeroDivisionError\x1b[0m: division by zero",
                    ],
                )
            ],
        ),
    ],
    inkstone={"date": "2025-03-01", "tags": ["jupyter"]},
)

TAGS = _notebook(
    [
        new_markdown_cell("Tags decide what is shown."),
        new_markdown_cell("SECRET NOTE", metadata={"tags": ["remove-cell"]}),
        new_code_cell(
            "removed_cell()",
            metadata={"tags": ["remove-cell"]},
            outputs=[new_output("stream", name="stdout", text="REMOVED CELL OUTPUT\n")],
        ),
        new_code_cell(
            "removed_input()",
            metadata={"tags": ["remove-input"]},
            outputs=[new_output("stream", name="stdout", text="KEPT OUTPUT 1\n")],
        ),
        new_code_cell(
            "kept_input_1()",
            metadata={"tags": ["remove-output"]},
            outputs=[new_output("stream", name="stdout", text="REMOVED OUTPUT\n")],
        ),
        new_code_cell(
            "hidden_input()",
            metadata={"tags": ["hide-input"]},
            outputs=[new_output("stream", name="stdout", text="SHOWN OUTPUT 2\n")],
        ),
        new_code_cell(
            "kept_input_2()",
            metadata={"tags": ["hide-output"]},
            outputs=[new_output("stream", name="stdout", text="HIDDEN OUTPUT 3\n")],
        ),
        new_code_cell(
            "hidden_whole()",
            metadata={"tags": ["hide-cell"]},
            outputs=[new_output("stream", name="stdout", text="HIDDEN OUTPUT 4\n")],
        ),
        new_code_cell(
            "lab_hidden_source()",
            metadata={"jupyter": {"source_hidden": True, "outputs_hidden": True}},
            outputs=[new_output("stream", name="stdout", text="HIDDEN OUTPUT 5\n")],
        ),
    ],
    title="Tagged cells",
    date="2025-03-02",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildReport, Path, Path]:
    """One site with several notebooks, built once: (report, output, site folder)."""
    root = tmp_path_factory.mktemp("notebooks")
    build_site(root, SITE)  # writes the files (and a first build)
    content = root / "content"
    _write(content, "posts/outputs.ipynb", OUTPUTS)
    _write(content, "posts/tags.ipynb", TAGS)
    _write(
        content,
        "posts/2025-01-11-front-matter.ipynb",
        _notebook(
            [
                new_raw_cell("---\ntitle: 原始单元格的标题\ncategories: [笔记]\n---"),
                new_markdown_cell("# Not the title\n\nBody ![pic](attachment:dot.png)"),
            ],
            title="Ignored: the raw cell wins",
        ),
    )
    _write(
        content,
        "posts/kernels.ipynb",
        _notebook(
            [new_code_cell('println("hi ``` there")')],
            kernelspec={"name": "julia", "display_name": "Julia"},
            language_info={"name": "julia"},
            inkstone={"title": "Julia cells", "date": "2025-02-01"},
        ),
    )
    attached = content / "posts/2025-01-11-front-matter.ipynb"
    data = json.loads(attached.read_text(encoding="utf-8"))
    data["cells"][1]["attachments"] = {"dot.png": {"image/png": _png(2, 2)}}
    attached.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
    checkpoints = content / "posts" / ".ipynb_checkpoints"
    _write(checkpoints, "outputs-checkpoint.ipynb", OUTPUTS)
    report, out = build_site(root)
    return report, out, root


def test_notebooks_build_without_errors_and_checkpoints_are_skipped(
    site: tuple[BuildReport, Path, Path],
) -> None:
    report, out, _ = site
    assert not report.errors, messages(report)
    assert {p.name for p in (out / "posts").iterdir()} == {
        "plain",
        "outputs",
        "tags",
        "front-matter",
        "kernels",
    }


def test_title_from_first_heading_is_not_repeated(site: tuple[BuildReport, Path, Path]) -> None:
    _, out, _ = site
    page = read(out, "posts/outputs/index.html")
    assert '<h1 class="post-title" data-pagefind-meta="title">Outputs of every kind</h1>' in page
    assert "Outputs of every kind" not in _content(out, "posts/outputs/index.html")


def test_title_and_front_matter_from_metadata(site: tuple[BuildReport, Path, Path]) -> None:
    _, out, _ = site
    assert '<h1 class="post-title" data-pagefind-meta="title">Tagged cells</h1>' in read(
        out, "posts/tags/index.html"
    )
    assert '<time datetime="2025-03-02' in read(out, "posts/tags/index.html")
    julia = read(out, "posts/kernels/index.html")
    assert "Julia cells</h1>" in julia and '<time datetime="2025-02-01' in julia
    assert (out / "tags" / "jupyter" / "index.html").is_file()


def test_raw_cell_front_matter_wins_and_file_name_gives_the_date(
    site: tuple[BuildReport, Path, Path],
) -> None:
    _, out, _ = site
    page = read(out, "posts/front-matter/index.html")
    assert "原始单元格的标题</h1>" in page
    assert '<time datetime="2025-01-11' in page
    body = _content(out, "posts/front-matter/index.html")
    assert "Not the title" in body, "with a title in front matter, the heading stays"
    assert "---" not in body and "categories" not in body, "the raw cell is not shown"
    assert (out / "categories" / "笔记" / "index.html").is_file()


def test_attachments_become_data_uris(site: tuple[BuildReport, Path, Path]) -> None:
    _, out, _ = site
    body = _content(out, "posts/front-matter/index.html")
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+" alt="pic"', body)


def test_markdown_cells_typeset_math(site: tuple[BuildReport, Path, Path]) -> None:
    _, out, _ = site
    body = _content(out, "posts/outputs/index.html")
    prose = body[: body.index("code-block")]
    assert prose.count('class="katex"') == 2 and "katex-display" in prose
    assert "$" not in prose


def test_code_cells_highlighted_in_the_kernel_language(
    site: tuple[BuildReport, Path, Path],
) -> None:
    _, out, _ = site
    body = _content(out, "posts/outputs/index.html")
    assert 'data-lang="python"' in body
    assert '<span class="kn">import</span>' in body
    julia = _content(out, "posts/kernels/index.html")
    assert 'data-lang="julia"' in julia and "hi ``` there" in julia


def test_streams_merged_escaped_and_kept_on_one_block(site: tuple[BuildReport, Path, Path]) -> None:
    _, out, _ = site
    body = _content(out, "posts/outputs/index.html")
    assert (
        '<pre class="nb-output nb-stream" tabindex="0">hello&#10;&#10;world &lt;b&gt;</pre>' in body
    )
    assert '<pre class="nb-output nb-stream nb-stderr" tabindex="0">careful</pre>' in body
    assert '<pre class="nb-output nb-stream" tabindex="0">100%</pre>' in body, (
        "\\r overwrites the line"
    )


def test_html_output_sanitised_table_kept(site: tuple[BuildReport, Path, Path]) -> None:
    _, out, _ = site
    body = _content(out, "posts/outputs/index.html")
    html_output = re.search(r'<div class="nb-output nb-html">(.*?)</div>', body)
    assert html_output is not None
    table = html_output.group(1)
    assert "<table>" in table and "<th>x</th>" in table and "<td>2</td>" in table
    assert "<tr><td></td><th>x</th>" in table, "the corner above the index names no column"
    assert "<tr><th>0</th><td>1</td>" in table, "the index's cells head their rows"
    for gone in ("<script", "alert", "onerror", "onclick", "style", "<img", "dataframe"):
        assert gone not in table, gone
    assert "fallback" in body, "an output whose HTML is all script falls back to its text"
    assert "only()" not in body


def test_images_embedded_with_their_size(site: tuple[BuildReport, Path, Path]) -> None:
    report, out, root = site
    body = _content(out, "posts/outputs/index.html")
    images = re.findall(r'<div class="nb-output nb-image"><img src="data:([^;]+);base64,', body)
    assert images == ["image/png", "image/png", "image/jpeg", "image/svg+xml"]
    assert 'width="48" height="30"' in body, "the size Pillow reads"
    assert 'width="100" height="50"' in body, "Jupyter's width metadata, height in proportion"
    assert 'width="12" height="8"' in body
    assert '<pre class="nb-output nb-text" tabindex="0">broken plot</pre>' in body
    path = root / "content" / "posts" / "outputs.ipynb"
    broken = [p for p in report.problems if "not a readable image" in p.message]
    assert len(broken) == 1
    assert broken[0].location == f"content/posts/outputs.ipynb:{_line_of(path, 'plot()')}"


def test_latex_and_markdown_outputs_go_through_the_pipeline(
    site: tuple[BuildReport, Path, Path],
) -> None:
    _, out, _ = site
    body = _content(out, "posts/outputs/index.html")
    latex = re.search(r'<div class="nb-output nb-latex">\n<div class="math-display">', body)
    assert latex is not None, "a one-formula output is a display formula"
    assert "katex-display" in body[latex.end() :].split("</div>")[0]
    assert "<strong>bold</strong> result" in body
    assert '<pre class="nb-output nb-text" tabindex="0">(1, 2)</pre>' in body


def test_traceback_without_ansi_codes(site: tuple[BuildReport, Path, Path]) -> None:
    _, out, _ = site
    body = _content(out, "posts/outputs/index.html")
    error = re.search(r'<pre class="nb-output nb-error" tabindex="0">(.*?)</pre>', body)
    assert error is not None
    assert "\x1b" not in error.group(1) and "[0;31m" not in error.group(1)
    assert "ZeroDivisionError: division by zero" in error.group(1)
    assert "----&gt; 1 1 / 0" in error.group(1)


def test_cell_tags_remove_and_hide(site: tuple[BuildReport, Path, Path]) -> None:
    _, out, _ = site
    body = _content(out, "posts/tags/index.html")
    for gone in ("SECRET NOTE", "removed_cell", "REMOVED CELL OUTPUT", "removed_input"):
        assert gone not in body, gone
    assert "REMOVED OUTPUT" not in body and "kept_input_1" in body
    assert "KEPT OUTPUT 1" in body
    folded = re.findall(r'<div class="nb-hidden nb-hidden-(\w+)"><details><summary>', body)
    assert folded == ["input", "output", "cell", "input", "output"]
    sections = body.split('<div class="nb-hidden ')[1:]
    inside, after = sections[0].split("</details>", 1)
    assert "hidden_input" in inside and "SHOWN OUTPUT 2" not in inside
    assert "SHOWN OUTPUT 2" in after and "kept_input_2" in after
    assert "HIDDEN OUTPUT 3" in sections[1].split("</details>")[0]
    assert "hidden_whole" in sections[2] and "HIDDEN OUTPUT 4" in sections[2]
    assert "lab_hidden_source" in sections[3] and "HIDDEN OUTPUT 5" in sections[4]
    assert "Show code</summary>" in body and "Show output</summary>" in body


def _excerpt(home: str, title: str) -> str:
    found = re.search(re.escape(title) + r'.*?post-excerpt">(.*?)</div>', home, re.S)
    assert found is not None, title
    return found.group(1)


def test_excerpt_in_the_home_feed_is_prose(site: tuple[BuildReport, Path, Path]) -> None:
    _, out, _ = site
    home = read(out, "index.html")
    outputs = _excerpt(home, "Outputs of every kind")
    assert outputs.startswith('Prose comes first: <span class="katex">')
    for not_prose in ("import", "hello", "careful", "ZeroDivisionError", "(1, 2)"):
        assert not_prose not in outputs, not_prose
    assert outputs.count('class="katex"') == 1, "display formulas and LaTeX outputs are left out"
    assert _excerpt(home, "Tagged cells") == "Tags decide what is shown."


def test_second_build_renders_nothing_again(site: tuple[BuildReport, Path, Path]) -> None:
    report, _, root = site
    again, _ = build_site(root)
    assert again.documents_cached == 5 and again.formulas_typeset == 0
    assert messages(again) == messages(report)


def test_katex_error_in_a_markdown_cell_names_the_notebook_line(tmp_path: Path) -> None:
    build_site(tmp_path, SITE)
    nb = _notebook(
        [
            new_markdown_cell("# T\n\nFine $x$."),
            new_code_cell("x = 1\ny = 2", outputs=[new_output("stream", text="a\nb\nc\n")]),
            new_markdown_cell("Intro\n\nbroken $\\frac{1}{\\nope}$ here"),
        ],
        date="2025-01-01",
    )
    path = _write(tmp_path / "content", "posts/katex.ipynb", nb)
    report, _ = build_site(tmp_path)
    katex = [p for p in report.problems if "KaTeX" in p.message]
    assert len(katex) == 1
    assert katex[0].location == f"content/posts/katex.ipynb:{_line_of(path, 'nope')}"


def test_malformed_notebooks_are_reported_and_the_rest_builds(tmp_path: Path) -> None:
    build_site(tmp_path, SITE)
    posts = tmp_path / "content" / "posts"
    (posts / "not-json.ipynb").write_text('{\n "cells": [\n  {,\n ]\n}\n', encoding="utf-8")
    nb = json.loads(nbformat.writes(_notebook([new_code_cell("x")], title="t", date="2025-01-01")))
    del nb["cells"][0]["outputs"]
    (posts / "invalid.ipynb").write_text(json.dumps(nb, indent=1), encoding="utf-8")
    (posts / "list.ipynb").write_text("[1, 2]", encoding="utf-8")
    report, out = build_site(tmp_path)
    errors = [str(p) for p in report.errors]
    assert len(errors) == 3, errors
    line = _line_of(posts / "invalid.ipynb", '"x"')
    assert errors[0].startswith(
        f"content/posts/invalid.ipynb:{line}: not a valid Jupyter notebook:"
    )
    assert "outputs" in errors[0] and "open and save it in Jupyter" in errors[0]
    assert errors[1].startswith("content/posts/list.ipynb: not a Jupyter notebook")
    assert errors[2].startswith("content/posts/not-json.ipynb:3:4: notebook is not valid JSON")
    assert (out / "posts" / "plain" / "index.html").is_file()


def test_zero_config_folder_builds_its_notebooks(tmp_path: Path) -> None:
    nb = _notebook([new_markdown_cell("# Loose notebook\n\nHello from a folder.")])
    _write(tmp_path, "2025-02-03-loose.ipynb", nb)
    _write(tmp_path, "notes/page.ipynb", _notebook([new_markdown_cell("Just a page.")]))
    report, out = build_site(tmp_path)
    assert not report.errors, messages(report)
    assert "Loose notebook" in read(out, "index.html")
    assert "Just a page." in read(out, "notes/page/index.html")


def test_bad_yaml_in_a_raw_cell_names_its_line_in_the_notebook(tmp_path: Path) -> None:
    build_site(tmp_path, SITE)
    nb = _notebook(
        [
            new_raw_cell("---\ntitle: ok\ndate: 2025-01-01\nsummary: a: b\n---"),
            new_markdown_cell("Body."),
        ]
    )
    path = _write(tmp_path / "content", "posts/raw.ipynb", nb)
    report, out = build_site(tmp_path)
    assert [str(p) for p in report.errors] == [
        f"content/posts/raw.ipynb:{_line_of(path, 'summary: a: b')}: invalid YAML front matter: "
        "mapping values are not allowed in this context (in the front matter of cell 1) "
        "(quote values that contain `:` or start with `[`, `{`, `*` or `&`)"
    ]
    assert (out / "posts" / "plain" / "index.html").is_file()
