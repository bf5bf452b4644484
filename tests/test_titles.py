"""Formulas in titles and headings: typeset wherever a page shows them, read as text where
only text can go, never shown as TeX."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from inkstone.markup.titles import title_pieces, typeset_title
from tests.sites import build_site, messages, read, write_site

MACROS = json.dumps({"\\RR": "\\mathbb{R}"})


def test_a_title_is_read_for_formulas_only() -> None:
    """The body's delimiters and money rule; every other Markdown character stays."""
    assert title_pieces("为什么要除以 $\\sqrt{d_k}$") == ["为什么要除以 ", ("\\sqrt{d_k}",)]
    assert title_pieces("\\(x^2\\) 与 $$y$$ 与 \\[z\\]") == [
        ("x^2",),
        " 与 ",
        ("y",),
        " 与 ",
        ("z",),
    ]
    assert title_pieces("花了 $5 和 $10") == ["花了 $5 和 $10"]
    assert title_pieces("a*b*c 与 _x_、`y` 和 [link](u)") == ["a*b*c 与 _x_、`y` 和 [link](u)"]
    assert title_pieces("\\eqref{x} 与 $ 单个美元") == ["\\eqref{x} 与 $ 单个美元"]


def test_a_typeset_title_has_html_for_pages_and_text_for_everything_else() -> None:
    typeset = typeset_title("向量 \\(x \\in \\RR^d\\) 的 <记号> & $\\sqrt{d_k}$", MACROS)
    assert typeset is not None and typeset.errors == ()
    assert typeset.text == "向量 x∈ℝᵈ 的 <记号> & √dₖ"
    assert typeset.html.startswith('向量 <span class="katex">')
    assert " 的 &lt;记号&gt; &amp; " in typeset.html
    assert typeset.html.count('<span class="katex">') == 2
    assert (
        "\\RR" not in typeset.html.replace("<annotation", "\0").split("\0")[0]
    )  # the macro is expanded in what a reader sees
    assert typeset_title("没有公式的标题 $5") is None


def test_a_formula_katex_rejects_is_shown_as_written() -> None:
    typeset = typeset_title("坏 $\\frac{1}{$ 与 $x$")
    assert typeset is not None and len(typeset.errors) == 1
    assert "Unexpected end of input" in typeset.errors[0]
    assert typeset.text == "坏 $\\frac{1}{$ 与 x"
    assert '<code class="math-error" title="KaTeX parse error: ' in typeset.html
    assert '>$\\frac{1}{$</code> 与 <span class="katex">' in typeset.html


SITE = """
-- site.toml --
title = "Notes"
language = "zh"
base_url = "https://example.org/"
[math.macros]
"\\\\RR" = "\\\\mathbb{R}"
-- content/about.md --
---
title: 关于
---
这里没有公式。
-- content/posts/a-scale.md --
---
title: 为什么要除以 $\\sqrt{d_k}$
date: 2025-01-01
tags: [t]
series: 注意力
summary: 缩放因子 $\\sqrt{d_k}$ 让 softmax 不饱和
---
## 缩放因子 $\\sqrt{d_k}$ 的来历

正文。

## `softmax` 与 \\(e^x\\)

正文。
-- content/posts/b-money.md --
---
title: 花了 $5 和 $10：不是公式
date: 2025-01-02
tags: [t]
series: 注意力
---
见 [上一篇](a-scale.md)，正文没有公式。
-- content/posts/c-heading.md --
---
date: 2025-01-03
---
# 向量 \\(x \\in \\RR^d\\) 的记号

正文没有公式。
-- content/posts/d-bad.md --
---
date: 2025-01-04
title: '坏公式 $\\frac{1}{$'
summary: '坏摘要 $x^$'
---
正文。
"""

ANNOTATION = re.compile(r"<annotation encoding=\"application/x-tex\">.*?</annotation>", re.S)
MATH_ERROR = re.compile(r'<code class="math-error".*?</code>', re.S)
TAG = re.compile(r"<[^>]*>")
KATEX_CSS = "katex/katex.min.css"


def shown(markup: str) -> str:
    """The text a page or feed shows, HTML carried in a feed's text included: without the
    TeX KaTeX keeps for copying (``<annotation>``) and formulas shown as errors on purpose."""
    for _ in range(2):  # a feed's HTML is escaped in its XML
        markup = html.unescape(TAG.sub(" ", MATH_ERROR.sub("", ANNOTATION.sub("", markup))))
    return markup


@pytest.mark.parametrize("theme", ["transmission", "minimal"])
def test_formulas_in_titles_are_typeset_on_pages_and_read_as_text_elsewhere(
    tmp_path: Path, theme: str
) -> None:
    site = SITE.replace("-- site.toml --\n", f'-- site.toml --\ntheme = "{theme}"\n')
    report, out = build_site(tmp_path, site)
    assert [m.split(": KaTeX parse error")[0] for m in messages(report)] == [
        "content/posts/d-bad.md:3: KaTeX error in the title",
        "content/posts/d-bad.md:4: KaTeX error in the summary",
    ]
    written = sorted(p for p in out.rglob("*") if p.suffix in (".html", ".xml"))
    for path in written:  # no page, feed or sitemap shows a title's TeX
        text = shown(path.read_text(encoding="utf-8"))
        for tex in ("\\sqrt", "d_k", "\\RR", "\\in ", "e^x"):
            assert tex not in text, (path.relative_to(out), tex)

    post = read(out, "posts/a-scale/index.html")
    assert "<title>为什么要除以 √dₖ · Notes</title>" in post
    assert re.search(r'<h1 class="post-title"[^>]*>为什么要除以 <span class="katex">', post)
    assert KATEX_CSS in post
    toc = re.findall(r'<li class="toc-h2"><a href="#[^"]+">(.*?)</a></li>', post, re.S)
    assert len(toc) == (4 if theme == "transmission" else 2)  # beside the text and above it
    assert toc[0].startswith('缩放因子 <span class="katex">') and toc[0].endswith(" 的来历")
    assert toc[1].startswith('<code>softmax</code> 与 <span class="katex">')
    if theme == "transmission":
        assert 'property="og:title" content="为什么要除以 √dₖ"' in post
        ld = json.loads(re.search(r'ld\+json">(.*?)</script>', post, re.S).group(1))  # type: ignore[union-attr]
        assert ld["headline"] == "为什么要除以 √dₖ"

    # a post with no formula of its own shows one in its links to others, with KaTeX's CSS
    money = read(out, "posts/b-money/index.html")
    assert "<title>花了 $5 和 $10：不是公式 · Notes</title>" in money
    assert money.count('<span class="katex">') >= 3  # previous, next, series: typeset
    assert KATEX_CSS in money
    heading = read(out, "posts/c-heading/index.html")
    assert "<title>向量 x∈ℝᵈ 的记号 · Notes</title>" in heading
    assert re.search(r'<h1 class="post-title"[^>]*>向量 <span class="katex">', heading)
    bad = read(out, "posts/d-bad/index.html")
    assert "<title>坏公式 $\\frac{1}{$ · Notes</title>" in bad
    assert re.search(r'<h1 class="post-title"[^>]*>坏公式 <code class="math-error"', bad)

    for rel in (
        "index.html",
        "archives/index.html",
        "tags/t/index.html",
        "series/注意力/index.html",
    ):
        page = read(out, rel)
        assert '">为什么要除以 <span class="katex">' in page, rel
        assert KATEX_CSS in page, rel
    home = read(out, "index.html")
    assert "花了 $5 和 $10：不是公式</a>" in home
    assert '<p>缩放因子 <span class="katex">' in home  # the summary, typeset
    assert 'name="description" content="缩放因子 √dₖ 让 softmax 不饱和"' in post
    assert '<code class="math-error"' in home  # the bad summary, as written
    assert (out / "assets" / "katex" / "katex.min.css").is_file()

    feeds = read(out, "atom.xml") + read(out, "rss.xml")
    for title in ("为什么要除以 √dₖ", "向量 x∈ℝᵈ 的记号", "花了 $5 和 $10：不是公式"):
        assert feeds.count(f"<title>{title}</title>") == 2, title
    items = json.loads(read(out, "feed.json"))["items"]
    assert "为什么要除以 √dₖ" in [item["title"] for item in items]
    assert "缩放因子 √dₖ 让 softmax 不饱和" in [item["summary"] for item in items]
    term_feed = html.unescape(read(out, "tags/t/atom.xml"))  # summaries, formulas as MathML
    assert "<p>缩放因子 <math " in term_feed and "\\sqrt{d_k}</annotation>" in term_feed


def test_a_formula_in_a_standalone_pages_title_is_typeset_in_every_pages_navigation(
    tmp_path: Path,
) -> None:
    report, out = build_site(
        tmp_path,
        """
-- site.toml --
title = "Notes"
-- content/about.md --
---
title: 关于 $\\pi$
---
正文。
-- content/posts/a.md --
---
title: Plain
date: 2025-01-01
---
No formula.
""",
    )
    assert messages(report) == []
    for rel in ("posts/a/index.html", "404.html", "archives/index.html"):
        page = read(out, rel)
        assert '>关于 <span class="katex">' in page, rel
        assert KATEX_CSS in page, rel
    assert "<title>关于 π · Notes</title>" in read(out, "about/index.html")


def test_a_title_edited_in_place_is_typeset_again(tmp_path: Path) -> None:
    """A title is not part of the body: changing only the title changes every page showing
    it, from the cache's formulas or KaTeX's new ones."""
    write_site(tmp_path, SITE)
    build_site(tmp_path)
    source = tmp_path / "content" / "posts" / "a-scale.md"
    source.write_text(
        source.read_text(encoding="utf-8").replace("$\\sqrt{d_k}$\ndate", "$\\alpha$\ndate"),
        encoding="utf-8",
    )
    _, out = build_site(tmp_path)
    assert "<title>为什么要除以 α · Notes</title>" in read(out, "posts/a-scale/index.html")
    neighbour = read(out, "posts/b-money/index.html")
    assert '">为什么要除以 <span class="katex">' in neighbour
    assert "\\alpha</annotation>" in neighbour and "\\sqrt{d_k}</annotation>" not in neighbour
    feed = read(out, "atom.xml")
    assert "<title>为什么要除以 α</title>" in feed
    assert "<title>为什么要除以 √dₖ</title>" not in feed
