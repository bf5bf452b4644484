"""Whole-site behaviour: sources in, pages out."""

from __future__ import annotations

import re
import time
from pathlib import Path

from tests.sites import build_site, messages, read

BLOG = """
-- site.toml --
title = "Test Notes"
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


def test_relative_md_links_become_page_links_with_fragment(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, BLOG)
    rope = read(out, "posts/rope/index.html")
    assert 'href="/posts/leetcode-42/#%E6%80%9D%E8%B7%AF"' in rope
    assert 'id="思路"' in read(out, "posts/leetcode-42/index.html")
    assert 'href="/posts/rope/"' in read(out, "about/index.html")


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
    assert 'src="patches.png"' in vit and 'title="把图像切成 patch"' in vit


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


def test_output_is_deterministic(tmp_path: Path) -> None:
    _, out1 = build_site(tmp_path / "a", BLOG)
    _, out2 = build_site(tmp_path / "b", BLOG)
    files1 = sorted(p.relative_to(out1) for p in out1.rglob("*") if p.is_file())
    files2 = sorted(p.relative_to(out2) for p in out2.rglob("*") if p.is_file())
    assert files1 == files2
    for rel in files1:
        assert (out1 / rel).read_bytes() == (out2 / rel).read_bytes(), rel


def test_parallel_build_is_byte_identical_to_serial(tmp_path: Path) -> None:
    posts = "".join(
        f"-- content/posts/p{i:02d}.md --\n---\ntitle: 第 {i} 篇\ndate: 2024-02-{i:02d}\n"
        f"tags: [t{i % 3}]\n---\n## 小节\n\n$x_{{{i}}} * y$ 与 $\\alpha_{i}$，见 [上一篇](p01.md)。\n\n"
        f"$$\n\\sum_{{k=1}}^{{{i}}} k \\label{{eq:s{i}}}\n$$\n\n由 $\\eqref{{eq:s{i}}}$。\n\n"
        f"```python\nprint({i})\n```\n"
        for i in range(1, 21)
    )
    site = "-- site.toml --\ntitle = 'j'\nposts_per_page = 3\n" + posts
    serial_report, serial = build_site(tmp_path / "a", site, jobs=1)
    parallel_report, parallel = build_site(tmp_path / "b", site, jobs=2)
    assert serial_report.problems == parallel_report.problems == []
    assert serial_report.formulas_rendered == parallel_report.formulas_rendered == 60
    assert serial_report.formulas_typeset == parallel_report.formulas_typeset == 60
    files = sorted(p.relative_to(serial) for p in serial.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(parallel) for p in parallel.rglob("*") if p.is_file())
    for rel in files:
        assert (serial / rel).read_bytes() == (parallel / rel).read_bytes(), rel


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
