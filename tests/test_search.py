"""Search: the Pagefind index the build writes, what goes into it, and the query set's form.

The index's fragments (one per page: its URL, text and metadata, gzip-compressed JSON after
a ``pagefind_dcd`` signature) are read back to see what a search can find.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import threading
import time
import tomllib
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from inkstone.build import BuildMemory, BuildOptions, build, refresh_search
from inkstone.search import index, slim
from inkstone.search.slim import (
    page_digest,
    plain_code,
    slim_and_digest,
    slim_page,
    without_ignored,
)
from inkstone.search.words import CJK_CHARACTERS, spaced_for_index
from tests.sites import build_site, read, write_site

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


def fragments(out: Path, folder: str = "pagefind") -> dict[str, dict[str, object]]:
    """Every page in the index (or in the shard in ``folder``): URL → its fragment
    (``content``, ``meta`` …)."""
    pages = {}
    for path in (out / folder / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        fragment = json.loads(data[len(b"pagefind_dcd") :])
        pages[fragment["url"]] = fragment
    return pages


_CJK_GAP = re.compile(f"(?<=[{CJK_CHARACTERS}])\\s+(?=[{CJK_CHARACTERS}])")


def joined(text: str) -> str:
    """``text`` as the search UI shows it: without the spaces between CJK characters, which
    the index has one by one."""
    return _CJK_GAP.sub("", text)


def text_of(fragment: dict[str, object]) -> str:
    """A page's text in the index, as the search UI reads it."""
    return joined(str(fragment["content"]).replace("\u200b", ""))


def meta_of(fragment: dict[str, object]) -> dict[str, str]:
    """A page's metadata in the index, as the search UI shows it."""
    meta = fragment["meta"]
    assert isinstance(meta, dict)
    return {key: joined(value) for key, value in meta.items()}


def served(root: Path, text: str) -> tuple[BuildMemory, BuildOptions]:
    """The site ``text`` written to ``root`` and built as ``inkstone serve`` builds it: the
    memory and options its rebuilds go on with."""
    write_site(root, text)
    memory = BuildMemory()
    options = BuildOptions(out_dir=root / "public")
    build(root, options, memory)
    return memory, options


def add_sentence(post: Path, sentence: str) -> None:
    """An edit: ``sentence`` added at the end of ``post``."""
    post.write_text(post.read_text(encoding="utf-8") + f"\n{sentence}\n", "utf-8")


def test_index_holds_posts_and_pages_with_title_and_date(tmp_path: Path) -> None:
    report, out = build_site(tmp_path, SITE)
    assert not report.errors
    pages = fragments(out)
    assert set(pages) == {"/posts/a/", "/posts/b/", "/about/"}
    assert meta_of(pages["/posts/a/"]) == {"title": "注意力笔记", "date": "2025-03-01"}
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


def test_formulas_are_indexed_as_their_text_not_katex_markup(tmp_path: Path) -> None:
    """An excerpt reads as the post does, its formulas as one line of text each."""
    _, out = build_site(tmp_path, SITE)
    text = text_of(fragments(out)["/posts/a/"])
    assert "缩放因子 1/√dₖ 让 softmax 不饱和。 𝔼[x]=∑ᵢ pᵢxᵢ." in text
    for noise in ("mord", "mathnormal", "frac", "sqrt", "mathbb", "d_k"):
        assert noise not in text, noise
    assert 'class="katex"' in read(out, "posts/a/index.html")  # the math is still there


def test_a_formula_in_a_title_is_the_result_title_as_it_reads(tmp_path: Path) -> None:
    """The result's title reads as the page's heading does, its formula as one line of
    text, and the formula's words find the page."""
    site = SITE.replace("title: 注意力笔记", "title: 注意力为什么要除以 $\\sqrt{d_k}$")
    assert site != SITE
    _, out = build_site(tmp_path, site)
    page = fragments(out)["/posts/a/"]
    assert meta_of(page)["title"] == "注意力为什么要除以 √dₖ"
    assert text_of(page).startswith("注意力为什么要除以 √dₖ")
    assert '为什么要除以 <span class="katex">' in read(out, "posts/a/index.html")


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


def test_dev_server_rebuilds_keep_the_index_and_its_refresh_brings_it_up_to_date(
    tmp_path: Path,
) -> None:
    """`inkstone serve`'s full rebuild keeps the index, so that the open pages reload at
    once; its next step indexes the edited page again."""
    memory, options = served(tmp_path, SITE)
    before = fragments(tmp_path / "public")
    assert refresh_search(tmp_path, options, memory) is None  # nothing to index again
    add_sentence(tmp_path / "content" / "posts" / "b.md", "新增一句关于权重衰减的话。")
    report = build(tmp_path, options, memory)
    assert not report.errors
    assert "权重衰减" in read(tmp_path / "public", "posts/b/index.html")
    assert fragments(tmp_path / "public") == before

    refreshed = refresh_search(tmp_path, options, memory)
    assert refreshed is not None and refreshed.search_refresh and not refreshed.problems
    after = fragments(tmp_path / "public")
    assert "权重衰减" in text_of(after["/posts/b/"])
    assert {url: after[url] for url in ("/posts/a/", "/about/")} == {
        url: before[url] for url in ("/posts/a/", "/about/")
    }
    assert refreshed.written and all(rel.startswith("pagefind/") for rel in refreshed.written)
    on_disk = set(index_files(tmp_path / "public"))
    assert on_disk == {rel for rel in memory.files if rel.startswith("pagefind/")}
    assert refresh_search(tmp_path, options, memory) is None
    assert not list(tmp_path.glob(".public.inkstone-*")), "no staging folder is left"


def _formula(tex: str, inner: str, mathml: str = "<mi>x</mi>") -> str:
    """KaTeX's shape of one formula: MathML with the TeX, then the nested HTML twin."""
    return (
        f'<span class="katex"><span class="katex-mathml"><math><semantics><mrow>{mathml}'
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


def test_slimming_keeps_the_body_and_puts_each_formula_as_its_text() -> None:
    """Inline math in a heading, a table and a list, display math, nested spans: each
    formula becomes its one line of text (escaped), except where Pagefind reads the
    formula itself (a heading's anchor)."""
    inline = _formula("a &lt; b", "a<span>&lt;</span>b", "<mi>a</mi><mo>&lt;</mo><mi>b</mi>")
    sum_mathml = "<munder><mo>∑</mo><mi>i</mi></munder><msub><mi>p</mi><mi>i</mi></msub>"
    display = _formula("\\sum_i p_i", "<span><span>∑</span></span>", sum_mathml)
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
            "<h3>无锚 a&lt;b</h3>\n"
            '<p>缩放 <span class="note">因子a&lt;b</span> 让 softmax 不饱和。</p>\n'
            '<span class="katex-display">∑ᵢ pᵢ</span>\n'
            "<table><tr><td>a&lt;b</td><td>第二格</td></tr></table>\n"
            "<ul><li>一项 a&lt;b</li><li><article>内层</article></li></ul>\n"
            "</article>"
        )
        + _SLIM_TAIL
    )


def test_slimming_a_page_with_math_as_text_keeps_its_bodies_whole() -> None:
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
    math = _formula("y", "y", "<mi>y</mi>")
    whole = (page + f"<p>公式 {math} 之后</p></body>").encode()
    expected = whole.replace(math.encode(), b"y")
    assert slim_page(whole) == expected, why


def test_code_blocks_lose_their_highlighting_unless_a_span_says_more() -> None:
    plain = b'<pre tabindex="0"><code><span class="k">def</span> <span>f</span>()</code></pre>'
    marked = b'<pre><code><span class="k">def</span> <span id="x">g</span>()</code></pre>'
    numbered = b'<pre><code><span class="linenos">1</span><span class="n">h</span></code></pre>'
    other = b'<pre-note><span class="k">no pre</span></pre-note>'
    page = b"<p>a</p>" + plain + marked + other + numbered + b"<pre><span>open"
    assert (
        plain_code(page)
        == (b'<p>a</p><pre tabindex="0"><code>def f()</code></pre>' + marked + other + numbered)
        + b"<pre><span>open"
    )


def test_slimming_leaves_unbalanced_math_alone() -> None:
    page = b'<body><main data-pagefind-body><p><span class="katex"><span>x</span></p></main>'
    assert slim_page(page) == page


def test_slimming_changes_the_index_only_by_the_formulas_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same fragments (words, meta, headings' anchors) with slimmed pages as with whole
    ones whose formulas are made text the same way, on pages with math in headings, tables
    and lists, display math, and none; and that text is what the index holds of them."""
    site = SITE + (
        "-- content/posts/c.md --\n---\ntitle: 表格与列表\ndate: 2025-03-03\n---\n\n"
        "## 损失 $\\mathcal{L}(\\theta)$ 的上界\n\n"
        "| 符号 | 含义 |\n|---|---|\n| $\\eta$ | 学习率 |\n\n"
        "- 权重 $w_{ij}$ 的初始化\n- 偏置 $b$\n\n"
        "$$\n\\begin{aligned} a &= b \\\\ c &< d \\end{aligned}\n$$\n\n结尾一句。\n\n"
        "```python\ndef clip_grad(norm_limit):\n    return 'x<y' if norm_limit else None\n```\n\n"
        "```python linenos\nrescale = lambda g: g / 2\n```\n"
    )
    _, out = build_site(tmp_path / "slim", site)
    page = read(out, "posts/c/index.html").encode()
    assert page.count(b'class="katex"') == 5
    slimmed_page, digest = slim_and_digest(page)
    assert (slimmed_page, digest) == (slim_page(page), page_digest(page))
    assert slimmed_page.count(b'class="katex"') == 1  # the heading's: its anchor's text
    # highlighting is dropped, the code's text kept; the block with line numbers stays whole
    assert b"<code>def clip_grad(norm_limit):\n    return &#39;x&lt;y&#39;" in slimmed_page
    assert slimmed_page.count(b'<span class="linenos">') == 1
    assert b'<span class="n">rescale</span>' in slimmed_page
    monkeypatch.setattr(
        index, "slim_and_digest", lambda html, *_: (_formulas_as_text(html), page_digest(html))
    )
    _, whole = build_site(tmp_path / "whole", site)
    slimmed = fragments(out)
    assert slimmed == fragments(whole)
    text = text_of(slimmed["/posts/c/"])
    assert "η. 学习率" in text and slimmed["/posts/c/"]["anchors"]
    assert "权重 wᵢⱼ 的初始化" in text
    assert "a=b; c<d" in text  # the aligned rows
    assert "def clip_grad (norm_limit):" in text  # a name apart


def _formulas_as_text(html: bytes) -> bytes:
    """The whole page, with the formulas of its ``data-pagefind-body`` elements made text as
    slimming makes them (:func:`~inkstone.search.slim.with_math_as_text`) and nothing else cut."""
    bodies = slim._bodies(html)
    assert bodies
    pieces: list[bytes] = []
    pos = 0
    for start, end in bodies:
        body = slim.with_math_as_text(html[start:end])
        assert body is not None
        pieces += (html[pos:start], body)
        pos = end
    return b"".join((*pieces, html[pos:]))


RICH_POST = (
    "-- content/posts/d.md --\n---\ntitle: 公式各处\ndate: 2025-03-04\n---\n\n"
    "## 损失 $\\mathcal{L}$ 与 $x$\n\n正文 $x$ 与 $y^2$[^1]，又见 $x$。\n\n"
    "$$\nE = mc^2 \\label{eq:e}\n$$\n\n由 $\\eqref{eq:e}$ 可得 $$a+b$$ 行内。\n\n"
    "| 符号 | 含义 |\n|---|---|\n| $\\eta$ | 学习率 |\n\n"
    '<div id="box">盒内 <b>粗</b></div>\n\n'
    "> [!NOTE] 提示 $z$\n> 引用里 $w$\n\n"
    "[^1]: 脚注里 $f(x)$ 与 $x$。\n"
)


def test_pages_slimmed_from_the_workers_bodies_are_the_pages_slimmed_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each post comes to the search step with its body less its formulas, made as it was
    rendered; spliced into the page, it slims to the very bytes of the page slimmed whole:
    formulas in headings and footnotes (elements with an id: their anchors' text) and
    numbered equations stay, the others go. A page that holds the body in an element with
    an id is slimmed whole."""
    calls: list[tuple[bytes, bytes | None, bytes | None]] = []
    real = slim.slim_and_digest

    def spy(page: bytes, body: bytes | None = None, search: bytes | None = None) -> object:
        calls.append((page, body, search))
        return real(page, body, search)

    monkeypatch.setattr(index, "slim_and_digest", spy)
    report, _ = build_site(tmp_path, SITE + RICH_POST)
    assert not report.errors
    assert len(calls) == 4  # three posts and the about page
    for page, body, search in calls:
        assert body is not None and search is not None and body in page
        spliced = slim._slim_spliced(page, body, search)
        assert spliced == slim_page(page)
    page, body, search = next(c for c in calls if "盒内".encode() in (c[1] or b""))
    assert body is not None and search is not None
    assert body.count(b'<span class="katex">') == 12
    # those in the heading (2), the footnote (2) and the numbered equation (1) stay
    assert search.count(b'<span class="katex">') == 5
    # an id around the body: its formulas stay, so the page is slimmed whole
    boxed = page.replace(body, b'<div id="wrap">' + body + b"</div>")
    assert slim._slim_spliced(boxed, body, search) is None
    assert slim_and_digest(boxed, body, search) == slim_and_digest(boxed)
    # a body the page does not hold as it is
    assert slim._slim_spliced(page, body + b" ", search) is None


# --------------------------------------------------------------------------- shards

SHARDED = """\
-- site.toml --
title = "分片测试"
language = "zh"
-- content/about.md --
---
title: 关于
---

这里是关于页面。
"""
SHARDED_POSTS = {
    # slug: its shard among 4, its text (梯度 is in posts of shards 1 and 3)
    "dropout": (0, "丢弃法在训练时随机置零一部分神经元。"),
    "fourier": (0, "傅里叶变换把信号分解成频率分量。"),
    "clipping": (1, "梯度裁剪把范数限制在阈值以内。"),
    "hessian": (1, "海森矩阵是二阶导数组成的矩阵。"),
    "attention": (2, "自注意力对序列两两打分。"),
    "embedding": (2, "词嵌入把词映射成稠密向量。"),
    "softmax": (3, "归一化指数函数的梯度很好算。"),
    "jacobian": (3, "雅可比矩阵由一阶偏导数组成。"),
    "tensor": (3, "张量是多维数组。"),
}
"""Nine posts and the about page: with three pages to a shard, four shards (ceil(10 / 3)
rounded up to a power of two), none empty; the slugs are chosen for that."""


def sharded_site() -> str:
    posts = "".join(
        f"-- content/posts/{slug}.md --\n---\ntitle: {slug} 笔记\ndate: 2025-03-0{n + 1}\n"
        f"tags: [{slug}]\n---\n\n{text}\n"
        for n, (slug, (_, text)) in enumerate(SHARDED_POSTS.items())
    )
    return SHARDED + posts


@pytest.fixture
def results(monkeypatch: pytest.MonkeyPatch) -> list[index.SearchIndex | None]:
    """What the search step returned, build after build (the build itself drops it)."""
    seen: list[index.SearchIndex | None] = []
    finish = index.SearchJob.finish

    def recording(job: index.SearchJob) -> index.SearchIndex | None:
        seen.append(finish(job))
        return seen[-1]

    monkeypatch.setattr(index.SearchJob, "finish", recording)
    return seen


def last_index(results: list[index.SearchIndex | None]) -> index.SearchIndex:
    """What the last build's search step returned; it must have returned an index."""
    result = results[-1]
    assert result is not None
    return result


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty folder that is the system's temporary folder for the test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


@pytest.fixture
def small_shards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index, "SHARD_PAGES", 3)


@pytest.fixture
def read_back(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages (``…/index.html``) the build reads back from its output, in order."""
    from inkstone.output.writer import SiteWriter

    pages: list[str] = []
    read_bytes = SiteWriter.read_bytes

    def recording(writer: SiteWriter, rel: PurePosixPath | str) -> bytes | None:
        if str(rel).endswith("index.html"):
            pages.append(str(rel))
        return read_bytes(writer, rel)

    monkeypatch.setattr(SiteWriter, "read_bytes", recording)
    return pages


def shard_folders(out: Path) -> list[str]:
    """``pagefind`` and each ``pagefind/shard-N`` that exists, in shard order."""
    found = sorted(
        (int(p.name.removeprefix("shard-")), p) for p in (out / "pagefind").glob("shard-*")
    )
    return ["pagefind", *(p.relative_to(out).as_posix() for _, p in found)]


def index_files(out: Path) -> dict[str, int]:
    """Every file under ``/pagefind/`` → its modification time."""
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns
        for p in (out / "pagefind").rglob("*")
        if p.is_file()
    }


def test_shard_count_and_assignment() -> None:
    assert [index.shard_count(n) for n in (0, 1, 500, 501, 1000, 1001, 1500, 2001)] == [
        1, 1, 1, 2, 2, 4, 4, 8,
    ]  # fmt: skip
    page = PurePosixPath("posts/rope/index.html")
    digits = int(hashlib.sha1(b"posts/rope/index.html").hexdigest()[:8], 16)
    assert [index.shard_of(page, k) for k in (1, 2, 4, 8)] == [digits % k for k in (1, 2, 4, 8)]
    # A count that would leave a shard empty is halved until none is.
    pages = [PurePosixPath(f"posts/{slug}/index.html") for slug in ("dropout", "fourier")]
    assert index.split_into_shards(pages) == [pages]


def test_a_big_site_is_split_into_shards_with_a_manifest(
    tmp_path: Path, small_shards: None, results: list[index.SearchIndex | None]
) -> None:
    report, out = build_site(tmp_path, sharded_site())
    assert not report.errors and not report.warnings
    result = last_index(results)
    assert (result.pages, result.shards, result.shards_rebuilt, result.rebuilt) == (10, 4, 4, True)
    manifest = json.loads(read(out, "pagefind/shards.json"))
    assert manifest == {"shards": ["shard-1/", "shard-2/", "shard-3/"]}
    folders = shard_folders(out)
    assert folders == ["pagefind", "pagefind/shard-1", "pagefind/shard-2", "pagefind/shard-3"]
    assert result.files == len(index_files(out))
    # Pagefind's library is in shard 0 only: a merged index is searched with its WebAssembly.
    assert (out / "pagefind" / "pagefind.js").is_file()
    assert list((out / "pagefind").glob("wasm.*.pagefind"))
    for folder in folders[1:]:
        names = {p.name for p in (out / folder).iterdir()}
        assert "pagefind-entry.json" in names and any(n.endswith(".pf_meta") for n in names)
        assert not {n for n in names if n.startswith(("pagefind.js", "pagefind-", "wasm."))} - {
            "pagefind-entry.json"
        }
    # Every searchable page is in exactly one shard, the one its path hashes to.
    where: dict[str, list[int]] = {}
    for number, folder in enumerate(folders):
        shard = fragments(out, folder)
        entry = json.loads(read(out, f"{folder}/pagefind-entry.json"))
        assert entry["languages"][index.index_language("zh")]["page_count"] == len(shard)
        for url in shard:
            where.setdefault(url, []).append(number)
    expected = {f"/posts/{slug}/": [n] for slug, (n, _) in SHARDED_POSTS.items()}
    assert where == {**expected, "/about/": [0]}
    for url, (number,) in where.items():
        assert index.shard_of(PurePosixPath(url.strip("/")) / "index.html", 4) == number
    assert "梯度裁剪" in text_of(fragments(out, "pagefind/shard-1")["/posts/clipping/"])


def test_an_edit_reindexes_only_the_shard_of_the_post(
    tmp_path: Path, small_shards: None, results: list[index.SearchIndex | None]
) -> None:
    _, out = build_site(tmp_path, sharded_site())
    before = index_files(out)
    pages = {p: p.stat().st_mtime_ns for p in (out / "posts").rglob("index.html")}
    report, out = build_site(tmp_path)  # nothing changed: every shard is kept
    assert not report.errors
    result = last_index(results)
    assert (result.shards, result.shards_rebuilt, result.rebuilt) == (4, 0, False)
    assert index_files(out) == before
    post = tmp_path / "content" / "posts" / "softmax.md"  # shard 3
    post.write_text(post.read_text(encoding="utf-8") + "\n新增一句关于温度系数的话。\n", "utf-8")
    report, out = build_site(tmp_path)
    assert not report.errors
    result = last_index(results)
    assert (result.shards, result.shards_rebuilt, result.rebuilt) == (4, 1, True)
    after = index_files(out)
    outside = {rel: t for rel, t in before.items() if not rel.startswith("pagefind/shard-3/")}
    assert {rel: after.get(rel) for rel in outside} == outside  # not even rewritten
    assert {rel for rel in after if rel.startswith("pagefind/shard-3/")} != {
        rel for rel in before if rel.startswith("pagefind/shard-3/")
    }  # the changed fragment has another name
    assert "温度系数" in text_of(fragments(out, "pagefind/shard-3")["/posts/softmax/"])
    # The edit changed the lists of related posts of posts in other shards too: their pages
    # are new, what the index reads of them is not.
    rewritten = {p.parent.name for p, t in pages.items() if p.stat().st_mtime_ns != t}
    assert rewritten - {"softmax", "jacobian", "tensor"}
    assert set(fragments(out, "pagefind/shard-3")) == {
        "/posts/softmax/",
        "/posts/jacobian/",
        "/posts/tensor/",
    }


def test_one_shard_has_an_empty_manifest_and_a_shrunk_site_loses_its_shards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, results: list[index.SearchIndex | None]
) -> None:
    _, out = build_site(tmp_path / "small", SITE)
    result = last_index(results)
    assert (result.shards, result.shards_rebuilt) == (1, 1)
    assert json.loads(read(out, "pagefind/shards.json")) == {"shards": []}
    assert shard_folders(out) == ["pagefind"]

    monkeypatch.setattr(index, "SHARD_PAGES", 3)
    _, out = build_site(tmp_path / "big", sharded_site())
    assert len(shard_folders(out)) == 4
    monkeypatch.setattr(index, "SHARD_PAGES", 10)  # the site is under it again: one index
    report, out = build_site(tmp_path / "big")
    assert not report.errors
    result = last_index(results)
    assert (result.shards, result.shards_rebuilt) == (1, 1)
    assert json.loads(read(out, "pagefind/shards.json")) == {"shards": []}
    assert shard_folders(out) == ["pagefind"]
    assert len(fragments(out)) == 10


def test_dev_server_refreshes_only_the_shard_of_the_edit_and_a_build_then_keeps_all(
    tmp_path: Path, small_shards: None, results: list[index.SearchIndex | None]
) -> None:
    memory, options = served(tmp_path, sharded_site())
    out = tmp_path / "public"
    before = index_files(out)
    add_sentence(tmp_path / "content/posts/softmax.md", "新增一句关于温度系数的话。")  # shard 3
    report = build(tmp_path, options, memory)
    assert not report.errors
    result = last_index(results)
    assert (result.shards, result.shards_rebuilt, result.rebuilt) == (4, 0, False)
    assert index_files(out) == before

    refreshed = refresh_search(tmp_path, options, memory)
    assert refreshed is not None and not refreshed.problems
    result = last_index(results)
    assert (result.shards, result.shards_rebuilt, result.rebuilt) == (4, 1, True)
    after = index_files(out)
    outside = {rel: t for rel, t in before.items() if not rel.startswith("pagefind/shard-3/")}
    assert {rel: after.get(rel) for rel in outside} == outside  # not even rewritten
    old_fragments = {rel for rel in before if rel.startswith("pagefind/shard-3/fragment/")}
    assert old_fragments - set(after), "the replaced fragment is removed"
    assert "温度系数" in text_of(fragments(out, "pagefind/shard-3")["/posts/softmax/"])
    assert len(fragments(out, "pagefind/shard-3")) == 3

    # the next full rebuild keeps the new index; so does a build in another process
    report = build(tmp_path, options, memory)
    assert not report.errors and index_files(out) == after
    report = build(tmp_path, options)
    result = last_index(results)
    assert not report.errors
    assert (result.shards_rebuilt, result.rebuilt) == (0, False)
    assert index_files(out) == after


def test_a_newer_change_stops_the_refresh_of_the_index_and_it_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    memory, options = served(tmp_path, SITE)
    add_sentence(tmp_path / "content" / "posts" / "b.md", "新增一句关于权重衰减的话。")
    build(tmp_path, options, memory)
    before = index_files(tmp_path / "public")
    started: list[float] = []
    run = index._run_pagefind

    def slow(*args: Any) -> None:
        started.append(time.monotonic())
        run(*args)
        stop = args[-1]
        assert isinstance(stop, threading.Event)
        assert stop.wait(30), "a newer change stops Pagefind"

    monkeypatch.setattr(index, "_run_pagefind", slow)
    # a change already there: stopped while the pages are read, before Pagefind starts
    report = refresh_search(tmp_path, replace(options, cancelled=lambda: True), memory)
    assert report is not None and report.cancelled and not started
    changed = threading.Event()
    threading.Timer(1.0, changed.set).start()
    begun = time.monotonic()
    report = refresh_search(tmp_path, replace(options, cancelled=changed.is_set), memory)
    assert report is not None and report.cancelled
    assert started and time.monotonic() - begun < 5
    assert index_files(tmp_path / "public") == before
    deadline = time.monotonic() + 10  # removed in the background, not before returning
    while list(tmp_path.glob(".public.inkstone-*")) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not list(tmp_path.glob(".public.inkstone-*")), "no staging folder is left"
    monkeypatch.setattr(index, "_run_pagefind", run)
    refreshed = refresh_search(tmp_path, options, memory)  # the next one starts over
    assert refreshed is not None and not refreshed.cancelled
    assert "权重衰减" in text_of(fragments(tmp_path / "public")["/posts/b/"])


def test_the_digest_leaves_out_only_what_pagefind_ignores() -> None:
    footer = (
        '<footer class="post-footer" data-pagefind-ignore><nav class="related">'
        '<ul><li><a href="/posts/a/">A</a></li></ul></nav><footer>内层</footer></footer>'
    )
    page = f"<article data-pagefind-body><p>正文</p>{footer}<p>结尾</p></article>"
    expected = "<article data-pagefind-body><p>正文</p><p>结尾</p></article>"
    assert without_ignored(page.encode()) == expected.encode()
    for kept in (
        '<div data-pagefind-ignore><h2 id="x">标题</h2></div>',  # an anchor
        '<div data-pagefind-ignore><img src="a.png"></div>',  # an image
        '<div data-pagefind-ignore><span data-pagefind-meta="k:v"></span></div>',  # metadata
        "<div data-pagefind-ignore><p>不闭合</p>",  # it does not close
    ):
        page = f"<main data-pagefind-body><p>正文</p>{kept}</main>"
        assert without_ignored(page.encode()) == page.encode(), kept
    nested = '<div data-pagefind-ignore><h2 id="x">标题</h2><p data-pagefind-ignore>日期</p></div>'
    expected = '<div data-pagefind-ignore><h2 id="x">标题</h2></div>'
    assert without_ignored(nested.encode()) == expected.encode()


def test_page_digest_changes_with_what_is_indexed_only() -> None:
    def page(text: str, related: str, nav: str = "首页") -> bytes:
        return (
            f'<html lang="zh"><head><title>注意力</title></head><body><nav>{nav}</nav>'
            f"<article data-pagefind-body><p>{text}</p><footer data-pagefind-ignore>"
            f'<a href="/posts/{related}/">{related}</a></footer></article></body></html>'
        ).encode()

    digest = page_digest(page("正文", "a"))
    assert page_digest(page("正文", "b")) == digest  # another related post
    assert page_digest(page("正文", "a", nav="归档")) == digest  # outside the body
    assert page_digest(page("正文改了", "a")) != digest
    retitled = page("正文", "a").replace(b"<title>", "<title>新".encode())
    assert page_digest(retitled) != digest


def test_a_failing_pagefind_leaves_a_good_site_and_no_temporary_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temporary: Path
) -> None:
    """Pagefind runs while the lists are written; when it fails the build still commits
    every page, warns, writes no index and leaves nothing in the temporary folder."""
    monkeypatch.setattr("pagefind.service.get_executable", lambda: None)
    report, out = build_site(tmp_path / "site", SITE)
    assert [p.message for p in report.warnings] == [
        "the search index was not written: Pagefind failed: no Pagefind program is installed"
    ]
    assert not report.errors
    assert "自注意力的复杂度" in read(out, "posts/a/index.html")
    assert (out / "index.html").is_file() and (out / "atom.xml").is_file()
    assert not (out / "pagefind" / "pagefind-entry.json").exists()
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_pages_are_made_ready_for_the_index_as_they_are_written(
    jobs: int,
    tmp_path: Path,
    small_shards: None,
    results: list[index.SearchIndex | None],
    read_back: list[str],
    temporary: Path,
) -> None:
    """A cold build hands each page to the search step as it writes it, with its body
    less the formulas (made as it was rendered), so that Pagefind starts on the first
    shards at once and no page is read back. Pages rendered before, taken from the cache,
    come without it: those of the first shards, as many as Pagefind indexes at once (one
    per job), are made ready as they are written, the others' pages read back (while it
    indexes). Nothing is left in the temporary folder."""
    report, out = build_site(tmp_path / "site", sharded_site(), jobs=jobs)
    assert not report.errors and not report.warnings
    result = last_index(results)
    assert (result.pages, result.shards_rebuilt) == (10, 4)
    assert read_back == []
    everything = {f"/posts/{slug}/" for slug in SHARDED_POSTS} | {"/about/"}
    assert {url for folder in shard_folders(out) for url in fragments(out, folder)} == everything
    assert list(temporary.iterdir()) == []
    # Pagefind worked in a folder inside the staging folder, gone before it became the output
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == [".inkstone-output"]

    shutil.rmtree(out)  # the cache is kept: its pages come without their search bodies
    report, out = build_site(tmp_path / "site", jobs=jobs)
    assert not report.errors and last_index(results).shards_rebuilt == 4
    prepared = {f"posts/{slug}/index.html" for slug, (n, _) in SHARDED_POSTS.items() if n < jobs}
    prepared.add("about/index.html")  # shard 0
    assert set(read_back) == {f"posts/{slug}/index.html" for slug in SHARDED_POSTS} - prepared
    assert {url for folder in shard_folders(out) for url in fragments(out, folder)} == everything
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("at_once", [1, 2, 4])
def test_pages_that_fail_to_render_leave_fewer_shards_made_from_the_others(
    at_once: int,
    tmp_path: Path,
    small_shards: None,
    results: list[index.SearchIndex | None],
    read_back: list[str],
    monkeypatch: pytest.MonkeyPatch,
    temporary: Path,
) -> None:
    """The pages of the shards Pagefind starts on at once are prepared for the four shards
    that every page rendering would give; when four fail, the index has two shards, and each
    holds exactly its pages: with four at once, the prepared pages of shards 2 and 3 move to
    shards 0 and 1. (The pages render in this process, where they can be made to fail.)"""
    from inkstone import build as build_module
    from inkstone import rendering
    from inkstone.markup.markdown import ParsedBody, RenderContext, parse_markdown

    failing = {"dropout", "hessian", "attention", "tensor"}

    def failing_some(body: str, ctx: RenderContext) -> ParsedBody:
        if ctx.path.stem in failing:
            raise RuntimeError("broken")
        return parse_markdown(body, ctx)

    monkeypatch.setattr(rendering, "parse_markdown", failing_some)
    monkeypatch.setattr(build_module, "shards_at_once", lambda jobs: at_once)
    report, out = build_site(tmp_path / "site", sharded_site())
    assert len(report.errors) == len(failing)
    if at_once == 4:  # every page was prepared: none is read back, some were moved
        assert read_back == []
    result = last_index(results)
    assert (result.pages, result.shards) == (6, 2)
    kept = [slug for slug in SHARDED_POSTS if slug not in failing]
    for number, folder in enumerate(shard_folders(out)):
        urls = {f"/posts/{slug}/" for slug in kept}.union({"/about/"})
        expected = {
            url
            for url in urls
            if index.shard_of(PurePosixPath(url[1:]) / "index.html", 2) == number
        }
        assert set(fragments(out, folder)) == expected
    assert list(temporary.iterdir()) == []


@pytest.mark.parametrize("jobs", [1, 2])
def test_shards_are_indexed_as_many_at_once_as_there_are_jobs(
    jobs: int, tmp_path: Path, small_shards: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each run of Pagefind keeps about one core busy: a build runs one per job at once."""
    running: list[Path] = []
    most = 0
    lock = threading.Lock()
    run_pagefind = index._run_pagefind

    def counting(binary: Path, site: Path, *rest: object) -> None:
        nonlocal most
        with lock:
            running.append(site)
            most = max(most, len(running))
        try:
            time.sleep(0.3)  # long enough for runs that can overlap to do so
            run_pagefind(binary, site, *rest)  # type: ignore[arg-type]
        finally:
            with lock:
                running.remove(site)

    monkeypatch.setattr(index, "_run_pagefind", counting)
    report, out = build_site(tmp_path / "site", sharded_site(), jobs=jobs)
    assert not report.errors and not report.warnings
    assert most == jobs
    found = {url for folder in shard_folders(out) for url in fragments(out, folder)}
    assert found == {f"/posts/{slug}/" for slug in SHARDED_POSTS} | {"/about/"}


def test_each_shards_pages_are_removed_by_a_thread_of_their_own_and_none_are_left(
    tmp_path: Path, small_shards: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once Pagefind has read a shard's pages, they are removed in the background (the
    last shards' while the index is moved into the output); the build waits for that."""
    removed: list[tuple[str, str]] = []
    rmtree = shutil.rmtree

    def recording(path: Path, *args: Any, **kwargs: Any) -> None:
        if Path(path).name.startswith("site-"):
            removed.append((Path(path).name, threading.current_thread().name))
        rmtree(path, *args, **kwargs)

    monkeypatch.setattr(shutil, "rmtree", recording)
    report, out = build_site(tmp_path / "site", sharded_site(), jobs=2)
    assert not report.errors and not report.warnings
    assert sorted(name for name, _ in removed) == [f"site-{n}" for n in range(4)]
    assert all(thread.startswith("inkstone-search-removal") for _, thread in removed), removed
    assert list(tmp_path.rglob(".inkstone-pagefind-*")) == []
    assert len(shard_folders(out)) == 4


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_shard_pagefind_fails_on_leaves_a_good_site_without_an_index(
    jobs: int, tmp_path: Path, small_shards: None, monkeypatch: pytest.MonkeyPatch, temporary: Path
) -> None:
    """Pagefind failing on one shard of four: no shard starts after it, the build warns
    with what Pagefind said and writes every page but no index, and leaves nothing behind."""
    from pagefind.service import get_executable

    real = get_executable()
    assert real is not None
    runs = tmp_path / "runs.log"
    program = tmp_path / "pagefind"
    program.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{runs}"\n'
        'case "$*" in *site-2*) echo "cannot write shard 2: disk full"; exit 3;; esac\n'
        f'exec "{real}" "$@"\n'
    )
    program.chmod(0o755)
    monkeypatch.setattr("pagefind.service.get_executable", lambda: program)
    report, out = build_site(tmp_path / "site", sharded_site(), jobs=jobs)
    assert [p.message for p in report.warnings] == [
        "the search index was not written: Pagefind failed: "
        "Pagefind exited with 3: cannot write shard 2: disk full"
    ]
    assert not report.errors
    assert "梯度裁剪" in read(out, "posts/clipping/index.html")
    assert not (out / "pagefind").exists()
    started = runs.read_text().split("\n")
    if jobs == 1:  # one after the other: the last shard never started
        assert [next(w for w in run.split() if "site-" in w)[-6:] for run in started if run] == [
            "site-0", "site-1", "site-2",
        ]  # fmt: skip
    assert list(temporary.iterdir()) == []


def test_a_build_that_fails_after_rendering_leaves_no_prepared_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, temporary: Path
) -> None:
    from inkstone.render.site_pages import PageWriter

    def broken(self: PageWriter) -> None:
        raise RuntimeError("the lists broke")

    monkeypatch.setattr(PageWriter, "lists", broken)
    with pytest.raises(RuntimeError, match="the lists broke"):
        build_site(tmp_path / "site", SITE)
    assert list(temporary.iterdir()) == []
    assert not (tmp_path / "site" / "public").exists()
    assert not list((tmp_path / "site").glob(".public.*")), "the staging folder is removed"


def test_a_pagefind_that_fails_is_named_with_what_it_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    program = tmp_path / "pagefind"
    program.write_text("#!/bin/sh\necho 'cannot write the index: disk full'\nexit 3\n")
    program.chmod(0o755)
    monkeypatch.setattr("pagefind.service.get_executable", lambda: program)
    report, out = build_site(tmp_path / "site", SITE)
    assert [p.message for p in report.warnings] == [
        "the search index was not written: Pagefind failed: "
        "Pagefind exited with 3: cannot write the index: disk full"
    ]
    assert (out / "posts/a/index.html").is_file()


def test_pagefind_settings_of_the_environment_do_not_change_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind reads ``PAGEFIND_*`` variables and a ``pagefind.yml`` in its working folder;
    the user's own (say, for another site) must not reach inkstone's index."""
    monkeypatch.setenv("PAGEFIND_GLOB", "nothing/**/*.html")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pagefind.yml").write_text('glob: "nothing/**/*.html"\n')
    report, out = build_site(tmp_path / "site", SITE)
    assert not report.warnings and not report.errors
    assert set(fragments(out)) == {"/posts/a/", "/posts/b/", "/about/"}


def test_element_ends_are_those_regular_expressions_find() -> None:
    """:func:`slim._element_end` (by ``bytes.find``) against the regular expressions it
    replaced, on random nestings of look-alike tags."""
    import random
    import re

    def by_regex(html: bytes, tag: bytes, start: int) -> int | None:
        name = re.escape(tag)
        opening, closing = re.compile(b"<" + name + rb"[\s/>]"), re.compile(b"</" + name + rb"\s*>")
        depth, pos = 0, start
        while close := closing.search(html, pos):
            depth += len(opening.findall(html, pos, close.start())) - 1
            pos = close.end()
            if depth == 0:
                return pos
        return None

    pieces = [
        b"<div>",
        b"<div class=x>",
        b"</div>",
        b"</div >",
        b"</divs>",
        b"<divs>",
        b"<div",
        b"</div",
        b"</div\n>",
        b"<div/>",
        b"<DIV>",
        b"x",
        b"<",
        b">",
        b"</",
    ]
    rng = random.Random(3)
    for _ in range(4000):
        html = b"<div>" + b"".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert slim._element_end(html, b"div", 0) == by_regex(html, b"div", 0), html


# --------------------------------------------------------------------------- words for the index


def test_cjk_characters_are_spaced_apart_in_text_only() -> None:
    page = (
        '<h1 data-pagefind-meta="title">注意力笔记</h1>'
        '<a href="/tags/机器学习/" title="机器学习">机器学习</a>'
        '<h2 id="损失的上界">损失的上界</h2><p>用Adam优化，再看 KV cache。</p>'
    )
    spaced = spaced_for_index(page.encode()).decode()
    assert " ".join(spaced.split()) == (
        '<h1 data-pagefind-meta="title"> 注 意 力 笔 记 </h1>'
        '<a href="/tags/机器学习/" title="机器学习"> 机 器 学 习 </a>'  # tags keep their values
        '<h2 id="损失的上界"> 损 失 的 上 界 </h2><p> 用 Adam 优 化 ， 再 看 KV cache 。 </p>'
    )
    assert joined(spaced).replace(" ", "") == page.replace(" ", "")


def test_names_in_code_are_cut_apart_and_prose_is_not() -> None:
    plain = b"<pre><code>opt = torch.optim.AdamW(model.parameters(), lr=1e-3)\nx[i]</code></pre>"
    highlighted = (
        b'<pre><code><span class="n">torch</span><span class="o">.</span>'
        b'<span class="n">optim</span><span class="o">.</span><span class="n">AdamW</span>'
        b'<span class="p">(</span><span class="n">model</span></code></pre>'
    )
    prose = b"<p>e.g. torch.optim.AdamW(model) at 3.14</p>"
    assert spaced_for_index(plain) == (
        b"<pre><code>opt = torch .optim .AdamW (model .parameters(), lr=1e-3)\nx [i]</code></pre>"
    )
    text = re.sub(rb"<[^>]*>", b"", spaced_for_index(highlighted))
    assert text == b"torch .optim .AdamW (model"
    inline = b"<p>Call <code>nn.Module.forward(x)</code>.</p>"
    assert spaced_for_index(inline) == b"<p>Call <code>nn .Module .forward (x)</code>.</p>"
    assert spaced_for_index(prose) == prose
