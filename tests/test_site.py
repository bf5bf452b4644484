"""Whole-site behaviour: sources in, pages out."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from inkstone import build as build_module
from inkstone import rendering
from inkstone.build import BuildMemory, BuildOptions, build, clean
from inkstone.cache import Cache
from inkstone.config import load_config
from inkstone.content.discover import discover
from inkstone.content.load import read_categories
from inkstone.errors import Problem
from inkstone.render.licenses import license_view
from inkstone.render.templates import Pieces, Templates, theme_dir
from inkstone.search import index as search_index
from inkstone.search import start_search
from inkstone.site.collect import collect
from tests.sites import build_site, messages, read, write_site

BLOG = """
-- site.toml --
title = "Test Notes"
theme = "minimal"
language = "zh"
base_url = "https://example.org/"
timezone = "Asia/Shanghai"
posts_per_page = 2

[math.macros]
"\\\\RR" = "\\\\mathbb{R}"
-- content/about.md --
---
title: 关于
---
See [the RoPE post](posts/rope.md).
-- content/posts/rope.md --
---
title: RoPE 笔记
date: 2025-03-14 10:20
updated: 2025-04-01
categories: [机器学习]
tags: [Transformer, 位置编码]
---
## 1. 符号约定

$x \\in \\RR^d$，参见 [LeetCode](./2025-01-11-leetcode-42.md#思路)。

## 1. 符号约定
-- content/posts/2025-01-11-leetcode-42.md --
---
title: LeetCode 42
categories: [Python]
tags: [算法]
---
## 思路

Two pointers.
-- content/posts/toml-post.md --
+++
title = "TOML front matter"
date = 2024-06-01T08:00:00+08:00
tags = ["Transformer"]
+++
Body with $\\alpha$.
-- content/posts/draft.md --
---
title: Not yet
date: 2025-01-01
draft: true
---
Hidden.
-- content/posts/future.md --
---
title: From the future
date: 2999-01-01
---
Later.
-- content/posts/vit/index.md --
---
title: ViT
date: 2025-02-02
---
![patches](patches.png "把图像切成 patch")
-- content/posts/vit/patches.png --
not really a png
"""


def test_posts_pages_and_lists_are_written(tmp_path: Path) -> None:
    report, out = build_site(tmp_path, BLOG)
    assert report.errors == [], messages(report)
    for rel in [
        "index.html",
        "page/2/index.html",
        "posts/rope/index.html",
        "posts/leetcode-42/index.html",
        "posts/toml-post/index.html",
        "posts/vit/index.html",
        "about/index.html",
        "categories/index.html",
        "categories/机器学习/index.html",
        "tags/index.html",
        "tags/transformer/index.html",
        "404.html",
    ]:
        assert (out / rel).is_file(), rel


def test_drafts_and_future_posts_are_left_out_unless_asked(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, BLOG)
    assert not (out / "posts/draft").exists()
    assert not (out / "posts/future").exists()
    _report, out = build_site(tmp_path, drafts=True)
    assert (out / "posts/draft/index.html").is_file()
    assert (out / "posts/future/index.html").is_file()


def test_date_in_file_name_is_used_when_front_matter_has_none(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, BLOG)
    assert '<time datetime="2025-01-11T00:00:00+08:00">2025-01-11</time>' in read(
        out, "posts/leetcode-42/index.html"
    )


def test_updated_is_shown_and_falls_back_to_date(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, BLOG)
    rope = read(out, "posts/rope/index.html")
    assert "2025-03-14</time>" in rope and "updated" in rope and "2025-04-01</time>" in rope
    assert (
        "updated" not in read(out, "posts/toml-post/index.html").split('class="post-meta"')[1][:300]
    )


def test_home_lists_posts_by_last_update_and_paginates(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, BLOG)
    home = read(out, "index.html")
    titles = re.findall(r'class="post-entry-title"><a href="[^"]+">([^<]+)</a>', home)
    assert titles == ["RoPE 笔记", "ViT"]
    page2 = read(out, "page/2/index.html")
    assert re.findall(r'class="post-entry-title"><a href="[^"]+">([^<]+)</a>', page2) == [
        "LeetCode 42",
        "TOML front matter",
    ]
    assert 'rel="next" href="/page/2/"' in home
    assert 'aria-current="page" href="/page/2/"' in page2


PINNED = """
-- site.toml --
posts_per_page = 2
language = "zh"
-- content/posts/a-newest.md --
---
title: Newest
date: 2025-05-01
tags: [t]
---
x
-- content/posts/b-sticky.md --
---
title: Sticky
date: 2025-01-01
sticky: 100
tags: [t]
---
x
-- content/posts/c-pinned.md --
---
title: Pinned
date: 2025-02-01
pinned: true
tags: [t]
---
x
-- content/posts/d-middle.md --
---
title: Middle
date: 2025-04-01
tags: [t]
---
x
-- content/posts/e-bad.md --
---
title: Bad pin
date: 2025-03-01
top: yes please
tags: [t]
---
x
"""


def entry_titles(html: str) -> list[str]:
    return re.findall(r'class="post-entry-title"><a href="[^"]+">([^<]+)</a>', html)


@pytest.mark.parametrize("theme", ["transmission", "minimal"])
def test_pinned_posts_lead_the_home_page_only(tmp_path: Path, theme: str) -> None:
    """``pinned`` and Hexo's ``sticky``/``top`` put a post at the top of the home page, a
    higher number first, marked there; every other list and the feed keep the date order."""
    site = PINNED.replace("-- site.toml --\n", f'-- site.toml --\ntheme = "{theme}"\n')
    report, out = build_site(tmp_path, site)
    assert messages(report) == [
        "content/posts/e-bad.md:4: `top: yes please` is neither true/false nor a number; the "
        "post is not pinned (write `top: true`, or a number such as `top: 2`; the highest "
        "comes first)"
    ]
    home = read(out, "index.html")
    assert entry_titles(home) == ["Sticky", "Pinned"]
    assert entry_titles(read(out, "page/2/index.html")) == ["Newest", "Middle"]
    assert entry_titles(read(out, "page/3/index.html")) == ["Bad pin"]
    mark = "置顶" if theme == "transmission" else "Pinned"
    assert home.count(mark + "</span>") == 2
    tag = read(out, "tags/t/index.html")
    assert entry_titles(tag) == ["Newest", "Middle"] and mark + "</span>" not in tag
    assert mark + "</span>" not in read(out, "tags/t/page/2/index.html")
    feed = read(out, "atom.xml")
    assert [feed.index(f"<title>{t}</title>") for t in ("Newest", "Middle", "Bad pin")] == sorted(
        feed.index(f"<title>{t}</title>") for t in ("Newest", "Middle", "Bad pin")
    )
    assert feed.index("<title>Pinned</title>") > feed.index("<title>Bad pin</title>")


def test_a_description_or_excerpt_in_front_matter_is_the_posts_summary(tmp_path: Path) -> None:
    """Hexo's themes show a post's ``description`` on the home page and in its meta
    description; inkstone reads it (and ``excerpt``) as ``summary``, which wins over both."""
    report, out = build_site(
        tmp_path,
        """
-- site.toml --
-- content/posts/a.md --
---
title: A
date: 2025-01-01
description: 写在 description 里的摘要
---
正文第一段。
-- content/posts/b.md --
---
title: B
date: 2025-01-02
excerpt: 写在 excerpt 里的摘要
---
正文第一段。
-- content/posts/c.md --
---
title: C
date: 2025-01-03
summary: 真正的摘要
description: 不用这个
---
正文第一段。
""",
    )
    assert messages(report) == []
    home = read(out, "index.html")
    for summary in ("写在 description 里的摘要", "写在 excerpt 里的摘要", "真正的摘要"):
        assert f"<p>{summary}</p>" in home
    assert "不用这个" not in home and "正文第一段" not in home
    assert 'name="description" content="写在 description 里的摘要"' in read(
        out, "posts/a/index.html"
    )


def test_the_cover_image_is_read_from_the_keys_hexo_and_hugo_themes_use(tmp_path: Path) -> None:
    """PaperMod writes ``cover: {image: …}``, Hugo ``images: [...]``, LoveIt
    ``featuredImage``, Fluid ``index_img``, NexT ``thumbnail``; Butterfly's ``top_img:
    false`` names none. Each becomes the post's ``og:image`` and its list thumbnail."""
    covers = {
        "papermod": "cover:\n  image: /img/papermod.png\n  alt: x",
        "hugo": "images: [/img/hugo.png, /img/second.png]",
        "loveit": "featuredImage: /img/loveit.png",
        "fluid": "index_img: /img/fluid.png\nbanner_img: /img/banner.png",
        "next": "thumbnail: https://example.org/next.png",
        "butterfly": "top_img: false\ncover: /img/butterfly.png",
        "none": "top_img: false",
    }
    site = '-- site.toml --\nbase_url = "https://me.example/"\n'
    for name, lines in covers.items():
        site += f"-- content/posts/{name}.md --\n---\ntitle: {name}\ndate: 2025-01-01\n"
        site += f"{lines}\n---\n正文。\n"
    report, out = build_site(tmp_path, site)
    assert messages(report) == []
    expected = {
        "papermod": "https://me.example/img/papermod.png",
        "hugo": "https://me.example/img/hugo.png",
        "loveit": "https://me.example/img/loveit.png",
        "fluid": "https://me.example/img/fluid.png",
        "next": "https://example.org/next.png",
        "butterfly": "https://me.example/img/butterfly.png",
    }
    for name in covers:
        page = read(out, f"posts/{name}/index.html")
        found = re.search(r'<meta property="og:image" content="([^"]*)"', page)
        assert (found[1] if found else None) == expected.get(name), name
    assert read(out, "index.html").count('class="entry-cover"') == len(expected)


@pytest.mark.parametrize("theme", ["transmission", "minimal"])
def test_toc_false_in_front_matter_leaves_the_table_of_contents_out(
    tmp_path: Path, theme: str
) -> None:
    """Hexo's themes read ``toc: false``, Hugo PaperMod ``ShowToc: false``."""
    headings = "## 一\n\n正文。\n\n## 二\n\n正文。\n"
    site = f'-- site.toml --\ntheme = "{theme}"\n'
    for name, switch in (("shown", ""), ("off", "toc: false\n"), ("paper", "ShowToc: false\n")):
        site += f"-- content/posts/{name}.md --\n---\ntitle: {name}\ndate: 2025-01-01\n"
        site += f"{switch}---\n{headings}"
    report, out = build_site(tmp_path, site)
    assert messages(report) == []
    for name, shown in (("shown", True), ("off", False), ("paper", False)):
        page = read(out, f"posts/{name}/index.html")
        assert ('<nav class="toc' in page) is shown, name
        assert 'id="二"' in page  # the headings themselves stay


@pytest.mark.parametrize("theme", ["transmission", "minimal"])
def test_a_post_first_published_elsewhere_names_the_original_as_canonical(
    tmp_path: Path, theme: str
) -> None:
    """``canonical_url`` (Jekyll SEO), ``canonicalURL`` (Hugo PaperMod) or ``canonical``
    send search engines to the original; anything but a full URL is not taken. Hexo
    NexT's ``copyright: false`` turns the license box off."""
    site = f'-- site.toml --\ntheme = "{theme}"\nbase_url = "https://me.example/"\n'
    site += 'license = "CC BY 4.0"\n'
    for name, line in (
        ("jekyll", "canonical_url: https://zhuanlan.zhihu.com/p/1"),
        ("paper", "canonicalURL: https://blog.csdn.net/x/article/details/2"),
        ("bare", "canonical: https://example.org/3"),
        ("relative", "canonical: /not/a/url/"),
        ("mine", "copyright: false"),
    ):
        site += f"-- content/posts/{name}.md --\n---\ntitle: {name}\ndate: 2025-01-01\n"
        site += f"{line}\n---\nText.\n"
    report, out = build_site(tmp_path, site)
    assert messages(report) == []
    for name, canonical in (
        ("jekyll", "https://zhuanlan.zhihu.com/p/1"),
        ("paper", "https://blog.csdn.net/x/article/details/2"),
        ("bare", "https://example.org/3"),
        ("relative", "https://me.example/posts/relative/"),
        ("mine", "https://me.example/posts/mine/"),
    ):
        page = read(out, f"posts/{name}/index.html")
        assert re.findall(r'<link rel="canonical" href="([^"]+)">', page) == [canonical], name
        assert ("post-license" in page) is (name != "mine"), name


MENU = """
-- site.toml --
base_url = "https://me.github.io/blog/"
[[menu]]
name = "关于"
url = "/about/"
[[menu]]
name = "Posts"
url = "/"
[[menu]]
name = "Feed"
url = "/atom.xml"
[[menu]]
name = "GitHub"
url = "https://github.com/me"
[[menu]]
name = "Gone"
url = "/projects/"
-- content/about.md --
---
title: About me
---
x
-- content/posts/a.md --
---
title: A
date: 2025-01-01
tags: [t]
---
x
"""


@pytest.mark.parametrize("theme", ["transmission", "minimal"])
def test_a_site_menu_replaces_the_themes_navigation(tmp_path: Path, theme: str) -> None:
    """``[[menu]]`` items make the header's navigation in the order written: site paths
    under the base path, full URLs as they are; a path that is no page of the site is a
    warning at its line of site.toml, and the site builds."""
    site = MENU.replace("-- site.toml --\n", f'-- site.toml --\ntheme = "{theme}"\n')
    report, out = build_site(tmp_path, site)
    assert messages(report) == [
        "site.toml:17: menu item `Gone` links to `/projects/`, which is no page of the site "
        "(write the page's path as the site shows it, without the base path)"
    ]
    about = read(out, "about/index.html")
    nav = re.search(r'<nav[^>]*aria-label="[^"]*"[^>]*>(.*?)</nav>', about, re.S)
    assert nav is not None
    links = re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', nav.group(1))
    # the search link is the theme's own, beside the menu (the default theme has a button)
    assert [link for link in links if link != ("/blog/search/", "Search")] == [
        ("/blog/about/", "关于"),
        ("/blog/", "Posts"),
        ("/blog/atom.xml", "Feed"),
        ("https://github.com/me", "GitHub"),
        ("/blog/projects/", "Gone"),
    ]
    assert "/blog/tags/" not in nav.group(1)
    if theme == "transmission":
        assert '<a href="/blog/about/" aria-current="page">关于</a>' in about


def test_a_menu_item_without_a_name_or_url_is_an_error(tmp_path: Path) -> None:
    report, _ = build_site(
        tmp_path, '-- site.toml --\n[[menu]]\nname = "x"\n-- content/posts/a.md --\nx\n'
    )
    assert messages(report) == [
        "site.toml: menu item 1 must have a `name` and a `url`, and nothing else (write it as "
        '[[menu]] name = "关于" url = "/about/")'
    ]


LICENSED = """
-- site.toml --
language = "zh"
author = "墨石"
license = "CC BY-NC-SA 4.0"
-- content/posts/a.md --
---
title: A
date: 2025-01-01
---
x
-- content/posts/guest.md --
---
title: Guest
date: 2025-01-02
author: 客座作者
license: All rights reserved
---
x
-- content/posts/none.md --
---
title: None
date: 2025-01-03
license: false
---
x
-- content/about.md --
---
title: About
---
x
"""


@pytest.mark.parametrize("theme", ["transmission", "minimal"])
def test_posts_carry_the_license_they_are_published_under(tmp_path: Path, theme: str) -> None:
    """The site's ``license`` is shown below each post with its author (and, in the default
    theme, its address), linked to its Creative Commons deed; a post's own ``license``
    replaces it, ``license: false`` removes it, and standalone pages have none."""
    site = LICENSED.replace("-- site.toml --\n", f'-- site.toml --\ntheme = "{theme}"\n')
    report, out = build_site(tmp_path, site)
    assert report.problems == []
    deed = "https://creativecommons.org/licenses/by-nc-sa/4.0/deed.zh-hans"
    post = read(out, "posts/a/index.html")
    assert f'<a href="{deed}" rel="license">CC BY-NC-SA 4.0</a>' in post
    assert "墨石" in post.split('class="post-license"')[1].split("</dl>")[0]
    guest = read(out, "posts/guest/index.html").split('class="post-license"')[1]
    assert "All rights reserved" in guest and "客座作者" in guest and 'rel="license"' not in guest
    assert 'class="post-license"' not in read(out, "posts/none/index.html")
    assert 'class="post-license"' not in read(out, "about/index.html")
    assert "<rights>CC BY-NC-SA 4.0</rights>" in read(out, "atom.xml")
    assert "<copyright>CC BY-NC-SA 4.0</copyright>" in read(out, "rss.xml")
    if theme == "transmission":
        assert '<dd><a href="/posts/a/">/posts/a/</a></dd>' in post
        ld = json.loads(post.split('<script type="application/ld+json">')[1].split("</script>")[0])
        assert ld["license"] == deed and ld["author"]["name"] == "墨石"


@pytest.mark.parametrize(
    ("name", "zh", "url"),
    [
        ("CC BY 4.0", False, "https://creativecommons.org/licenses/by/4.0/"),
        ("cc-by-sa", False, "https://creativecommons.org/licenses/by-sa/4.0/"),
        ("CC BY-NC-ND 3.0", True, "https://creativecommons.org/licenses/by-nc-nd/3.0/deed.zh-hans"),
        ("CC0", False, "https://creativecommons.org/publicdomain/zero/1.0/"),
        ("CC BY-XY 4.0", False, None),
        ("MIT", False, None),
    ],
)
def test_creative_commons_names_link_to_their_deed(name: str, zh: bool, url: str | None) -> None:
    assert license_view(name, zh).url == url


UNLISTED = """
-- site.toml --
title = "u"
-- content/posts/open.md --
---
title: Open
date: 2025-01-01
tags: [t]
categories: [c]
---
注意力 softmax
-- content/posts/secret.md --
---
title: Secret
date: 2025-01-02
tags: [t]
categories: [c]
unlisted: true
---
注意力 softmax，见 [Open](open.md)。
-- content/posts/hexo-hidden.md --
---
title: Hidden
date: 2025-01-03
hidden: true
---
x
-- content/posts/hugo-never.md --
---
title: Never
date: 2025-01-04
build:
  list: never
---
x
-- content/draft-page.md --
---
title: Unlisted page
unlisted: true
---
x
"""


def test_an_unlisted_post_is_built_but_listed_nowhere(tmp_path: Path) -> None:
    """``unlisted`` (Hexo's ``hidden``, Hugo's ``build.list: never``) posts and pages are
    written at their address, asking search engines not to index them, and appear in no
    list, feed, sitemap, search index, navigation, backlinks or previous/next link."""
    report, out = build_site(tmp_path, UNLISTED)
    assert report.errors == [], messages(report)
    secret = read(out, "posts/secret/index.html")
    assert '<meta name="robots" content="noindex">' in secret
    assert '<meta name="robots"' not in read(out, "posts/open/index.html")
    assert (out / "posts/hexo-hidden/index.html").is_file()
    assert (out / "draft-page/index.html").is_file()
    hidden = ("Secret", "Hidden", "Never", "Unlisted page", "/posts/secret/", "/draft-page/")
    for rel in [
        "index.html",
        "archives/index.html",
        "tags/t/index.html",
        "categories/c/index.html",
        "atom.xml",
        "rss.xml",
        "feed.json",
        "sitemap.xml",
        "posts/open/index.html",
    ]:
        text = read(out, rel)
        assert not [h for h in hidden if h in text], rel
    assert 'term-info">1 篇文章' in read(out, "tags/t/index.html")  # Open alone
    # a root index.md is the home page even when unlisted: no list is made over it
    write_site(tmp_path, "-- content/index.md --\n---\ntitle: Home\nunlisted: true\n---\n首页\n")
    report, out = build_site(tmp_path)
    assert report.errors == [], messages(report)
    assert "首页" in read(out, "index.html") and "Open" not in read(out, "index.html")
    # the search index holds one page: Open's
    assert len(list((out / "pagefind" / "fragment").iterdir())) == 1


def test_relative_md_links_become_page_links_with_fragment(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, BLOG)
    rope = read(out, "posts/rope/index.html")
    assert 'href="/posts/leetcode-42/#%E6%80%9D%E8%B7%AF"' in rope
    assert 'id="思路"' in read(out, "posts/leetcode-42/index.html")
    assert 'href="/posts/rope/"' in read(out, "about/index.html")


def test_links_and_images_written_as_html_point_where_markdowns_would(tmp_path: Path) -> None:
    """Typora's ``<img src="…" style="zoom:50%;" />`` and other HTML in a post: paths are
    relative to the Markdown file, as a Markdown image's, so they are resolved the same
    way (base path, copied file, measured size, a missing file reported at its line);
    the rest of the HTML stays as written."""
    from PIL import Image

    site = """
-- site.toml --
base_url = "https://me.github.io/blog/"
-- content/posts/notes/a.md --
---
title: A
date: 2024-01-01
---
正文

<img src="assets/x.png" alt="图 src=a.png width=3" style="zoom:50%;" />

行内 <img src='assets/x.png' width="30"> 和 <a href="b.md#思路" class="k">B</a>
<a href="https://example.org/">外链</a> <a href="#top">顶</a> <img src="data:image/gif;base64,R0lG">

<video controls src="assets/clip.mp4" poster="/cover.png"></video>

<IMG SRC="assets/missing.png">

<div align="center">
<img src="assets/x.png">
<img src="assets/gone.png">
</div>

<img src="assets/x.png" srcset="assets/x.png 1x, assets/big.png 2x,data:image/gif;base64,R0lG 3x">

<iframe src="//player.bilibili.com/player.html?aid=1"></iframe> <iframe src="demo.html"></iframe>
-- content/posts/notes/demo.html --
<p>demo</p>
-- content/posts/notes/b.md --
---
title: B
date: 2024-01-02
---
## 思路
-- content/posts/notes/assets/clip.mp4 --
not a video
"""
    write_site(tmp_path, site)
    Image.new("RGB", (40, 20), "red").save(tmp_path / "content/posts/notes/assets/x.png")
    report, out = build_site(tmp_path)
    assert [m.split(" (")[0] for m in messages(report)] == [
        "content/posts/notes/a.md:14: missing image `assets/missing.png`",
        "content/posts/notes/a.md:18: missing image `assets/gone.png`",
        "content/posts/notes/a.md:21: missing image `assets/big.png`",
    ]
    page = read(out, "posts/a/index.html")
    body = page[page.index("<p>正文</p>") : page.index('<IMG SRC="assets/missing.png">') + 30]
    assert (out / "posts/notes/assets/x.png").is_file()
    assert (
        '<img src="/blog/posts/notes/assets/x.png" alt="图 src=a.png width=3" style="zoom:50%;"'
        ' width="40" height="20" />'
    ) in body
    assert '<img src="/blog/posts/notes/assets/x.png" width="30">' in body
    assert '<a href="/blog/posts/b/#思路" class="k">B</a>' in body
    assert '<a href="https://example.org/">外链</a> <a href="#top">顶</a>' in body
    assert '<img src="data:image/gif;base64,R0lG">' in body
    assert (
        '<video controls src="/blog/posts/notes/assets/clip.mp4" poster="/blog/cover.png">'
    ) in body
    assert '<IMG SRC="assets/missing.png">' in body
    # each image of a srcset, and a page shown in an <iframe>
    assert (
        '<img src="/blog/posts/notes/assets/x.png" srcset="/blog/posts/notes/assets/x.png 1x,'
        ' assets/big.png 2x,data:image/gif;base64,R0lG 3x" width="40" height="20">'
    ) in page
    assert '<iframe src="//player.bilibili.com/player.html?aid=1"></iframe>' in page
    assert '<iframe src="/blog/posts/notes/demo.html"></iframe>' in page


def test_heading_ids_keep_chinese_and_are_deduplicated(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, BLOG)
    rope = read(out, "posts/rope/index.html")
    assert 'id="1-符号约定"' in rope and 'id="1-符号约定-1"' in rope
    assert 'href="#1-符号约定"' in rope, "table of contents links the heading"


def test_site_macros_are_applied(tmp_path: Path) -> None:
    report, out = build_site(tmp_path, BLOG)
    assert not [p for p in report.problems if "KaTeX" in p.message]
    assert '<mi mathvariant="double-struck">R</mi>' in read(out, "posts/rope/index.html")


def test_page_bundle_files_are_copied_beside_the_page(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, BLOG)
    assert (out / "posts/vit/patches.png").read_text() == "not really a png\n"
    vit = read(out, "posts/vit/index.html")
    assert 'src="patches.png"' in vit and "<figcaption>把图像切成 patch</figcaption>" in vit


def test_katex_css_only_on_pages_with_math(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, BLOG)
    assert "katex.min.css" in read(out, "posts/rope/index.html")
    assert "katex.min.css" not in read(out, "posts/leetcode-42/index.html")
    assert (out / "assets/katex/katex.min.css").is_file()
    assert list((out / "assets/katex/fonts").glob("KaTeX_Main-Regular.woff2"))


def test_base_url_sub_path_is_used_by_every_internal_link(tmp_path: Path) -> None:
    report, out = build_site(tmp_path, BLOG, base_url="https://me.github.io/blog/")
    assert report.errors == []
    for html_file in out.rglob("*.html"):
        html = html_file.read_text(encoding="utf-8")
        for url in re.findall(r'(?:href|src)="([^"]+)"', html):
            if url.startswith(("#", "https://", "http://")) or not url.startswith("/"):
                continue
            assert url.startswith("/blog/"), f"{html_file.relative_to(out)}: {url}"


def test_same_formula_is_typeset_once_per_build(tmp_path: Path) -> None:
    posts = "".join(
        f"-- content/posts/p{i}.md --\n---\ndate: 2024-01-0{i}\n---\n$\\zeta_{{{{ok}}}}(s) = {i}$ and $\\xi^{{{{same}}}}$\n"
        for i in range(1, 6)
    )
    report, _ = build_site(tmp_path, "-- site.toml --\n" + posts)
    assert report.formulas_rendered == 10
    assert report.formulas_typeset <= 6


def test_code_is_highlighted_with_classes_and_unknown_languages_are_plain(tmp_path: Path) -> None:
    site = (
        "-- site.toml --\n-- content/posts/code.md --\n---\ndate: 2024-01-01\n---\n"
        '```python title="attn.py" linenos\ndef f(x):\n    return x\n```\n\n'
        "```foolang\n<b>x</b>\n```\n"
    )
    _, out = build_site(tmp_path, site)
    html = read(out, "posts/code/index.html")
    assert '<span class="k">def</span>' in html
    assert '<span class="code-title">attn.py</span>' in html
    assert '<span class="linenos">1</span>' in html
    assert '<span class="code-lang">foolang</span>' in html and "&lt;b&gt;x&lt;/b&gt;" in html
    css = read(out, "assets/highlight.css")
    assert ".highlight .k" in css and 'data-theme="dark"' in css


def test_templates_can_be_overridden_file_by_file(tmp_path: Path) -> None:
    site = BLOG + "-- templates/404.html --\nCUSTOM 404 for {{ site.title }}\n"
    _, out = build_site(tmp_path, site)
    assert read(out, "404.html") == "CUSTOM 404 for Test Notes\n"
    assert "<article" in read(out, "posts/rope/index.html")


def test_a_cached_piece_is_rendered_once_per_key_in_a_build(tmp_path: Path) -> None:
    """``cached`` (Hugo's partialCached): a build renders a keyed piece once and every page
    asking for the key gets that HTML; the next build renders it afresh."""
    lists = (
        "-- templates/list.html --\n"
        '{% call cached("heading") %}{{ page_title }}{% endcall %}|'
        '{% for post in posts %}{% call cached("entry", post.url) %}[{{ post.title }}]'
        "{% endcall %}{% endfor %}\n"
    )
    root = write_site(tmp_path, BLOG + lists)
    options = BuildOptions(out_dir=tmp_path / "public")
    memory = BuildMemory()
    build(root, options, memory)
    out = tmp_path / "public"
    tag = read(out, "tags/transformer/index.html")
    assert tag.split("|")[0] == read(out, "index.html").split("|")[0] != "Transformer"
    assert "[RoPE 笔记]" in tag

    rope = tmp_path / "content/posts/rope.md"
    rope.write_text(rope.read_text().replace("RoPE 笔记", "旋转位置编码"), encoding="utf-8")
    build(root, options, memory)
    assert "[旋转位置编码]" in read(out, "tags/transformer/index.html")


def test_pieces_render_each_key_once_and_templates_alone_render_every_time(
    tmp_path: Path,
) -> None:
    pieces, made = Pieces(), []

    def body(text: str) -> Callable[[], str]:
        def make() -> str:
            made.append(text)
            return text

        return make

    assert pieces("entry", "/a/", caller=body("A")) == "A"
    assert pieces("entry", "/a/", caller=body("B")) == "A"
    assert pieces("entry", "/b/", caller=body("B")) == "B"
    assert made == ["A", "B"]

    write_site(tmp_path, '-- templates/x.html --\n{% call cached("k") %}{{ n }}{% endcall %}\n')
    templates = Templates(tmp_path, theme_dir(tmp_path, "minimal"))
    assert [templates.render("x.html", {"n": n}) for n in (1, 2)] == ["1", "2"]


LABELLED = """
-- site.toml --
title = "Labels"
language = "LANG"
base_url = "https://example.org/"
-- content/posts/a.md --
---
title: A
date: 2025-03-14
---
Text.
"""


def test_theme_labels_follow_the_site_language_and_the_site_overrides_them(
    tmp_path: Path,
) -> None:
    _, out = build_site(tmp_path / "zh", LABELLED.replace("LANG", "zh-CN"))
    assert ">首页</a>" in read(out, "index.html")
    assert ">跳到正文</a>" in read(out, "index.html")
    _, out = build_site(tmp_path / "fr", LABELLED.replace("LANG", "fr"))  # no fr.toml: English
    assert ">Home</a>" in read(out, "index.html")
    override = LABELLED.replace("LANG", "zh-CN") + '-- i18n/zh.toml --\nhome = "主页 & 归途"\n'
    report, out = build_site(tmp_path / "own", override)
    assert not report.problems
    home = read(out, "posts/a/index.html")
    assert ">主页 &amp; 归途</a>" in home  # escaped like any text
    assert ">跳到正文</a>" in home  # the keys it does not give stay the theme's


def test_a_broken_label_file_or_a_missing_label_names_the_place(tmp_path: Path) -> None:
    broken = LABELLED.replace("LANG", "en") + '-- i18n/en.toml --\nhome = "Home"\nnav = [\n'
    report, _ = build_site(tmp_path / "toml", broken)
    assert any(m.startswith("i18n/en.toml:2: invalid TOML") for m in messages(report)), messages(
        report
    )
    missing = LABELLED.replace("LANG", "en") + (
        '-- templates/404.html --\n{% extends "base.html" %}\n'
        '{% block main %}{{ i18n("no_such_label") }}{% endblock %}\n'
    )
    report, out = build_site(tmp_path / "key", missing)
    problem = next(m for m in messages(report) if "no_such_label" in m)
    assert problem.startswith("templates/404.html:2: "), problem
    assert "i18n/en.toml" in problem
    assert (out / "posts/a/index.html").is_file()  # the rest of the site is built


def test_lang_attribute_comes_from_site_or_post(tmp_path: Path) -> None:
    site = (
        BLOG
        + "-- content/posts/en.md --\n---\ntitle: English\ndate: 2024-01-01\nlang: en\n---\nHi.\n"
    )
    _, out = build_site(tmp_path, site)
    assert read(out, "index.html").startswith('<!doctype html>\n<html lang="zh">')
    assert '<html lang="en">' in read(out, "posts/en/index.html")


def test_permalink_pattern_with_date_fields(tmp_path: Path) -> None:
    site = BLOG.replace(
        "posts_per_page = 2", 'posts_per_page = 2\npermalink = "/{year}/{month}/{slug}/"'
    )
    report, out = build_site(tmp_path, site)
    assert report.errors == [], messages(report)
    assert (out / "2025/03/rope/index.html").is_file()
    assert (out / "2025/02/vit/patches.png").is_file(), "bundle files follow their page"
    assert 'href="/2025/03/rope/"' in read(out, "about/index.html")


def _same_files(expected: Path, actual: Path) -> None:
    """Both output folders hold the same files, byte for byte."""
    files = sorted(p.relative_to(expected) for p in expected.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(actual) for p in actual.rglob("*") if p.is_file())
    for rel in files:
        assert (expected / rel).read_bytes() == (actual / rel).read_bytes(), rel


def test_output_is_deterministic(tmp_path: Path) -> None:
    _, out1 = build_site(tmp_path / "a", BLOG)
    _, out2 = build_site(tmp_path / "b", BLOG)
    _same_files(out1, out2)


TWENTY_POSTS = "-- site.toml --\ntitle = 'j'\nposts_per_page = 3\n" + "".join(
    f"-- content/posts/p{i:02d}.md --\n---\ntitle: 第 {i} 篇\ndate: 2024-02-{i:02d}\n"
    f"tags: [t{i % 3}]\n---\n## 小节\n\n$x_{{{i}}} * y$ 与 $\\alpha_{i}$，见 [上一篇](p01.md)。\n\n"
    f"$$\n\\sum_{{k=1}}^{{{i}}} k \\label{{eq:s{i}}}\n$$\n\n由 $\\eqref{{eq:s{i}}}$。\n\n"
    f"```python\nprint({i})\n```\n"
    for i in range(1, 21)
)
"""Twenty posts with math, cross-references, code and tags, three to a list page."""


def test_parallel_build_is_byte_identical_to_serial(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # its search index in eight shards, indexed one at a time and two at once
    monkeypatch.setattr(search_index, "SHARD_PAGES", 3)
    serial_report, serial = build_site(tmp_path / "a", TWENTY_POSTS, jobs=1)
    parallel_report, parallel = build_site(tmp_path / "b", TWENTY_POSTS, jobs=2)
    assert serial_report.problems == parallel_report.problems == []
    assert serial_report.formulas_rendered == parallel_report.formulas_rendered == 60
    assert serial_report.formulas_typeset == parallel_report.formulas_typeset == 60
    manifest = json.loads((serial / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert len(manifest["shards"]) > 1
    _same_files(serial, parallel)


@pytest.mark.parametrize(
    ("post_template", "whole"),
    [
        ("{{ page.content | safe }}", True),
        (
            '<main>{{ page["content"]|safe }}</main>{% for p in [page] %}{{ p.content|safe }}{% endfor %}',
            True,
        ),
        ("{{ page.content }}", False),
        ("{% block main %}{{ page.content | safe }}{% endblock %}{{ self.main() }}", True),
        ("{{ page.content | striptags }}", False),
        ("{{ page.content | safe | upper }}", False),
        ("{% if page.content %}{{ page.content | safe }}{% endif %}", False),
        ("{% set body = page.content %}{{ body }}", False),
        ("{{ page.content ~ '' }}", False),
        ("{{ page | attr('content') }}", False),
        ("{% filter upper %}{{ page.content | safe }}{% endfilter %}", False),
        ("{% set body %}{{ page.content | safe }}{% endset %}{{ body }}", False),
        ("{% macro show(p) %}{{ p.content }}{% endmacro %}{{ show(page) }}", False),
        ('{% call cached("body") %}{{ page.content | safe }}{% endcall %}', False),
        ('{% filter upper %}{% include "body.html" %}{% endfilter %}', False),
        ("{% block main %}{{ page.content | safe }}{% endblock %}{{ self.main() | upper }}", False),
        ('{% include "body.html" %}', True),
        ('{% include "hook.html" ignore missing %}{{ page.content | safe }}', True),
        ('{% include "body" ~ ".html" %}', False),
        (
            '{% extends "wrapping.html" %}{% block main %}{{ page.content|safe }}{% endblock %}',
            False,
        ),
    ],
)
def test_templates_that_print_a_body_whole_are_told_from_those_that_change_it(
    tmp_path: Path, post_template: str, whole: bool
) -> None:
    """The page writer puts a post's body in its page as bytes only when every template
    the page uses prints ``content`` as it is, where its output is printed as it is."""
    write_site(
        tmp_path,
        f"-- templates/post.html --\n{post_template}\n"
        "-- templates/body.html --\n{{ page.content | safe }}\n"
        "-- templates/wrapping.html --\n{% filter upper %}{% block main %}{% endblock %}"
        "{% endfilter %}\n",
    )
    templates = Templates(tmp_path, theme_dir(tmp_path, "transmission"))
    assert templates.prints_content_whole("post.html") is whole


HOOKS = """
-- site.toml --
title = "hooks"
-- content/posts/open.md --
---
title: Open
date: 2025-01-01
---
x
-- content/posts/closed.md --
---
title: Closed
date: 2025-01-02
comments: false
---
x
-- content/posts/quoted.md --
---
title: Quoted
date: 2025-01-03
comments: "off"
---
x
-- content/about.md --
---
title: About
---
x
-- content/guestbook.md --
---
title: Guestbook
comments: true
---
x
"""
SITE_HOOKS = """
-- templates/comments.html --
<script src="https://giscus.app/client.js" data-repo="me/blog" async></script>
-- templates/extend_head.html --
<script defer data-domain="me.example" src="https://plausible.io/js/script.js"></script>
-- templates/extend_footer.html --
<p class="visits">visits</p>
"""


@pytest.mark.parametrize("theme", ["transmission", "minimal"])
def test_comment_and_analytics_hooks_are_the_sites_own_templates(
    tmp_path: Path, theme: str
) -> None:
    """A site's ``comments.html`` goes below each post (not one with ``comments: false``,
    or ``"off"`` written as a string) and below a standalone page only with ``comments: true``; ``extend_head.html`` ends
    every page's head and ``extend_footer.html`` its body. Without them a page has no
    trace of either, and a post's body is still put in its page as bytes."""
    site = HOOKS.replace('title = "hooks"', f'title = "hooks"\ntheme = "{theme}"')
    report, out = build_site(tmp_path / "bare", site)
    assert report.problems == []
    bare = read(out, "posts/open/index.html")
    assert 'class="comments"' not in bare and "plausible" not in bare
    assert Templates(tmp_path / "bare", theme_dir(tmp_path / "bare", theme)).prints_content_whole(
        "post.html"
    )
    report, out = build_site(tmp_path / "hooked", site + SITE_HOOKS)
    assert report.problems == []
    with_comments = {"posts/open/index.html", "guestbook/index.html"}
    for page in (p for p in out.rglob("*.html") if not p.is_relative_to(out / "pagefind")):
        rel = page.relative_to(out).as_posix()
        html = page.read_text(encoding="utf-8")
        head, body = html.split("</head>")
        assert head.rstrip().endswith('src="https://plausible.io/js/script.js"></script>'), rel
        assert body.rstrip().endswith('<p class="visits">visits</p>\n</body>\n</html>'), rel
        assert ("giscus.app" in body) is (rel in with_comments), rel
    post = read(out, "posts/open/index.html")
    section = post.split('<section class="comments"')[1]
    assert post.index("</article>") < post.index('<section class="comments"')
    assert section.startswith(' aria-label="Comments" data-pagefind-ignore>\n<script src=')


def test_a_body_put_in_as_bytes_makes_the_page_the_template_makes(tmp_path: Path) -> None:
    """Rendered by workers, a post's body comes as UTF-8 and is put in the page where the
    template printed it (here twice); a template that changes the body gets the text. Either
    way the pages are those of a build in one process, which passes the text."""
    posts = TWENTY_POSTS.replace("title = 'j'", "title = 'j'\nsearch = false")
    twice = "-- templates/post.html --\n<a>{{ page.content | safe }}</a><b>{{ page.content|safe }}</b>\n"
    changed = "-- templates/page.html --\n{{ page.content | striptags | trim }}\n"
    about = "-- content/about.md --\n---\ntitle: 关于\n---\n**粗体** & $x$\n"
    site = posts + twice + changed + about
    serial_report, serial = build_site(tmp_path / "a", site, jobs=1)
    parallel_report, parallel = build_site(tmp_path / "b", site, jobs=2)
    assert serial_report.problems == parallel_report.problems == []
    page = read(parallel, "posts/p07/index.html")
    body = page.removeprefix("<a>").split("</a><b>")[0]
    assert page == f"<a>{body}</a><b>{body}</b>\n" and "$x_{7} * y$" not in body
    assert "katex" in body and "\0" not in page
    assert read(parallel, "about/index.html").startswith("粗体 &amp; x")
    _same_files(serial, parallel)
    templates = Templates(tmp_path / "b", theme_dir(tmp_path / "b", "transmission"))
    assert templates.prints_content_whole("post.html")
    assert not templates.prints_content_whole("page.html")


def test_sources_loaded_by_the_workers_give_the_same_site_and_problems(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold build with workers has them load the sources too, a few at a time: a broken
    or empty source is reported as when this process loads it, at its line, and the rest of
    the site is the same."""
    monkeypatch.setattr(rendering, "LOAD_BATCH", 2)
    broken = (
        "-- content/posts/broken.md --\n---\ntitle: [unclosed\ndate: 2024-03-01\n---\ntext\n"
        "-- content/posts/empty.md --\n"
    )
    serial_report, serial = build_site(tmp_path / "a", TWENTY_POSTS + broken, jobs=1)
    parallel_report, parallel = build_site(tmp_path / "b", TWENTY_POSTS + broken, jobs=2)
    assert messages(parallel_report) == messages(serial_report)
    assert any(m.startswith("content/posts/broken.md:3:") for m in messages(parallel_report))
    assert any(m.startswith("content/posts/empty.md:") for m in messages(parallel_report))
    assert (parallel / "posts/p20/index.html").is_file()
    _same_files(serial, parallel)

    # what a worker sends back is what loading here gives
    site = tmp_path / "b"
    found = discover(site, site / "content", [parallel])
    config = load_config(site)[0]
    here = rendering._load_sources(config, found.sources)
    workers = rendering.RenderWorkers(2)
    try:
        there = workers.pool.submit(rendering._load_sources, config, found.sources).result()
    finally:
        workers.close()
    assert len(there) == len(here) == 22
    for theirs, ours in zip(there, here, strict=True):
        if isinstance(ours, Problem):
            assert theirs == ours
            continue
        assert not isinstance(theirs, Problem)
        assert theirs[1] == ours[1]
        assert (theirs[0] is None) == (ours[0] is None)
        if theirs[0] is not None and ours[0] is not None:
            assert (theirs[0].url, theirs[0].body, theirs[0].date, theirs[0].tags) == (
                ours[0].url,
                ours[0].body,
                ours[0].date,
                ours[0].tags,
            )


def test_workers_forked_by_a_command_line_build_write_the_same_bytes(tmp_path: Path) -> None:
    """A build in a process of its own (as ``inkstone build``) runs no other thread and has
    not started KaTeX when its workers start: they are forks of it, not fresh processes."""
    _, serial = build_site(tmp_path / "a", TWENTY_POSTS, jobs=1)
    write_site(tmp_path / "b", TWENTY_POSTS)
    # each worker notes whether its fragment cache, as it warms up, is the build's (open)
    script = (
        "import sys\nfrom pathlib import Path\nfrom inkstone import cache, rendering\n"
        "from inkstone.build import BuildOptions, build\n"
        "chosen = []\nchoose = rendering.start_method\n"
        "rendering.start_method = lambda: chosen.append(choose()) or chosen[-1]\n"
        "warm_up = rendering.warm_up\n"
        "def noted():\n"
        "    with open(sys.argv[3], 'a') as notes:\n"
        "        notes.write(f'{cache.fragments().cache is None}\\n')\n"
        "    warm_up()\n"
        "rendering.warm_up = noted\n"
        "report = build(Path(sys.argv[1]), BuildOptions(out_dir=Path(sys.argv[2]), jobs=2))\n"
        "print(*chosen, len(report.problems))\n"
    )
    forked, notes = tmp_path / "forked", tmp_path / "notes"
    command = [sys.executable, "-c", script, str(tmp_path / "b"), str(forked), str(notes)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=True)
    assert done.stdout.split() == ["fork", "0"], done.stderr
    assert (tmp_path / "b" / ".inkstone-cache").is_dir()  # open in the build that forked
    assert notes.read_text().split() == ["True", "True"]  # memory only: not the copy
    _same_files(serial, forked)


def test_workers_are_spawned_when_a_fork_would_be_unsafe() -> None:
    """Another thread (the dev server's) or a started KaTeX (a V8 copy hangs): ``spawn``."""
    script = (
        "import threading\nfrom inkstone.rendering import start_method\n"
        "from inkstone.markup.math import engine\n"
        "alone = start_method()\nstop = threading.Event()\n"
        "thread = threading.Thread(target=stop.wait)\nthread.start()\n"
        "with_thread = start_method()\nstop.set()\nthread.join()\n"
        "engine().warm_up()\nprint(alone, with_thread, start_method())\n"
    )
    command = [sys.executable, "-c", script]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == ["fork", "spawn", "spawn"], done.stderr


def _five_posts(title: str, formula: str) -> str:
    """A site titled ``title`` with five dated posts, post i holding ``$formula$`` with i
    put in at its ``{}``."""
    posts = "".join(
        f"-- content/posts/p{i}.md --\n---\ntitle: P{i}\ndate: 2024-01-0{i}\n---\n"
        f"${formula.format(i)}$\n"
        for i in range(1, 6)
    )
    return f"-- site.toml --\ntitle = '{title}'\n{posts}"


def test_a_cold_build_starts_its_workers_while_loading_and_always_stops_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[rendering.RenderWorkers] = []
    loading: list[int] = []
    original_init, original_load = rendering.RenderWorkers.__init__, build_module._load

    def spy_init(self: rendering.RenderWorkers, count: int) -> None:
        original_init(self, count)
        started.append(self)

    def spy_load(*args: object, **kwargs: object) -> object:
        loading.append(len(started))  # how many were started when loading began
        return original_load(*args, **kwargs)  # type: ignore[arg-type]

    submitted: list[int] = []
    original_submit, original_collect = rendering._RenderedByWorkers._submit, collect

    def spy_submit(self: rendering._RenderedByWorkers) -> None:
        original_submit(self)
        submitted.append(len(self.window))

    batches_out_at_collect: list[int] = []

    def spy_collect(*args: object, **kwargs: object) -> object:
        batches_out_at_collect.append(sum(submitted[:1]))
        return original_collect(*args, **kwargs)  # type: ignore[arg-type]

    stopped_before_the_index: list[bool] = []
    original_search = start_search

    def spy_search(*args: object, **kwargs: object) -> object:
        try:
            started[-1].pool.submit(print)
        except RuntimeError:  # shut down: their memory is not held while Pagefind runs
            stopped_before_the_index.append(True)
        return original_search(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rendering.RenderWorkers, "__init__", spy_init)
    monkeypatch.setattr(build_module, "_load", spy_load)
    monkeypatch.setattr(build_module, "start_search", spy_search)
    monkeypatch.setattr(rendering._RenderedByWorkers, "_submit", spy_submit)
    monkeypatch.setattr(build_module, "collect", spy_collect)
    report, _ = build_site(tmp_path, _five_posts("w", "x^{}"), jobs=2)
    assert report.problems == [] and report.formulas_typeset == 5
    assert loading == [1] and len(started) == 1, "started before the site was read"
    # the workers have their batch (one, of five posts) before the lists' index is made
    assert batches_out_at_collect == [1]
    assert stopped_before_the_index == [True]
    workers = started[0]
    assert workers.count == 2 and workers._folder is not None
    assert not workers._folder.exists(), "the setup file is removed"
    with pytest.raises(RuntimeError):
        workers.pool.submit(print)  # shut down

    again, _ = build_site(tmp_path, jobs=2)  # warm: the previous output is there
    assert len(started) == 1 and again.documents_cached == 5
    elsewhere, _ = build_site(tmp_path, out_dir=tmp_path / "fresh", jobs=2)
    assert len(started) == 1 and elsewhere.documents_cached == 5, "the cache has every page"

    def broken_load(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "_load", broken_load)
    with pytest.raises(KeyboardInterrupt):
        build_site(tmp_path, out_dir=tmp_path / "other", jobs=2, no_cache=True)
    assert len(started) == 2
    with pytest.raises(RuntimeError):
        started[1].pool.submit(print)  # stopped though the build was

    def broken_collect(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt  # while the workers render

    monkeypatch.setattr(build_module, "_load", original_load)
    monkeypatch.setattr(build_module, "collect", broken_collect)
    with pytest.raises(KeyboardInterrupt):
        build_site(tmp_path, out_dir=tmp_path / "third", jobs=2, no_cache=True)
    assert len(started) == 3 and submitted[-1] == 1
    with pytest.raises(RuntimeError):
        started[2].pool.submit(print)
    assert not (tmp_path / "third").exists()


def test_a_cold_build_hands_out_pages_before_working_out_their_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    original_submit, original_key = rendering._RenderedByWorkers._submit, rendering._page_key

    def spy_submit(self: rendering._RenderedByWorkers) -> None:
        original_submit(self)
        events.append("submitted")

    def spy_key(*args: object) -> str:
        events.append("key")
        return original_key(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(rendering._RenderedByWorkers, "_submit", spy_submit)
    monkeypatch.setattr(rendering, "_page_key", spy_key)
    report, _ = build_site(tmp_path, _five_posts("k", "y_{}"), jobs=2)
    assert report.problems == [] and report.formulas_typeset == 5
    # nothing is cached: the workers have the pages before any key is made (each is made
    # as its page is written, for the cache)
    assert events[0] == "submitted" and events.count("key") == 5
    events.clear()
    # the cache holds every page: the keys come first, to find them; no worker is needed
    again, _ = build_site(tmp_path, out_dir=tmp_path / "fresh", jobs=2)
    assert again.documents_cached == 5 and events == ["key"] * 5


def test_a_build_gives_its_threads_short_turns_and_restores_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[float] = []
    original_collect = collect

    def spy_collect(*args: object, **kwargs: object) -> object:
        seen.append(sys.getswitchinterval())
        return original_collect(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "collect", spy_collect)
    before = sys.getswitchinterval()
    assert before > build_module.GIL_TURN
    post = "-- content/posts/a.md --\n---\ntitle: A\ndate: 2024-01-01\n---\nA\n"
    report, _ = build_site(tmp_path, "-- site.toml --\ntitle = 't'\n" + post)
    assert report.problems == [] and seen == [build_module.GIL_TURN]
    assert sys.getswitchinterval() == before
    turns = build_module.ShortTurns()
    with turns.held():
        with turns.held():  # two builds at once
            assert sys.getswitchinterval() == build_module.GIL_TURN
        assert sys.getswitchinterval() == build_module.GIL_TURN, "the other build still runs"
    assert sys.getswitchinterval() == before


def test_unchanged_pages_keep_their_files_and_timestamps(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, BLOG)
    rope, lists, vit = (
        out / "posts/rope/index.html",
        out / "index.html",
        out / "posts/vit/patches.png",
    )
    before = {p: p.stat().st_mtime_ns for p in (rope, lists, vit)}
    inode = (out / "posts/leetcode-42/index.html").stat().st_ino
    time.sleep(0.05)
    (tmp_path / "content/posts/rope.md").write_text(
        (tmp_path / "content/posts/rope.md").read_text(encoding="utf-8") + "\nOne more line.\n",
        encoding="utf-8",
    )
    report, out = build_site(tmp_path)
    assert report.files_unchanged > 20
    assert rope.stat().st_mtime_ns != before[rope], "the edited post is rewritten"
    assert "One more line." in read(out, "posts/rope/index.html")
    assert vit.stat().st_mtime_ns == before[vit], "an unchanged image keeps its timestamp"
    assert (out / "posts/leetcode-42/index.html").stat().st_ino == inode


def test_files_moved_into_the_output_are_moved_only_when_they_changed(tmp_path: Path) -> None:
    from inkstone.output.writer import SiteWriter

    site, out = tmp_path / "site", tmp_path / "site" / "public"
    site.mkdir()

    def one_build(contents: dict[str, bytes]) -> list[str]:
        """Move ``contents`` (but ``*.skip``) in; the files left behind (not moved)."""
        writer = SiteWriter(out, site, {})
        scratch = writer.scratch("work-")
        assert scratch.parent == writer.staging
        for name, data in contents.items():
            (scratch / name).parent.mkdir(parents=True, exist_ok=True)
            (scratch / name).write_bytes(data)
        moved = {name: data for name, data in contents.items() if not name.endswith(".skip")}
        counts = writer.move_folder(
            scratch, "index", "search", "sig", lambda name: not name.endswith(".skip")
        )
        assert counts == (len(moved), sum(map(len, moved.values())))
        assert {rel for rel, sig in writer.signatures.items() if sig == "sig"} == {
            f"index/{name}" for name in moved
        }
        left = sorted(p.relative_to(scratch).as_posix() for p in scratch.rglob("*.*"))
        shutil.rmtree(scratch)
        writer.commit()
        return left

    first = {"a.bin": b"same", "sub/b.bin": b"old", "sub/c.bin": b"same", "ui.skip": b"x"}
    assert one_build(first) == ["ui.skip"]
    kept = {name: (out / "index" / name).stat().st_mtime_ns for name in ("a.bin", "sub/c.bin")}
    time.sleep(0.05)
    second = {**first, "sub/b.bin": b"new!", "new/d.bin": b"same"}
    assert one_build(second) == ["a.bin", "sub/c.bin", "ui.skip"]
    for name, mtime in kept.items():
        assert (out / "index" / name).stat().st_mtime_ns == mtime, f"{name} is not replaced"
    assert (out / "index/sub/b.bin").read_bytes() == b"new!"
    assert (out / "index/new/d.bin").read_bytes() == b"same", "a file in a new folder is moved"
    assert not (out / "index/ui.skip").exists()
    assert sorted(p.name for p in out.iterdir()) == [".inkstone-output", "index"]


CACHED = """
-- site.toml --
title = "c"
[math.macros]
"\\\\V" = "\\\\mathbf{v}"
-- content/posts/a.md --
---
title: A
date: 2024-01-01
---
$\\V_a$ and [b](b.md)
-- content/posts/b.md --
---
title: B
date: 2024-01-02
---
$\\V_b$
-- content/posts/c.md --
---
title: C
date: 2024-01-03
---
$\\V_c$
"""


def test_persistent_cache_rerenders_exactly_what_changed(tmp_path: Path) -> None:
    first, out = build_site(tmp_path, CACHED)
    assert (first.documents_cached, first.formulas_typeset) == (0, 3)
    again, _ = build_site(tmp_path)
    assert (again.documents_cached, again.formulas_typeset) == (3, 0)

    post_c = tmp_path / "content/posts/c.md"
    post_c.write_text(post_c.read_text().replace("$\\V_c$", "$\\V_c + 1$"))
    edited, out = build_site(tmp_path)
    assert (edited.documents_cached, edited.formulas_typeset) == (2, 1)
    assert "<mn>1</mn>" in read(out, "posts/c/index.html")

    (tmp_path / "content/posts/b.md").rename(tmp_path / "content/posts/b2.md")
    moved, out = build_site(tmp_path)
    assert moved.documents_cached == 1, "a re-renders: its link to b.md no longer resolves"
    assert any("link to `b.md` finds no page" in str(p) for p in moved.problems)
    assert 'href="/posts/b/"' not in read(out, "posts/a/index.html"), "no stale link is kept"

    site = tmp_path / "site.toml"
    site.write_text(site.read_text().replace("mathbf", "vec"))
    macros, out = build_site(tmp_path)
    assert macros.documents_cached == 0 and macros.formulas_typeset == 3
    assert "→" in read(out, "posts/a/index.html") or "⃗" in read(out, "posts/a/index.html")


def test_template_changes_reach_every_page_even_when_cached(tmp_path: Path) -> None:
    build_site(tmp_path, CACHED)
    report, out = build_site(tmp_path, "-- templates/post.html --\nPOST {{ page.title }}\n")
    assert report.documents_cached == 3
    assert read(out, "posts/a/index.html") == "POST A\n"


def test_a_new_inkstone_invalidates_cached_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_site(tmp_path, CACHED)
    monkeypatch.setattr(rendering, "code_version", lambda: "another inkstone")
    report, _ = build_site(tmp_path)
    assert report.documents_cached == 0
    assert report.formulas_typeset == 0, "formulas are keyed by KaTeX's version, not inkstone's"


def test_no_cache_and_clean(tmp_path: Path) -> None:
    build_site(tmp_path, CACHED, no_cache=True)
    assert not (tmp_path / ".inkstone-cache").exists()
    build_site(tmp_path)
    assert (tmp_path / ".inkstone-cache/cache.sqlite").is_file()
    removed = clean(tmp_path)
    assert removed == [tmp_path / ".inkstone-cache", tmp_path / "public"]
    assert (tmp_path / "content/posts/a.md").is_file()


def test_cache_survives_a_killed_writer_and_waits_for_a_concurrent_one(tmp_path: Path) -> None:
    build_site(tmp_path, CACHED)
    folder = tmp_path / ".inkstone-cache"
    killed = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from inkstone.cache import Cache\n"
        "cache = Cache(Path(sys.argv[1]))\n"
        "cache.db.execute('BEGIN IMMEDIATE')\n"
        "cache.db.execute(\"INSERT INTO page (key, value) VALUES ('half', x'00')\")\n"
        "os._exit(9)\n"
    )
    result = subprocess.run([sys.executable, "-c", killed, str(folder)], check=False)
    assert result.returncode == 9
    holder = Cache(folder)
    holder.db.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, lambda: holder.db.execute("COMMIT"))
    release.start()
    writer = Cache(folder)
    writer.put("formula", [("k", b"1<b>x</b>")])  # waits for the holder, then writes
    release.join()
    assert writer.get("page", "half") is None, "the killed build left nothing half-written"
    assert writer.get("formula", "k") == b"1<b>x</b>"
    report, _ = build_site(tmp_path)
    assert report.documents_cached == 3 and report.errors == []
    holder.close()
    writer.close()


def test_warm_build_renders_only_the_pages_an_edit_changes(tmp_path: Path) -> None:
    first, out = build_site(tmp_path, BLOG)
    assert first.pages_written > 15
    again, _ = build_site(tmp_path)
    assert again.pages_written == 0, "nothing changed: every page is kept as it was"
    assert again.files_unchanged >= first.pages_written

    toml_post = tmp_path / "content/posts/toml-post.md"
    toml_post.write_text(toml_post.read_text().replace("Body with", "A body with"))
    body_edit, out = build_site(tmp_path)
    assert "A body with" in read(out, "posts/toml-post/index.html")
    # its own page, the lists that show its excerpt (home page 2, tag transformer), archives
    assert 2 <= body_edit.pages_written <= 5, body_edit.pages_written

    toml_post.write_text(toml_post.read_text().replace('"TOML front matter"', '"Renamed"'))
    _, out = build_site(tmp_path)
    assert "Renamed" in read(out, "page/2/index.html")
    assert "Renamed" in read(out, "posts/leetcode-42/index.html"), "the neighbour's link title"
    assert "Renamed" in read(out, "posts/rope/index.html"), "a related post's link title"
    assert "Renamed" not in read(out, "posts/vit/index.html")


def test_a_file_that_becomes_a_folder_and_stale_files_are_handled(tmp_path: Path) -> None:
    site = "-- site.toml --\n-- static/notes --\na file\n-- static/old.txt --\nold\n"
    _, out = build_site(tmp_path, site + "-- content/about.md --\n# About\n")
    assert (out / "notes").read_text() == "a file\n"
    (tmp_path / "static/notes").unlink()
    (tmp_path / "static/old.txt").unlink()
    (tmp_path / "content/notes.md").write_text("# Notes\n")
    report, out = build_site(tmp_path)
    assert report.errors == []
    assert (out / "notes/index.html").is_file()
    assert not (out / "old.txt").exists()


def test_a_cached_page_whose_link_target_moved_is_written_again(tmp_path: Path) -> None:
    post = "-- content/posts/{name}.md --\n---\ntitle: {name}\ndate: 2024-01-0{day}\n---\n{body}\n"
    site = "-- site.toml --\n" + "".join(
        post.format(name=name, day=day, body=body)
        for name, day, body in (("a", 1, "See [c](c.md)."), ("b", 2, "B."), ("c", 3, "C."))
    )
    _, out = build_site(tmp_path, site)
    assert 'href="/posts/c/"' in read(out, "posts/a/index.html")
    c = tmp_path / "content/posts/c.md"
    c.write_text(c.read_text().replace("title: c", "title: c\nslug: sea"))
    report, out = build_site(tmp_path)
    assert report.documents_cached == 1, "only b comes from the cache"
    assert 'href="/posts/sea/"' in read(out, "posts/a/index.html")


NESTED_CATEGORIES = """
-- site.toml --
title = "笔记"
-- content/posts/vit.md --
---
title: ViT
date: 2025-03-01
categories: [[机器学习, 论文笔记]]
---
Patches.
-- content/posts/mae.md --
---
title: MAE
date: 2025-03-02
categories:
  - [机器学习, 论文笔记, 视觉]
  - 随笔
---
Masks.
-- content/posts/ddp.md --
---
title: DDP
date: 2025-03-03
categories: [机器学习, PyTorch]
---
Gradients.
"""


def test_a_nested_category_lists_its_posts_under_every_category_above_it(
    tmp_path: Path,
) -> None:
    """``[[机器学习, 论文笔记]]`` is 论文笔记 under 机器学习: its page sits in its parent's
    folder, the parent lists its posts too, and each page shows the whole trail; a flat
    list is separate categories unless ``category_lists = "nested"``."""
    report, out = build_site(tmp_path / "site", NESTED_CATEGORIES)
    assert messages(report) == []

    def listed(rel: str) -> list[str]:
        return re.findall(r'class="post-entry-title"><a href="/posts/([a-z]+)/"', read(out, rel))

    assert listed("categories/机器学习/index.html") == ["ddp", "mae", "vit"]
    assert listed("categories/机器学习/论文笔记/index.html") == ["mae", "vit"]
    assert listed("categories/机器学习/论文笔记/视觉/index.html") == ["mae"]
    assert listed("categories/pytorch/index.html") == ["ddp"]  # a flat list: its own
    assert listed("categories/随笔/index.html") == ["mae"]

    trail = (
        '<a href="/categories/机器学习/">机器学习</a>{0}'
        '<a href="/categories/机器学习/论文笔记/">论文笔记</a>{0}'
        '<a href="/categories/机器学习/论文笔记/视觉/">视觉</a>'
    ).format('<span class="trail-sep" aria-hidden="true"> › </span>')
    mae = read(out, "posts/mae/index.html")
    assert f'post-kicker">{trail} / <a href="/categories/随笔/">随笔</a></p>' in mae
    assert trail in read(out, "index.html")  # the home page's entry
    sub = read(out, "categories/机器学习/论文笔记/index.html")
    assert '<a href="/categories/机器学习/">机器学习</a></p>' in sub  # above the title
    assert '<h1 class="term-title" id="feed-title">论文笔记</h1>' in sub

    # the list of categories is a tree, the busiest first at each level
    terms = read(out, "categories/index.html")
    names = re.findall(
        r'term-name">([^<]+)<|(<ul|</ul>)', terms[terms.index('<ul class="term-rows"') :]
    )
    tree = "".join(name or mark.replace("<ul", "[").replace("</ul>", "]") for name, mark in names)
    assert tree == "[机器学习[论文笔记[视觉]]PyTorch随笔]"
    side = read(out, "index.html").split('class="side-terms"')[1].split("</ul>")[0]
    assert re.findall(r'term-name">([^<]+)<', side) == ["机器学习", "PyTorch", "随笔"]

    # feeds: the post is under each category of the trail; the subcategory has its own
    entry = read(out, "atom.xml").split("<entry>")[2]  # MAE, the second newest
    assert re.findall(r'<category term="([^"]+)"/>', entry) == [
        "机器学习",
        "论文笔记",
        "视觉",
        "随笔",
    ]
    assert "<title>MAE</title>" in read(out, "categories/机器学习/论文笔记/atom.xml")

    config = (tmp_path / "site/site.toml").read_text(encoding="utf-8")
    (tmp_path / "site/site.toml").write_text(config + 'category_lists = "nested"\n', "utf-8")
    report, out = build_site(tmp_path / "site")
    assert listed("categories/机器学习/pytorch/index.html") == ["ddp"]
    assert not (out / "categories/pytorch").exists()
    assert listed("categories/机器学习/论文笔记/index.html") == ["mae", "vit"]  # as before


@pytest.mark.parametrize(
    ("written", "nested", "read_as"),
    [
        ("机器学习", False, [("机器学习",)]),
        ("机器学习, 随笔", True, [("机器学习",), ("随笔",)]),  # a comma-separated name
        (["机器学习", "论文笔记"], False, [("机器学习",), ("论文笔记",)]),
        (["机器学习", "论文笔记"], True, [("机器学习", "论文笔记")]),
        ([["机器学习", "论文笔记"], "随笔"], False, [("机器学习", "论文笔记"), ("随笔",)]),
        ([["a", " "], ["a"], [], None, "a"], True, [("a",)]),  # blanks dropped, once each
        (None, True, []),
    ],
)
def test_front_matter_categories_are_read_as_paths(
    written: object, nested: bool, read_as: list[tuple[str, ...]]
) -> None:
    assert read_categories(written, nested) == read_as
