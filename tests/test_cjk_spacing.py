"""``[markdown] cjk_spacing``: gaps between CJK and Latin drawn by CSS, off by default, never
inside code, formulas, URLs or attributes, and part of the page cache key."""

from __future__ import annotations

import re
from pathlib import Path

from inkstone.markup.markdown import RenderContext, render_markdown
from inkstone.markup.plugins.cjk_spacing import GAP
from tests.sites import build_site, read


def _render(body: str, spacing: bool) -> str:
    return render_markdown(body, RenderContext(path=Path("post.md"), cjk_spacing=spacing)).html


def _without_gaps(html: str) -> str:
    return html.replace(GAP, "")


def test_off_by_default_and_when_off() -> None:
    body = "用Python写代码，跑3个实验\n"
    assert GAP not in render_markdown(body, RenderContext(path=Path("post.md"))).html
    assert GAP not in _render(body, False)


def test_gaps_where_cjk_meets_latin_letters_and_digits() -> None:
    html = _render("用Python写代码，跑3个实验\n", True)
    assert html == f"<p>用{GAP}Python{GAP}写代码，跑{GAP}3{GAP}个实验</p>\n"


def test_the_text_itself_is_unchanged() -> None:
    body = "中文English混排，第2章讲**GPU加速**与[CUDA编程](https://cuda.example)。\n"
    spaced, plain = _render(body, True), _render(body, False)
    assert spaced.count(GAP) == 8
    assert _without_gaps(spaced) == plain


def test_spaces_and_full_width_punctuation_are_left_as_written() -> None:
    for body in ("中文 English 混排\n", "中文，English。中文（Latin）\n", "“Python”是语言\n"):
        assert GAP not in _render(body, True), body


def test_gaps_cross_emphasis_and_links() -> None:
    html = _render("中文**bold**与**粗体**English，链接[docs](https://x.example)后\n", True)
    assert f"中文<strong>{GAP}bold</strong>{GAP}与" in html
    assert f"<strong>粗体</strong>{GAP}English" in html
    assert f'链接<a href="https://x.example">{GAP}docs</a>{GAP}后' in html


def test_code_math_urls_and_attributes_are_untouched() -> None:
    body = (
        "代码`中文abc`与公式$\\text{中文}x$，"
        "链接 https://zh.wikipedia.org/wiki/汉字A 与网址https://example.com/路径B，"
        '[标题](https://x.example "中文T") ![中文A](a.png)\n\n'
        "```python\nprint('中文abc')\n```\n"
    )
    spaced, plain = _render(body, True), _render(body, False)
    assert _without_gaps(spaced) == plain
    assert "<code>中文abc</code>" in spaced
    assert ">https://zh.wikipedia.org/wiki/汉字A</a>" in spaced
    assert f"网址{GAP}https://example.com/路径B，" in spaced
    assert 'title="中文T"' in spaced and 'alt="中文A"' in spaced
    assert "print" in spaced and spaced.count(GAP) == 1


def test_no_gap_across_a_line_break_or_a_formula() -> None:
    assert GAP not in _render("中文\nEnglish\n", True)
    assert GAP not in _render("中文$x$English\n", True)


def test_site_option_turns_gaps_on_and_is_part_of_the_cache_key(tmp_path: Path) -> None:
    site = """
-- site.toml --
title = "t"
-- content/posts/p.md --
---
title: 中英
date: 2025-01-01
---
用Python写代码。
"""
    report, out = build_site(tmp_path, site)
    assert not report.problems
    assert GAP not in read(out, "posts/p/index.html")
    assert build_site(tmp_path)[0].documents_cached == 1  # the page cache is in use
    # the same source, now with the option on: the cached page must not be reused
    toml = tmp_path / "site.toml"
    toml.write_text('title = "t"\n[markdown]\ncjk_spacing = true\n', encoding="utf-8")
    report, out = build_site(tmp_path)
    page = read(out, "posts/p/index.html")
    assert not report.problems
    assert re.search(f"用{re.escape(GAP)}Python{re.escape(GAP)}写代码", page)
    toml.write_text('title = "t"\n[markdown]\ncjk_spacing = false\n', encoding="utf-8")
    _, out = build_site(tmp_path)
    assert GAP not in read(out, "posts/p/index.html")


def test_a_wrong_type_is_a_config_error(tmp_path: Path) -> None:
    site = '-- site.toml --\n[markdown]\ncjk_spacing = "yes"\n-- content/a.md --\n# A\n'
    report, _ = build_site(tmp_path, site)
    assert any("`markdown.cjk_spacing` must be true or false" in str(p) for p in report.errors)
