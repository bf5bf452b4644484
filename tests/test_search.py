"""Search: the Pagefind index the build writes, what goes into it, and the query set's form.

The index's fragments (one per page: its URL, text and metadata, gzip-compressed JSON after
a ``pagefind_dcd`` signature) are read back to see what a search can find.
"""

from __future__ import annotations

import gzip
import json
import tomllib
from pathlib import Path

import pytest

from inkstone.search import index
from inkstone.search.slim import slim_page
from tests.sites import build_site, read

SITE = """\
-- site.toml --
title = "搜索测试"
language = "zh"
theme = "transmission"
-- content/posts/a.md --
---
title: 注意力笔记
date: 2025-03-01
tags: [机器学习]
---

自注意力的复杂度是平方级，缩放因子 $\\frac{1}{\\sqrt{d_k}}$ 让 softmax 不饱和。

$$\\mathbb{E}[x] = \\sum_i p_i x_i$$
-- content/posts/b.md --
---
title: 梯度裁剪
date: 2025-03-02
---

梯度裁剪把范数限制在阈值以内。
-- content/about.md --
---
title: 关于
---

这里是关于页面。
"""


def fragments(out: Path) -> dict[str, dict[str, object]]:
    """Every page in the index: URL → its fragment (``content``, ``meta`` …)."""
    pages = {}
    for path in (out / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        fragment = json.loads(data[len(b"pagefind_dcd") :])
        pages[fragment["url"]] = fragment
    return pages


def text_of(fragment: dict[str, object]) -> str:
    return str(fragment["content"]).replace("\u200b", "")


def test_index_holds_posts_and_pages_with_title_and_date(tmp_path: Path) -> None:
    report, out = build_site(tmp_path, SITE)
    assert not report.errors
    pages = fragments(out)
    assert set(pages) == {"/posts/a/", "/posts/b/", "/about/"}
    assert pages["/posts/a/"]["meta"] == {"title": "注意力笔记", "date": "2025-03-01"}
    assert "自注意力的复杂度" in text_of(pages["/posts/a/"])
    assert "机器学习" in text_of(pages["/posts/a/"])  # the tags are searchable
    assert (out / "pagefind" / "pagefind.js").is_file()
    assert not list((out / "pagefind").glob("pagefind-*ui*"))  # Pagefind's own UIs: unused
    assert "index" in report.timings
    search_page = read(out, "search/index.html")
    assert "data-search" in search_page and "<noscript>" in search_page
    assert "data-search-open" in read(out, "posts/a/index.html")
    assert (out / "assets" / "search.js").is_file()


def test_nav_footer_and_post_labels_are_not_indexed(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, SITE)
    text = text_of(fragments(out)["/posts/b/"])
    for outside in ("搜索测试", "订阅源", "由 inkstone 构建", "发布于", "归档", "回到顶部"):
        assert outside not in text
    assert "梯度裁剪把范数限制在阈值以内" in text


def test_katex_markup_is_not_indexed(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, SITE)
    text = text_of(fragments(out)["/posts/a/"])
    assert "让 softmax 不饱和" in text or "让softmax不饱和" in text.replace(" ", "")
    for noise in ("mord", "mathnormal", "frac", "sqrt", "mathbb", "d_k"):
        assert noise not in text, noise
    assert 'class="katex"' in read(out, "posts/a/index.html")  # the math is still there


def test_a_warm_build_keeps_the_index_and_an_edit_rebuilds_it(tmp_path: Path) -> None:
    report, out = build_site(tmp_path, SITE)
    index_files = sorted(p for p in (out / "pagefind").rglob("*") if p.is_file())
    stamps = {p: p.stat().st_mtime_ns for p in index_files}
    report, out = build_site(tmp_path)
    assert not report.errors
    assert {p: p.stat().st_mtime_ns for p in index_files} == stamps
    post = tmp_path / "content" / "posts" / "b.md"
    post.write_text(post.read_text(encoding="utf-8") + "\n新增一句关于权重衰减的话。\n", "utf-8")
    report, out = build_site(tmp_path)
    assert "权重衰减" in text_of(fragments(out)["/posts/b/"])


def test_search_off_writes_no_index_button_or_page(tmp_path: Path) -> None:
    report, out = build_site(tmp_path, SITE)
    assert (out / "pagefind").is_dir()
    config = tmp_path / "site.toml"
    config.write_text(config.read_text(encoding="utf-8") + "search = false\n", "utf-8")
    report, out = build_site(tmp_path)
    assert not report.errors and not report.warnings
    assert not (out / "pagefind").exists()
    assert not (out / "search").exists()
    assert not (out / "assets" / "search.js").exists()
    page = read(out, "posts/a/index.html")
    assert "data-search-open" not in page and "search-dialog" not in page
    assert "data-pagefind-body" not in page


def test_minimal_theme_gets_the_search_page(tmp_path: Path) -> None:
    report, out = build_site(tmp_path, SITE.replace('theme = "transmission"', 'theme = "minimal"'))
    assert not report.errors
    assert set(fragments(out)) == {"/posts/a/", "/posts/b/", "/about/"}
    assert "search.js" in read(out, "search/index.html")
    assert 'href="/search/"' in read(out, "index.html")


def test_a_page_claiming_search_gets_a_warning_and_the_index_is_still_written(
    tmp_path: Path,
) -> None:
    report, out = build_site(tmp_path, SITE + "-- content/search.md --\n# 我的搜索页\n")
    assert any("no search page" in str(p) for p in report.warnings)
    assert "/search/" in fragments(out)


def test_query_set_is_well_formed() -> None:
    """tests/search_queries.toml: enough queries of every kind, paths that look like pages."""
    entries = tomllib.loads(Path(__file__).with_name("search_queries.toml").read_text("utf-8"))
    queries = entries["query"]
    assert len(queries) >= 40
    for entry in queries:
        assert entry["site"] in ("demo", "generated")
        assert set(entry) <= {"q", "site", "pages", "not", "may", "topics"}
        for path in [*entry.get("pages", []), *entry.get("not", []), *entry.get("may", [])]:
            assert path.endswith("/") and not path.startswith("/")
        assert not set(entry.get("pages", [])) & set(entry.get("not", []))
    assert any(not e.get("pages") and not e.get("topics") for e in queries)  # no-match queries


def test_dev_server_rebuilds_keep_the_index(tmp_path: Path) -> None:
    """`inkstone serve` indexes on its first build only: re-indexing on every edit would
    cost Pagefind many seconds on a big site."""
    from inkstone.build import BuildMemory, BuildOptions, build
    from tests.sites import write_site

    write_site(tmp_path, SITE)
    memory = BuildMemory()
    options = BuildOptions(out_dir=tmp_path / "public")
    build(tmp_path, options, memory)
    before = fragments(tmp_path / "public")
    post = tmp_path / "content" / "posts" / "b.md"
    post.write_text(post.read_text(encoding="utf-8") + "\n新增一句关于权重衰减的话。\n", "utf-8")
    report = build(tmp_path, options, memory)
    assert not report.errors
    assert "权重衰减" in read(tmp_path / "public", "posts/b/index.html")
    assert fragments(tmp_path / "public") == before


def _formula(tex: str, inner: str) -> str:
    """KaTeX's shape of one formula: MathML with the TeX, then the nested HTML twin."""
    return (
        '<span class="katex"><span class="katex-mathml"><math><semantics><mrow><mi>x</mi>'
        f'</mrow><annotation encoding="application/x-tex">{tex}</annotation></semantics></math>'
        '</span><span class="katex-html" aria-hidden="true"><span class="katex-base">'
        '<span class="katex-strut" style="height:1em;"></span>'
        f'<span class="mord"><span class="mfrac"><span>{inner}</span></span></span>'
        "</span></span></span>"
    )


_HEAD = (
    '<!doctype html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
    "<script>var s = '<span>';</script>\n<title>注意力 · 站点</title>\n"
    '<meta name="description" content="摘要">\n</head>\n<body>\n<nav><a href="/">首页</a>'
    '<span class="nav-item">归档</span></nav>\n'
)
_TAIL = (
    '\n<footer><span>由 inkstone 构建</span></footer>\n<dialog data-pagefind="/x.js"></dialog>\n'
)
_SLIM_HEAD = '<!doctype html>\n<html lang="zh"><head><meta charset="utf-8"><title>注意力 · 站点</title></head><body>\n'
_SLIM_TAIL = "\n</body></html>\n"


def test_slimming_keeps_the_body_and_drops_the_math_and_the_rest() -> None:
    """Inline math in a heading, a table and a list, display math, nested spans."""
    inline = _formula("a &lt; b", "a<span>&lt;</span>b")
    display = _formula("\\sum_i p_i", "<span><span>∑</span></span>")
    body = (
        '<article class="post" data-pagefind-body data-pagefind-meta="date:2025-03-01">\n'
        '<h1 data-pagefind-meta="title">注意力</h1>\n'
        f'<p class="meta" data-pagefind-ignore><span>发布于</span></p>\n'
        f'<h2 id="loss">损失 {inline} 的界</h2>\n'
        f"<h3>无锚 {inline}</h3>\n"
        f'<p>缩放 <span class="note">因子{inline}</span> 让 softmax 不饱和。</p>\n'
        f'<span class="katex-display">{display}</span>\n'
        f"<table><tr><td>{inline}</td><td>第二格</td></tr></table>\n"
        f"<ul><li>一项 {inline}</li><li><article>内层</article></li></ul>\n"
        "</article>"
    )
    slim = slim_page((_HEAD + body + _TAIL).encode()).decode()
    assert (
        slim
        == _SLIM_HEAD
        + (
            '<article class="post" data-pagefind-body data-pagefind-meta="date:2025-03-01">\n'
            '<h1 data-pagefind-meta="title">注意力</h1>\n'
            '<p class="meta" data-pagefind-ignore><span>发布于</span></p>\n'
            f'<h2 id="loss">损失 {inline} 的界</h2>\n'  # its anchor's text has the formula
            "<h3>无锚 </h3>\n"
            '<p>缩放 <span class="note">因子</span> 让 softmax 不饱和。</p>\n'
            '<span class="katex-display"></span>\n'
            "<table><tr><td></td><td>第二格</td></tr></table>\n"
            "<ul><li>一项 </li><li><article>内层</article></li></ul>\n"
            "</article>"
        )
        + _SLIM_TAIL
    )


def test_slimming_a_page_without_math_keeps_its_bodies_whole() -> None:
    first = '<main data-pagefind-body>\n<p>梯度<span class="x">裁剪</span></p>\n</main>'
    second = '<DIV class="extra" data-pagefind-body="">\n<div>第二段</div>\n</DIV>'
    page = _HEAD + first + "\n<aside>不索引</aside>\n" + second + _TAIL
    assert slim_page(page.encode()).decode() == _SLIM_HEAD + first + "\n" + second + _SLIM_TAIL


@pytest.mark.parametrize(
    ("page", "why"),
    [
        (
            '<body><p data-pagefind-filter="author">我</p><main data-pagefind-body>正文</main>',
            "Pagefind reads filters outside the body too",
        ),
        (
            '<body><header><img src="/logo.png"></header><main data-pagefind-body>正文</main>',
            "an image outside the body can be the page's image",
        ),
        ("<body><h1>站点</h1><main data-pagefind-body>正文</main>", "an h1 can be the title"),
        ("<body><main>正文，没有 data-pagefind-body 的页面</main>", "no body: the whole page"),
        ("<body><main data-pagefind-body><p>正文</p>", "a body that does not close"),
    ],
)
def test_slimming_keeps_the_page_whole_where_it_cannot_tell(page: str, why: str) -> None:
    math = _formula("x", "x")
    whole = (page + f"<p>公式 {math} 之后</p></body>").encode()
    expected = whole.replace(math.encode(), b"")
    assert slim_page(whole) == expected, why


def test_slimming_leaves_unbalanced_math_alone() -> None:
    page = b'<body><main data-pagefind-body><p><span class="katex"><span>x</span></p></main>'
    assert slim_page(page) == page


def test_slimming_does_not_change_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same fragments (words, meta, headings' anchors) with slimmed pages as with whole
    ones, on pages with math in headings, tables and lists, display math, and none."""
    site = SITE + (
        "-- content/posts/c.md --\n---\ntitle: 表格与列表\ndate: 2025-03-03\n---\n\n"
        "## 损失 $\\mathcal{L}(\\theta)$ 的上界\n\n"
        "| 符号 | 含义 |\n|---|---|\n| $\\eta$ | 学习率 |\n\n"
        "- 权重 $w_{ij}$ 的初始化\n- 偏置 $b$\n\n"
        "$$\n\\begin{aligned} a &= b \\\\ c &< d \\end{aligned}\n$$\n\n结尾一句。\n"
    )
    _, out = build_site(tmp_path / "slim", site)
    page = read(out, "posts/c/index.html").encode()
    assert page.count(b'class="katex"') == 5
    assert slim_page(page).count(b'class="katex"') == 1  # the heading's: its anchor's text
    monkeypatch.setattr(index, "slim_page", lambda html: html)
    _, whole = build_site(tmp_path / "whole", site)
    slimmed = fragments(out)
    assert slimmed == fragments(whole)
    assert "学习率" in text_of(slimmed["/posts/c/"]) and slimmed["/posts/c/"]["anchors"]
