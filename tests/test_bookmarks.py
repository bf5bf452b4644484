"""Bookmark cards beyond the golden fixtures: titles from front matter (and the page cache
that must notice them), bad front matter, hosts and paths as shown."""

from __future__ import annotations

import re
from pathlib import Path

from inkstone.markup.markdown import RenderContext, render_markdown
from inkstone.markup.plugins.bookmarks import (
    PATH_LIMIT,
    card_address,
    shorten_middle,
    titles_from_front_matter,
)
from tests.sites import build_site, messages, read


def _titles(html: str) -> list[str]:
    return re.findall(r'<span class="bookmark-title">(.*?)</span><span class="bookmark-url">', html)


def _card_title(body: str, titles: dict[str, str]) -> list[str]:
    ctx = RenderContext(path=Path("post.md"), bookmark_titles=titles)
    return _titles(render_markdown(body, ctx).html)


def test_front_matter_names_a_bare_url() -> None:
    titles = {
        "https://example.com/a": "示例 A",
        "https://zh.wikipedia.org/wiki/梯度": "梯度 - 维基",
    }
    body = "https://example.com/a/\n\nhttps://zh.wikipedia.org/wiki/梯度\n\nhttps://example.com/b\n"
    assert _card_title(body, titles) == ["示例 A", "梯度 - 维基", "example.com/b"]


def test_link_text_wins_over_front_matter() -> None:
    titles = {"https://example.com/a": "front matter"}
    assert _card_title("[链接文字](https://example.com/a)\n", titles) == ["链接文字"]


def test_front_matter_title_is_escaped() -> None:
    titles = {"https://example.com/a": "<b>x</b> & y"}
    assert _card_title("https://example.com/a\n", titles) == ["&lt;b&gt;x&lt;/b&gt; &amp; y"]


def test_titles_from_front_matter_complains_about_other_shapes() -> None:
    assert titles_from_front_matter(None) == ({}, None)
    assert titles_from_front_matter({"https://a.example": "A"}) == (
        {"https://a.example": "A"},
        None,
    )
    titles, complaint = titles_from_front_matter(["https://a.example"])
    assert titles == {} and complaint is not None
    titles, complaint = titles_from_front_matter({"https://a.example": "A", "https://b": 3})
    assert titles == {"https://a.example": "A"} and complaint is not None


def test_site_shows_front_matter_titles_and_rebuilds_when_they_change(tmp_path: Path) -> None:
    site = """
-- site.toml --
title = "t"
-- content/posts/p.md --
---
title: 书签
date: 2025-01-01
bookmarks:
  "https://example.com/guide": 使用指南
---
https://example.com/guide
"""
    report, out = build_site(tmp_path, site)
    assert not report.problems
    assert _titles(read(out, "posts/p/index.html")) == ["使用指南"]
    post = tmp_path / "content/posts/p.md"
    post.write_text(post.read_text("utf-8").replace("使用指南", "新指南"), encoding="utf-8")
    _, out = build_site(tmp_path)
    assert _titles(read(out, "posts/p/index.html")) == ["新指南"]


def test_bad_bookmarks_front_matter_is_a_warning_and_the_page_builds(tmp_path: Path) -> None:
    site = """
-- site.toml --
title = "t"
-- content/posts/p.md --
---
title: 书签
date: 2025-01-01
bookmarks: [https://example.com/guide]
---
https://example.com/guide
"""
    report, out = build_site(tmp_path, site)
    assert messages(report) == [
        "content/posts/p.md:1: front matter `bookmarks` must map URLs to titles "
        '(write it as `bookmarks: {"https://…": "title"}`)'
    ]
    assert _titles(read(out, "posts/p/index.html")) == ["example.com/guide"]


def test_card_address_shows_a_readable_host_and_path() -> None:
    address = card_address("https://www.xn--fiqs8s.example:8443/%E8%B7%AF%E5%BE%84?q=%E4%B8%AD")
    assert address.site == "中国.example:8443"
    assert address.path == "/路径?q=中"
    assert card_address("https://example.com/").path == ""
    assert card_address("https://example.com").title == "example.com"


def test_long_paths_keep_their_start_and_end() -> None:
    path = "/" + "/".join(f"part{i}" for i in range(20)) + "/index.html"
    short = shorten_middle(path, PATH_LIMIT)
    assert len(short) == PATH_LIMIT and "…" in short
    head, tail = short.split("…")
    assert path.startswith(head) and path.endswith(tail)
    assert shorten_middle("/short", PATH_LIMIT) == "/short"
