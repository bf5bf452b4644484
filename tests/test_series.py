"""Series: ``series:`` in front matter groups posts in reading order, with a page per series."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path, PurePosixPath

from inkstone.build import BuildMemory, BuildOptions, build
from inkstone.content.model import Document, Kind, Source
from inkstone.site.series import collect_series

from .sites import build_site, messages, read

SITE = """
-- site.toml --
title = "Notes"
theme = "{theme}"
language = "zh"
base_url = "https://example.org{base}"
-- content/posts/b.md --
---
title: B 策略梯度
date: 2025-01-05
series: 强化学习笔记
series_order: 2
---
二。
-- content/posts/a.md --
---
title: A 马尔可夫决策过程
date: 2025-03-01
series: 强化学习笔记
series_order: 1
---
一。
-- content/posts/c.md --
---
title: C 时序差分
date: 2025-01-01
series: 强化学习笔记
---
三。
-- content/posts/other.md --
---
title: Other
date: 2025-02-01
---
别的。
"""


def doc(name: str, series: str | None, order: float | None, day: int) -> Document:
    rel = PurePosixPath("posts", f"{name}.md")
    date = dt.datetime(2025, 1, day, tzinfo=dt.UTC)
    source = Source(Path("/s") / rel, rel, Path("content") / rel, Kind.POST)
    return Document(
        source, Kind.POST, name, date, date, name, f"/posts/{name}/", "", 1,
        series=series, series_order=order,
    )  # fmt: skip


def series_box(html: str) -> tuple[str, list[tuple[str, bool]], list[str]]:
    """The series box of a post page: its heading text, its list (URL, current?) and the
    previous/next links."""
    box = re.search(r'<nav class="series-box".*?</nav>', html, re.S)
    assert box is not None
    text = box.group()
    head = re.sub(r"<[^>]+>|\s+", " ", text.split("<details")[0]).split()
    items = re.findall(r'<li><a href="([^"]+)"( aria-current="page")?', text)
    after = text.split("</details>")[1]
    return " ".join(head), [(u, bool(c)) for u, c in items], re.findall(r'href="([^"]+)"', after)


def test_order_is_series_order_then_date_then_title() -> None:
    posts = [
        doc("late", "s", None, 9),
        doc("second", "s", 2, 1),
        doc("first", "s", 1, 5),
        doc("early", "s", None, 3),
        doc("alone", None, None, 2),
        doc("b-same-day", "s", None, 4),
        doc("a-same-day", "s", None, 4),
    ]
    series = collect_series(posts)
    assert list(series) == ["s"]
    names = [d.title for d in series["s"].posts]
    assert names == ["first", "second", "early", "a-same-day", "b-same-day", "late"]
    assert series["s"].position(posts[0]) == 6
    assert series["s"].position(posts[4]) == 0


def test_post_page_shows_position_and_neighbours(tmp_path: Path) -> None:
    report, out = build_site(tmp_path, SITE.format(theme="transmission", base="/"))
    assert messages(report) == []
    head, items, neighbours = series_box(read(out, "posts/b/index.html"))
    assert head == "系列： 强化学习笔记 · 第 2/3 篇"
    assert items == [("/posts/a/", False), ("/posts/b/", True), ("/posts/c/", False)]
    assert neighbours == ["/posts/a/", "/posts/c/"]
    _, _, first = series_box(read(out, "posts/a/index.html"))
    assert first == ["/posts/b/"]
    assert 'class="series-box"' not in read(out, "posts/other/index.html")
    assert 'href="/series/强化学习笔记/"' in read(out, "posts/b/index.html")


def test_series_pages_list_posts_in_order_under_a_base_path(tmp_path: Path) -> None:
    for theme in ("transmission", "minimal"):
        report, out = build_site(tmp_path / theme, SITE.format(theme=theme, base="/blog/"))
        assert messages(report) == []
        page = read(out, "series/强化学习笔记/index.html")
        links = re.findall(r'<a href="(/blog/posts/[^"]+)"', page.split("<main")[1])
        assert links[:3] == ["/blog/posts/a/", "/blog/posts/b/", "/blog/posts/c/"]
        index = read(out, "series/index.html")
        assert (
            'href="/blog/series/%E5%BC%BA%E5%8C%96%E5%AD%A6%E4%B9%A0%E7%AC%94%E8%AE%B0/"' in (index)
            or 'href="/blog/series/强化学习笔记/"' in index
        )
        sitemap = read(out, "sitemap.xml")
        assert "https://example.org/blog/series/</loc>" in sitemap
        assert "/blog/series/强化学习笔记/</loc>" in sitemap
        _, items, _ = series_box(read(out, "posts/c/index.html"))
        assert items[-1] == ("/blog/posts/c/", True)


def test_bad_series_order_warns_with_its_line(tmp_path: Path) -> None:
    report, out = build_site(
        tmp_path,
        """-- site.toml --
title = "x"
-- content/posts/a.md --
---
title: A
date: 2025-01-01
series: S
series_order: second
---
text
-- content/posts/b.md --
---
title: B
date: 2025-01-02
series: [S, T]
---
text
""",
    )
    assert messages(report) == [
        "content/posts/a.md:5: `series_order: second` is not a number; the series is ordered "
        "by date (write the post's place in the series as a number: `series_order: 2`)",
        "content/posts/b.md:4: `series` should be one name; ignored (a post belongs to one "
        "series: write `series: 强化学习笔记`)",
    ]
    head, _, _ = series_box(read(out, "posts/a/index.html"))
    assert head == "Series: S · part 1/1"


def _touch(path: Path, text: str) -> None:
    """Rewrite ``path`` so that a rebuild sees it changed, even within one clock tick."""
    stamp = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    while path.stat().st_mtime_ns == stamp:
        time.sleep(0.01)
        path.write_text(text, encoding="utf-8")


def test_warm_rebuild_after_a_series_change_updates_the_pages(tmp_path: Path) -> None:
    site = SITE.format(theme="transmission", base="/")
    site += "-- content/posts/lone.md --\n---\ntitle: Lone\ndate: 2024-01-01\n---\n无关。\n"
    report, out = build_site(tmp_path, site)
    assert messages(report) == []
    memory = BuildMemory()
    options = BuildOptions(out_dir=out)
    assert messages(build(tmp_path, options, memory)) == []
    lone = out / "posts/lone/index.html"
    lone_stamp = lone.stat().st_mtime_ns

    other = tmp_path / "content/posts/other.md"
    text = other.read_text(encoding="utf-8").replace(
        "date: 2025-02-01", "date: 2025-02-01\nseries: 强化学习笔记\nseries_order: 3"
    )
    _touch(other, text)
    report = build(tmp_path, options, memory)
    assert messages(report) == []
    head, items, _ = series_box(read(out, "posts/a/index.html"))
    assert head == "系列： 强化学习笔记 · 第 1/4 篇"
    assert [u for u, _ in items] == ["/posts/a/", "/posts/b/", "/posts/other/", "/posts/c/"]
    _, _, neighbours = series_box(read(out, "posts/other/index.html"))
    assert neighbours == ["/posts/b/", "/posts/c/"]
    page = read(out, "series/强化学习笔记/index.html")
    assert page.index('href="/posts/other/"') < page.index('href="/posts/c/"')
    assert lone.stat().st_mtime_ns == lone_stamp  # a post outside the series is left alone
