"""A page's old addresses (front matter ``aliases`` or ``redirect_from``) send the reader
on to it; an unusable alias is a warning naming its file and line."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path, PurePosixPath
from zoneinfo import ZoneInfo

import pytest

from inkstone.build import summary_line
from inkstone.content.aliases import alias_url, read_aliases
from inkstone.importers import run_import
from inkstone.importers.hugo import import_jekyll
from inkstone.importers.permalinks import hugo_address, jekyll_address
from tests.importers.harness import import_fixture
from tests.sites import build_site, messages, read


@pytest.mark.parametrize(
    ("alias", "url"),
    [
        ("/2023/04/08/rope/", "/2023/04/08/rope/"),
        ("/2023/04/08/rope", "/2023/04/08/rope/"),
        ("/2019/rope.html", "/2019/rope.html"),
        ("rope-v1/", "/posts/rope-v1/"),  # from the folder of the page's address
        ("../old/rope/", "/old/rope/"),
        ("/2023/%E6%97%8B%E8%BD%AC/", "/2023/旋转/"),
        ("/2023/04/08/rope/?from=feed#top", "/2023/04/08/rope/"),
    ],
)
def test_an_alias_is_an_address_of_the_site(alias: str, url: str) -> None:
    assert alias_url(alias, "/posts/rope/") == (url, "")


@pytest.mark.parametrize(
    ("alias", "why"),
    [
        ("https://old.example.com/rope/", "is a full URL"),
        ("//old.example.com/rope/", "is a full URL"),
        ("/../../etc/", "leaves the site"),
        ("../../../x/", "leaves the site"),
        ("/", "is the home page's address"),
        ("/.git/config/", "hidden or unusable"),
    ],
)
def test_what_is_not_an_address_of_the_site_is_said(alias: str, why: str) -> None:
    url, complaint = alias_url(alias, "/posts/rope/")
    assert url is None and why in complaint


def test_names_are_not_addresses_and_the_page_itself_is_left_out() -> None:
    """Obsidian's ``aliases`` are other names of a note; an alias of the page's own
    address, or one given twice, makes nothing more."""
    names = ["Lagrange", "拉格朗日", "/posts/rope/", "/old/", "/old", None]
    urls, problems = read_aliases(names, "/posts/rope/", Path("x"), lambda _: 3)
    assert urls == {"/old/": 3} and problems == []
    urls, problems = read_aliases("https://x.org/a/", "/posts/rope/", Path("p.md"), lambda _: 4)
    assert urls == {} and [str(p) for p in problems] == [
        "p.md:4: alias `https://x.org/a/` is a full URL; an alias is an old address of this "
        "site (write the old address as a path of this site, e.g. `/2023/04/08/rope/`)"
    ]


REFRESH = '<meta http-equiv="refresh"'
SITE = """
-- site.toml --
title = "旧址"
language = "zh"
base_url = "https://me.github.io/blog/"
-- content/posts/rope.md --
---
title: RoPE 笔记
date: 2023-04-08
aliases:
  - /2023/04/08/rope/
  - /2019/rope.html
  - https://old.example.com/rope/
---
旋转位置编码。
-- content/posts/mae.md --
---
title: MAE
date: 2023-04-09
tags: [视觉]
redirect_from:
  - /posts/rope/
  - /tags/视觉/
  - /2023/04/09/mae/
---
掩码自编码器。
-- content/about.md --
---
title: 关于
aliases: /2023/04/09/mae/
---
关于本站。
"""


def test_old_addresses_become_pages_that_send_the_reader_on(tmp_path: Path) -> None:
    report, out = build_site(tmp_path / "site", SITE, out_dir=tmp_path / "out")
    assert report.errors == [], messages(report)
    page = read(out, "2023/04/08/rope/index.html")
    assert f'{REFRESH} content="0; url=/blog/posts/rope/">' in page
    assert '<link rel="canonical" href="https://me.github.io/blog/posts/rope/">' in page
    assert '<meta name="robots" content="noindex">' in page
    assert '<html lang="zh">' in page and "<title>RoPE 笔记</title>" in page
    assert "url=/blog/posts/rope/" in read(out, "2019/rope.html")
    sitemap = read(out, "sitemap.xml")
    assert "posts/rope/" in sitemap and "2023/04/08" not in sitemap and "2019" not in sitemap
    # no redirect over a page, a list, or another page's alias: each said where it is
    assert REFRESH not in read(out, "posts/rope/index.html")
    assert REFRESH not in read(out, "tags/视觉/index.html")
    assert not (out / "2023/04/09/mae").exists()
    said = messages(report)
    assert any(
        m.startswith("content/posts/rope.md:7: alias `https://old.example.com/rope/` is a full")
        for m in said
    ), said
    assert any(
        m.startswith("content/posts/mae.md:6: alias `/posts/rope/` is the address of ")
        for m in said
    ), said
    assert any(
        m.startswith("content/posts/mae.md:7: alias `/tags/视觉/`: ") and "claimed" in m
        for m in said
    ), said
    both = [m for m in said if "is an alias of both" in m]
    assert {m.split(":")[0] for m in both} == {"content/posts/mae.md", "content/about.md"}, said
    # the summary counts redirect pages apart from pages, as Hugo counts its aliases
    redirects = [p for p in out.rglob("*.html") if REFRESH in p.read_text(encoding="utf-8")]
    html = [p for p in out.rglob("*.html") if not p.is_relative_to(out / "pagefind")]
    assert report.redirects_written == len(redirects) >= 2
    assert report.pages_written == len(html) - len(redirects)
    assert f"pages, {len(redirects)} redirects (" in summary_line(report)


def test_an_alias_taken_away_takes_its_page_with_it(tmp_path: Path) -> None:
    _, out = build_site(tmp_path / "site", SITE, out_dir=tmp_path / "out")
    assert (out / "2019/rope.html").is_file()
    source = tmp_path / "site/content/posts/rope.md"
    source.write_text(source.read_text().replace("  - /2019/rope.html\n", ""))
    _, out = build_site(tmp_path / "site", out_dir=tmp_path / "out")
    assert not (out / "2019/rope.html").exists()
    assert (out / "2023/04/08/rope/index.html").is_file()


def test_a_blog_imported_from_hexo_keeps_its_old_addresses(tmp_path: Path) -> None:
    """Hexo's ``permalink`` (the site's pattern, or a post's own) becomes each post's alias,
    so the links to the old blog lead to the imported posts."""
    _, site = import_fixture("hexo", "hexo", tmp_path)
    report, out = build_site(site, out_dir=tmp_path / "out")
    assert report.errors == [], messages(report)
    for old in ("2024/04/02/注意力机制/index.html", "svm-dual/index.html"):
        target = re.search(r'url=([^"]+)"', read(out, old))
        assert target is not None, old
        assert (out / target.group(1).lstrip("/") / "index.html").is_file(), old


@pytest.mark.parametrize(
    ("pattern", "rel", "meta", "address"),
    [
        # Jekyll's default style: categories (folders above _posts first), lowercased
        ("date", "_posts/2022-05-01-entropy.md", {"categories": "ML Notes"},
         "/ml/notes/2022/05/01/entropy.html"),
        ("date", "ml/_posts/2022-05-01-entropy.md", {"category": "Info"},
         "/ml/info/2022/05/01/entropy.html"),
        ("pretty", "_posts/2022-05-01-entropy.md", {}, "/2022/05/01/entropy/"),
        ("ordinal", "_posts/2022-05-01-entropy.md", {}, "/2022/121/entropy.html"),
        ("none", "_posts/2022-05-01-entropy.md", {"slug": "Shannon Entropy"},
         "/Shannon-Entropy.html"),
        ("/blog/:year/:i_month/:slug/", "_posts/2022-05-01-entropy.md", {"slug": "Shannon Entropy"},
         "/blog/2022/5/shannon-entropy/"),
        ("/:year/:id/", "_posts/2022-05-01-entropy.md", {}, None),  # a field Jekyll lacks
    ],
)  # fmt: skip
def test_jekyll_permalink_patterns_give_the_old_address(
    pattern: str, rel: str, meta: dict[str, object], address: str | None
) -> None:
    date = dt.date(2022, 5, 1)
    assert jekyll_address(pattern, meta, date, PurePosixPath(rel)) == address


SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("date", "written", "zone", "day"),
    [
        # a time with an offset is moved into the site's zone
        (dt.datetime(2022, 5, 1, 23, 30, tzinfo=dt.UTC), "str", SHANGHAI, "2022/05/02"),
        (dt.datetime(2022, 5, 2, 1, 0, tzinfo=SHANGHAI), "str", dt.UTC, "2022/05/01"),
        # a YAML timestamp without an offset is UTC to Jekyll's YAML
        (dt.datetime(2022, 5, 1, 23, 30), "yaml", SHANGHAI, "2022/05/02"),
        (dt.datetime(2022, 5, 1, 23, 30), "yaml", dt.UTC, "2022/05/01"),
        # a time written another way, a day, a file name's date: already in the zone
        (dt.datetime(2022, 5, 1, 23, 30), "str", SHANGHAI, "2022/05/01"),
        (dt.date(2022, 5, 1), "yaml", SHANGHAI, "2022/05/01"),
        (dt.date(2022, 5, 1), None, ZoneInfo("America/New_York"), "2022/05/01"),
    ],
)
def test_a_jekyll_address_is_dated_in_the_sites_time_zone(
    date: dt.date, written: str | None, zone: dt.tzinfo, day: str
) -> None:
    """Jekyll reads every post date into its ``timezone`` (``Time.parse(…).localtime``),
    and its YAML reads a timestamp without an offset as UTC."""
    meta: dict[str, object] = {}
    if written == "yaml":
        meta["date"] = date
    elif written == "str":
        meta["date"] = str(date)
    rel = PurePosixPath("_posts/2022-05-01-entropy.md")
    assert jekyll_address("pretty", meta, date, rel, zone) == f"/{day}/entropy/"


def test_a_jekyll_site_in_another_time_zone_keeps_its_old_addresses(tmp_path: Path) -> None:
    """Imported from a Jekyll site whose ``timezone`` is Asia/Shanghai, a post dated late
    at night in UTC redirects from the next day's address, where Jekyll had put it; a
    timezone Jekyll would not know is a warning at its line, and addresses are dated in
    UTC."""
    source = tmp_path / "jekyll"
    (source / "_posts").mkdir(parents=True)
    (source / "_posts/2022-05-01-entropy.md").write_text(
        "---\ntitle: Entropy\ndate: 2022-05-01 23:30:00 +0000\n---\nbits\n", encoding="utf-8"
    )
    (source / "_config.yml").write_text(
        "title: x\npermalink: pretty\ntimezone: Asia/Shanghai\n", encoding="utf-8"
    )
    assert import_jekyll(source).problems == []
    run_import("jekyll", source, tmp_path / "site")
    report, out = build_site(tmp_path / "site", out_dir=tmp_path / "out")
    assert report.errors == [], messages(report)
    assert re.search(r'url=/posts/[^"]*entropy/"', read(out, "2022/05/02/entropy/index.html"))
    (source / "_config.yml").write_text("title: x\ntimezone: Mars/Olympus\n", encoding="utf-8")
    batch = import_jekyll(source)
    assert [(str(p.path), p.line) for p in batch.problems] == [("_config.yml", 2)]
    assert batch.posts[0].front["aliases"] == ["/2022/05/01/entropy.html"]


@pytest.mark.parametrize(
    ("pattern", "rel", "meta", "address"),
    [
        ("/:year/:month/:title/", "posts/pca/index.md", {"title": "Principal Components!"},
         "/2023/02/principal-components/"),
        ("/:year/:month/:title/", "posts/pca.md", {"title": "主成分 分析"}, "/2023/02/主成分-分析/"),
        ("/:section/:slugorfilename", "posts/PCA.md", {}, "/posts/pca/"),
        ("/:sections/:slug/", "posts/ml/pca.md", {"slug": "PCA Notes"}, "/posts/ml/pca-notes/"),
        ("/:year/:yearday/:filename.html", "posts/pca.md", {}, "/2023/41/pca.html"),
        ("/:year/:monthname/:weekdayname/:filename/", "posts/pca.md", {},
         "/2023/february/friday/pca/"),
    ],
)  # fmt: skip
def test_hugo_permalink_patterns_give_the_old_address(
    pattern: str, rel: str, meta: dict[str, object], address: str
) -> None:
    date = dt.datetime(2023, 2, 10, 8, 0)
    assert hugo_address({"posts": pattern}, meta, date, PurePosixPath(rel)) == address
    assert hugo_address({"notes": pattern}, meta, date, PurePosixPath(rel)) is None


@pytest.mark.parametrize("generator", ["jekyll", "hugo"])
def test_a_blog_imported_from_jekyll_or_hugo_keeps_its_old_addresses(
    tmp_path: Path, generator: str
) -> None:
    """The site's permalink pattern (Jekyll's default, Hugo's ``[permalinks]``) gives each
    post an alias, beside those the post named itself."""
    _, site = import_fixture(generator, generator, tmp_path)
    report, out = build_site(site, out_dir=tmp_path / "out")
    assert report.errors == [], messages(report)
    olds = {
        "jekyll": ["信息论/笔记/2022/05/01/entropy.html", "notes/kl-divergence/index.html"],
        "hugo": ["2023/02/pca/index.html", "2023/01/2023-01-09-bayes-rule/index.html"],
    }[generator]
    for old in olds:
        target = re.search(r'url=([^"]+)"', read(out, old))
        assert target is not None, old
        path = target.group(1).removeprefix("/blog").lstrip("/")
        assert (out / path / "index.html").is_file(), old
