"""A folder of Markdown with no site.toml builds as a site, with no edits."""

from __future__ import annotations

import re
from pathlib import Path

from PIL import Image

from tests.sites import build_site, messages, read, write_site


def test_mkdocs_docs_folder(tmp_path: Path) -> None:
    docs = """
-- index.md --
# Welcome

Start with [the guide](guide/install.md#安装步骤) or [math](math.md).
-- guide/install.md --
# Install

## 安装步骤

Run it.
-- math.md --
---
title: Math notes
---
$E = mc^2$ and ![plot](img/plot.png)
-- img/plot.png --
PNG
-- mkdocs.yml --
site_name: x
"""
    report, out = build_site(tmp_path, docs)
    assert report.errors == [], messages(report)
    home = read(out, "index.html")
    assert "<title>Welcome" in home
    assert 'href="/guide/install/#%E5%AE%89%E8%A3%85%E6%AD%A5%E9%AA%A4"' in home
    assert 'href="/math/"' in home
    title = re.compile(r'<h1 class="post-title"[^>]*>Install</h1>')
    assert title.search(read(out, "guide/install/index.html"))
    math = read(out, "math/index.html")
    assert 'class="katex"' in math and 'src="/img/plot.png"' in math
    assert (out / "img/plot.png").read_text() == "PNG\n"


def test_docsify_readme_is_home_and_sidebar_is_not_a_page(tmp_path: Path) -> None:
    report, out = build_site(
        tmp_path,
        "-- README.md --\n# Docs home\n\nSee [notes](notes.md).\n"
        "-- _sidebar.md --\n* [Home](/)\n-- notes.md --\nNo heading here.\n",
    )
    assert report.errors == [], messages(report)
    assert "<title>Docs home" in read(out, "index.html")
    assert "<title>notes" in read(out, "notes/index.html"), "title falls back to the file name"
    assert not (out / "_sidebar").exists()


def test_obsidian_vault_skips_dot_folders_and_node_modules(tmp_path: Path) -> None:
    report, out = build_site(
        tmp_path,
        "-- .obsidian/workspace.md --\nsecret\n"
        "-- node_modules/pkg/README.md --\n# dependency\n"
        "-- 注意力机制.md --\n# 注意力机制\n\n见 [RoPE](位置编码/RoPE.md)。\n"
        "-- 位置编码/RoPE.md --\n# RoPE\n",
    )
    assert report.errors == [], messages(report)
    html_files = {p.relative_to(out).as_posix() for p in out.rglob("index.html")}
    assert "注意力机制/index.html" in html_files
    assert "位置编码/rope/index.html" in html_files
    assert not any("obsidian" in f or "node_modules" in f or "pkg" in f for f in html_files)
    assert 'href="/位置编码/rope/"' in read(out, "注意力机制/index.html")
    home = read(out, "index.html")
    assert "注意力机制" in home and "RoPE" in home, "home lists every page"


def test_hexo_posts_folder_uses_dates_and_front_matter(tmp_path: Path) -> None:
    report, out = build_site(
        tmp_path,
        "-- 2017-12-23-svm.md --\n---\ntitle: SVM 对偶\ntags: [ML]\ncategories: [机器学习]\n---\n"
        "正文 $w^\\top x + b$\n<!-- more -->\n更多。\n"
        "-- hello-world.md --\n---\ntitle: Hello World\ndate: 2018-01-01 12:00:00\n---\nHi\n",
    )
    assert report.errors == [], messages(report)
    assert (out / "svm/index.html").is_file()
    assert (out / "hello-world/index.html").is_file()
    assert (out / "tags/ml/index.html").is_file()
    home = read(out, "index.html")
    assert home.index("Hello World") < home.index("SVM 对偶"), "newest first"
    assert "更多" not in home.split("SVM 对偶")[1], "<!-- more --> ends the excerpt"


def test_output_and_cache_folders_are_not_read_as_content(tmp_path: Path) -> None:
    build_site(tmp_path, "-- a.md --\n# A\n")
    report, out = build_site(tmp_path)
    assert report.errors == []
    assert not (out / "public").exists()


def test_a_site_built_before_into_the_folder_is_not_read_with_another_output(
    tmp_path: Path,
) -> None:
    """A zero-config folder built into its own ``public/``, then with ``-o`` elsewhere: the
    old site is no content of the new one (it holds inkstone's marker). A ``public/`` of
    the user's own, without the marker, is copied as any other folder is."""
    site = tmp_path / "notes"
    build_site(site, "-- a.md --\n# A\n")
    assert (site / "public/a/index.html").is_file()
    report, out = build_site(site, out_dir=tmp_path / "elsewhere")
    assert report.errors == []
    assert (out / "a/index.html").is_file()
    assert not (out / "public").exists()

    own = tmp_path / "own"
    report, out = build_site(
        own, "-- a.md --\n# A\n-- public/logo.txt --\nmine\n", out_dir=tmp_path / "o"
    )
    assert report.errors == []
    assert read(out, "public/logo.txt") == "mine\n"


HEXO_BLOG = """
-- _config.yml --
title: 我的机器学习笔记
author: 张三
description: 读论文的笔记
language: en
timezone: Asia/Shanghai
-- source/_posts/rope.md --
---
title: RoPE 笔记
date: 2025-03-14 23:30
---
旋转位置编码把相对位置写进注意力的内积里，这里是笔记的正文。
"""


def test_a_hexo_posts_folder_takes_the_blogs_name_author_and_time_zone(tmp_path: Path) -> None:
    """Built as it is, Hexo's ``source/_posts`` is called by the blog's name, signed by its
    author and dated in its time zone; the language stays the one its pages are written in
    (Hexo's default settings say ``en`` on many Chinese blogs)."""
    write_site(tmp_path / "blog", HEXO_BLOG)
    report, out = build_site(tmp_path / "blog" / "source" / "_posts", out_dir=tmp_path / "out")
    assert messages(report) == []
    post = read(out, "rope/index.html")
    assert "<title>RoPE 笔记 · 我的机器学习笔记</title>" in post
    assert '<meta name="author" content="张三">' in post
    assert 'name="description" content="旋转位置编码' in post  # its own, not the site's
    assert '<html lang="zh">' in post
    assert 'datetime="2025-03-14T23:30:00+08:00"' in post
    assert "读论文的笔记" in read(out, "atom.xml")


def test_the_blogs_address_is_the_sites_base_url_unless_it_is_a_placeholder(
    tmp_path: Path,
) -> None:
    """Where the blog says it is published names its pages in the feeds and canonical links,
    and a sub-path starts every link; the placeholders new-site templates write do not."""
    hexo = "-- _config.yml --\nurl: {url}\nroot: {root}\n" + HEXO_BLOG.split("\n", 2)[2]
    hexo += "[关于](/about/)\n"
    hugo = "-- hugo.toml --\nbaseURL = '{url}'\n-- content/rope.md --\n[关于](/about/)\n"
    jekyll = "-- _config.yml --\nurl: {url}\nbaseurl: {root}\n-- _posts/2025-03-14-rope.md --\n"
    jekyll += "[关于](/about/)\n"
    cases = [  # (site, its settings, the folder built, the feed's address, the links' prefix)
        (
            hexo,
            ("https://me.github.io/notes", "/notes/"),
            "source/_posts",
            "https://me.github.io/notes/",
            "/notes/",
        ),
        (hexo, ("http://example.com", "/"), "source/_posts", "/", "/"),
        (hexo, ("http://example.com/blog", "/blog/"), "source/_posts", "/blog/", "/blog/"),
        (hugo, ("https://example.org/", ""), "content", "/", "/"),
        (hugo, ("https://ml.example.net/", ""), "content", "https://ml.example.net/", "/"),
        (jekyll, ("https://me.github.io", "/blog"), ".", "https://me.github.io/blog/", "/blog/"),
    ]
    for number, (text, (url, root), built, feed, prefix) in enumerate(cases):
        write_site(tmp_path / str(number), text.replace("{url}", url).replace("{root}", root))
        out = tmp_path / f"out-{number}"
        report, out = build_site(tmp_path / str(number) / built, out_dir=out)
        assert messages(report) == [], number
        assert f"<id>{feed}</id>" in read(out, "atom.xml"), number
        post = next(out.rglob("rope*/index.html")).read_text(encoding="utf-8")
        page = post.split('<link rel="canonical" href="')[1].split('"')[0]
        assert page.startswith(feed) and page.endswith("rope/"), (number, page)
        assert f'href="{prefix}about/"' in post, number


def test_hugo_content_and_mkdocs_docs_take_their_sites_name(tmp_path: Path) -> None:
    hugo = """
-- hugo.toml --
title = "Hugo Notes"
timeZone = "Europe/Berlin"
[params]
author = { name = "Ada" }
-- content/posts/a.md --
---
title: A
date: 2025-01-01T10:00:00
---
Text.
"""
    write_site(tmp_path / "hugo", hugo)
    for built in (tmp_path / "hugo" / "content", tmp_path / "hugo" / "content" / "posts"):
        report, out = build_site(built, out_dir=tmp_path / f"out-{built.name}")
        assert messages(report) == []
        page = next(out.rglob("a/index.html")).read_text(encoding="utf-8")
        assert "<title>A · Hugo Notes</title>" in page and 'content="Ada"' in page
        assert 'datetime="2025-01-01T10:00:00+01:00"' in page
    mkdocs = """
-- mkdocs.yml --
site_name: Project Docs
docs_dir: docs
markdown_extensions:
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
-- docs/index.md --
# Welcome
"""
    write_site(tmp_path / "proj", mkdocs)
    report, out = build_site(tmp_path / "proj" / "docs", out_dir=tmp_path / "out-docs")
    assert messages(report) == []
    assert "<title>Welcome · Project Docs</title>" in read(out, "index.html")


def test_settings_of_no_known_place_are_not_read_and_unreadable_ones_are_reported(
    tmp_path: Path,
) -> None:
    """Only where the tools keep their settings is looked at; a file there that cannot be
    read is a warning naming it, and the folder is built all the same, as "Notes"."""
    site = """
-- _config.yml --
title: Not this blog
-- notes/a.md --
# A
-- source/_posts/b.md --
# B
"""
    write_site(tmp_path, site)
    report, out = build_site(tmp_path / "notes", out_dir=tmp_path / "out-notes")
    assert messages(report) == []
    assert "<title>A · Notes</title>" in read(out, "a/index.html")
    (tmp_path / "_config.yml").write_text("title: [unclosed\n", encoding="utf-8")
    report, out = build_site(tmp_path / "source" / "_posts", out_dir=tmp_path / "out-posts")
    assert [m.split(" (")[0] for m in messages(report)] == [
        "../../_config.yml: cannot read the site's settings"
    ]
    assert "<title>B · Notes</title>" in read(out, "b/index.html")


HEXO_TAGS_BLOG = """
-- _config.yml --
title: 笔记
post_asset_folder: true
-- source/_posts/rope.md --
---
title: RoPE 笔记
date: 2025-03-14
---
{% note info %}
旋转位置编码 $R_\\theta$ 的要点。
{% endnote %}

{% asset_img rotation.png 旋转示意 %}

{% codeblock rope.py lang:python %}
def rotate(x): ...
{% endcodeblock %}

续篇见 {% post_link attention-scale %}，[下载图]({% asset_path rotation.png %})。

{% fancybox rotation.png %}

With Hexo's `postAsset`, plain Markdown names the asset folder's files too: ![小图](rotation.png)

<img src="{% asset_path rotation.png %}" style="zoom:50%;">
-- source/_posts/attention-scale.md --
---
title: 为什么要除以 $\\sqrt{d_k}$
date: 2025-03-15
---
{% blockquote 苏剑林 https://kexue.fm %}
缩放让 softmax 不饱和。
{% endblockquote %}
"""


def test_a_hexo_blogs_tag_plugins_render_on_its_pages_and_in_its_excerpts(
    tmp_path: Path,
) -> None:
    """Built as it is, a Hexo blog's tag plugins render as on Hexo: no ``{% … %}`` on any
    page or in any feed, images found in the post's asset folder, ``post_link`` showing the
    other post's title; a tag inkstone does not know stays as written, reported at its line."""
    write_site(tmp_path / "blog", HEXO_TAGS_BLOG)
    (tmp_path / "blog/source/_posts/rope").mkdir()
    Image.new("RGB", (40, 20), "red").save(tmp_path / "blog/source/_posts/rope/rotation.png")
    report, out = build_site(tmp_path / "blog" / "source" / "_posts", out_dir=tmp_path / "out")
    assert [m.split(" (")[0] for m in messages(report)] == [
        "rope.md:17: tag `{% fancybox rotation.png %}` has no inkstone equivalent; shown as written"
    ]
    post = read(out, "rope/index.html")
    assert '<aside class="callout callout-note">' in post
    assert '<figure class="figure"><img src="/rope/rotation.png" alt="旋转示意"' in post
    assert '<span class="code-title">rope.py</span>' in post
    link = re.search(r'<a class="wikilink" href="/attention-scale/">(.*?)</a>', post, re.S)
    assert link is not None and 'class="katex"' in link[1], "the title, typeset"
    assert '<a href="/rope/rotation.png">下载图</a>' in post
    assert '<img src="/rope/rotation.png" alt="小图" width="40" height="20"' in post
    assert '<img src="/rope/rotation.png" style="zoom:50%;" width="40" height="20">' in post
    assert (out / "rope/rotation.png").is_file()
    other = read(out, "attention-scale/index.html")
    assert '<footer class="quote-source">— <strong>苏剑林</strong>' in other
    for page in [*out.rglob("*.html"), *out.rglob("*.xml")]:
        text = page.read_text(encoding="utf-8")
        text = text.replace("{% fancybox rotation.png %}", "")
        assert "{%" not in text, page
    home = read(out, "index.html")
    assert "旋转位置编码" in home and "为什么要除以 √dₖ" in read(out, "atom.xml")


def test_a_hugo_sites_shortcodes_render(tmp_path: Path) -> None:
    hugo = """
-- hugo.toml --
title = "Hugo Notes"
-- content/posts/vit.md --
---
title: ViT
date: 2025-01-01
---
{{< notice tip "要点" >}}
把图像切成 $16\\times16$ 的块。
{{< /notice >}}

{{< highlight python "hl_lines=2" >}}
x = 1
y = 2
{{< /highlight >}}

见 [MAE]({{< ref "mae.md" >}})。
-- content/posts/mae.md --
---
title: MAE
date: 2025-01-02
---
{{< figure src="mask.png" caption="遮住 $75\\%$" >}}
"""
    write_site(tmp_path / "hugo", hugo)
    report, out = build_site(tmp_path / "hugo" / "content", out_dir=tmp_path / "out")
    assert [m.split(" (")[0] for m in messages(report)] == [
        "posts/mae.md:5: missing image `mask.png`"
    ]
    vit = read(out, "posts/vit/index.html")
    assert '<aside class="callout callout-tip">' in vit and "要点" in vit
    assert '<span class="hll">' in vit
    assert '<a class="wikilink" href="/posts/mae/">MAE</a>' in vit
    mae = read(out, "posts/mae/index.html")
    assert "<figcaption>遮住 " in mae and "{{<" not in mae


def test_the_blogs_own_static_files_are_published_at_the_root(tmp_path: Path) -> None:
    """Posts link to the blog's files from the site's root (``/images/a.png``): building
    Hexo's ``source/_posts`` publishes what Hexo would from ``source/`` (not its
    ``_``-named folders, not its Markdown pages), Hugo's ``content/`` what is in
    ``static/``. A file inkstone makes itself (``robots.txt``) keeps inkstone's. Images
    there are measured, as the content folder's are, and a broken one is reported."""
    hexo = """
-- _config.yml --
title: 笔记
-- source/_posts/a.md --
---
title: A
date: 2025-01-01
---
![图](/images/a.png)

![坏图](/images/broken.png)
-- source/images/broken.png --
PNG
-- source/CNAME --
blog.example.com
-- source/robots.txt --
User-agent: nobody
-- source/about/index.md --
# 关于
-- source/_data/next.yml --
x: 1
-- source/.DS_Store --
x
"""
    write_site(tmp_path / "blog", hexo)
    Image.new("RGB", (40, 20), "red").save(tmp_path / "blog/source/images/a.png")
    report, out = build_site(tmp_path / "blog" / "source" / "_posts", out_dir=tmp_path / "out")
    assert [m.split(":")[:3] for m in messages(report)] == [
        ["a.md", "7", " cannot read image `/images/broken.png`"]
    ]
    assert (out / "images/a.png").read_bytes() == (
        tmp_path / "blog/source/images/a.png"
    ).read_bytes()
    assert read(out, "images/broken.png") == "PNG\n"
    assert '<img src="/images/a.png" alt="图" width="40" height="20"' in read(out, "a/index.html")
    assert read(out, "CNAME") == "blog.example.com\n"
    assert "nobody" not in read(out, "robots.txt")
    for absent in ("about/index.md", "_data", "data/next.yml", ".DS_Store"):
        assert not (out / absent).exists(), absent
    hugo = """
-- hugo.toml --
title = "Hugo Notes"
-- content/posts/a.md --
---
title: A
date: 2025-01-01
---
![图](/img/a.png)
"""
    write_site(tmp_path / "hugo", hugo)
    (tmp_path / "hugo/static/img").mkdir(parents=True)
    Image.new("RGB", (30, 60), "blue").save(tmp_path / "hugo/static/img/a.png")
    for built in (tmp_path / "hugo" / "content", tmp_path / "hugo" / "content" / "posts"):
        report, out = build_site(built, out_dir=tmp_path / f"out-{built.name}")
        assert messages(report) == []
        assert (out / "img/a.png").is_file()
        page = next(out.rglob("a/index.html")).read_text(encoding="utf-8")
        assert '<img src="/img/a.png" alt="图" width="30" height="60"' in page


def test_posts_keep_the_addresses_the_blog_gave_them(tmp_path: Path) -> None:
    """Built as it is, a Hexo or Hugo blog's posts live at inkstone's addresses, and each
    address the blog gave a post (its permalink pattern) leads to it, so links to the old
    blog keep working; quietly none where a page already is."""
    hexo = """
-- _config.yml --
timezone: Asia/Shanghai
permalink: :year/:month/:title.html
-- source/_posts/rope.md --
---
title: RoPE
date: 2025-03-31 23:30
---
Text.
-- source/_posts/旋转编码.md --
---
title: 旋转
date: 2025-04-01
permalink: /old/rotary/
---
Text.
-- source/_posts/moved.md --
---
title: Moved
date: 2025-04-02
permalink: /about/
---
Its old address is the about page's address now.
-- source/_posts/about.md --
# About
"""
    write_site(tmp_path / "hexo", hexo)
    report, out = build_site(tmp_path / "hexo/source/_posts", out_dir=tmp_path / "out")
    assert messages(report) == []
    redirect = 'http-equiv="refresh" content="0; url={}"'
    assert redirect.format("/rope/") in read(out, "2025/03/rope.html")  # 23:30 in Shanghai
    assert redirect.format("/旋转编码/") in read(out, "old/rotary/index.html")
    assert "<h1" in read(out, "about/index.html") and "refresh" not in read(out, "about/index.html")
    hugo = """
-- hugo.toml --
title = "Hugo Notes"
[permalinks]
posts = "/:year/:month/:slug/"
-- content/posts/vit.md --
---
title: ViT
slug: vision-transformer
date: 2025-01-05
---
Text.
-- content/about.md --
# About
"""
    write_site(tmp_path / "hugo", hugo)
    for built, url in (
        (tmp_path / "hugo/content", "/posts/vision-transformer/"),
        (tmp_path / "hugo/content/posts", "/vision-transformer/"),
    ):
        report, out = build_site(built, out_dir=tmp_path / f"out-{built.name}")
        assert messages(report) == []
        assert "<h1" in read(out, url.strip("/") + "/index.html")
        assert redirect.format(url) in read(out, "2025/01/vision-transformer/index.html")


def test_a_hexo_blogs_list_of_categories_is_one_nested_category(tmp_path: Path) -> None:
    """Hexo reads ``categories: [机器学习, 论文笔记]`` as 论文笔记 under 机器学习, and its
    ``:category`` permalink field as that path; built as it is, the blog's categories and
    old addresses are the same. A Jekyll site's list stays separate categories."""
    hexo = """
-- _config.yml --
permalink: :category/:title/
-- source/_posts/rope.md --
---
title: RoPE
date: 2025-03-31
categories: [机器学习, 论文笔记]
---
Text.
-- source/_posts/ddp.md --
---
title: DDP
date: 2025-04-01
categories:
  - [工程]
  - [机器学习, PyTorch]
---
Text.
"""
    write_site(tmp_path / "hexo", hexo)
    report, out = build_site(tmp_path / "hexo/source/_posts", out_dir=tmp_path / "out")
    assert messages(report) == []
    assert "RoPE" in read(out, "categories/机器学习/论文笔记/index.html")
    assert "DDP" in read(out, "categories/机器学习/pytorch/index.html")
    assert "DDP" in read(out, "categories/工程/index.html")
    assert not (out / "categories/论文笔记").exists()
    redirect = 'http-equiv="refresh" content="0; url={}"'
    assert redirect.format("/rope/") in read(out, "机器学习/论文笔记/rope/index.html")
    assert redirect.format("/ddp/") in read(out, "机器学习/PyTorch/ddp/index.html")

    jekyll = """
-- _config.yml --
title: J
-- _posts/2025-03-31-rope.md --
---
title: RoPE
categories: [机器学习, 论文笔记]
---
Text.
"""
    write_site(tmp_path / "jekyll", jekyll)
    report, out = build_site(tmp_path / "jekyll", out_dir=tmp_path / "out-jekyll")
    assert messages(report) == []
    assert "RoPE" in read(out, "categories/论文笔记/index.html")
    assert not (out / "categories/机器学习/论文笔记").exists()


def test_a_jekyll_site_builds_as_it_is(tmp_path: Path) -> None:
    """A Jekyll site (GitHub Pages, al-folio) built as it is: its output, templates, data
    and drafts are not read, its settings are not published, Liquid in links and al-folio's
    figure include render, and each post keeps the address Jekyll gave it."""
    jekyll = """
-- _config.yml --
title: 学术主页
timezone: Asia/Shanghai
deploy_token: secret
-- Gemfile --
gem "jekyll"
-- _posts/2023-04-08-rope.md --
---
layout: post
title: RoPE
date: 2023-04-08 10:00:00
categories: ml
---
![图]({{ site.baseurl }}/assets/img/a.png) 见 [ViT]({% post_url 2023-04-09-vit %})。

{% include figure.liquid path="assets/img/a.png" title="示例" class="img-fluid" %}

{% highlight python linenos %}
x = 1
{% endhighlight %}
-- _posts/2023-04-09-vit.md --
---
title: ViT
---
Text.
-- notes/2023-05-01-reading.md --
# A dated page outside _posts, which Jekyll gives no dated address
-- _drafts/unfinished.md --
# 草稿
-- _site/index.html --
<p>old output</p>
-- _layouts/post.html --
<html>{{ content }}</html>
-- _includes/figure.liquid --
<figure></figure>
"""
    write_site(tmp_path / "site", jekyll)
    (tmp_path / "site/assets/img").mkdir(parents=True)
    Image.new("RGB", (30, 20), "blue").save(tmp_path / "site/assets/img/a.png")
    report, out = build_site(tmp_path / "site", out_dir=tmp_path / "out")
    assert messages(report) == []
    for absent in ("_site", "_layouts", "_includes", "_config.yml", "Gemfile", "unfinished"):
        assert not (out / absent).exists(), absent
    assert "secret" not in "".join(p.read_text("utf-8") for p in out.rglob("*.html"))
    post = read(out, "posts/rope/index.html")
    assert '<img src="/assets/img/a.png" alt="图" width="30" height="20"' in post
    assert '<a class="wikilink" href="/posts/vit/">ViT</a>' in post
    assert "<figcaption>示例</figcaption>" in post and '<span class="linenos">' in post
    assert "{{" not in post and "{%" not in post
    assert 'url=/posts/rope/"' in read(out, "ml/2023/04/08/rope.html")
    assert 'url=/posts/vit/"' in read(out, "2023/04/09/vit.html")
    assert "<h1" in read(out, "notes/reading/index.html")
    assert [p.name for p in out.rglob("*.html") if "reading" in p.as_posix()] == ["index.html"]


def test_a_blogs_drafts_folder_is_built_only_with_drafts(tmp_path: Path) -> None:
    """Jekyll's ``_drafts`` and Hexo's ``source/_drafts`` (building ``source/``) hold
    drafts: left out, their images too, unless drafts are built (``--drafts``, the dev
    server); then each is a draft post dated by its file, as Jekyll dates them."""
    jekyll = """
-- _config.yml --
title: J
-- _posts/2025-01-01-a.md --
# 已发表
-- _drafts/unfinished.md --
# 草稿

![图](unfinished/a.png)
"""
    hexo = """
-- _config.yml --
title: H
-- source/_posts/a.md --
---
title: 已发表
date: 2025-01-01
---
Text.
-- source/_drafts/b.md --
---
title: 草稿
---
Hexo writes no date into a new draft.
"""
    write_site(tmp_path / "jekyll", jekyll)
    (tmp_path / "jekyll/_drafts/unfinished").mkdir()
    Image.new("RGB", (30, 20), "blue").save(tmp_path / "jekyll/_drafts/unfinished/a.png")
    write_site(tmp_path / "hexo", hexo)
    for built, draft in (
        (tmp_path / "jekyll", "drafts/unfinished/index.html"),
        (tmp_path / "hexo/source", "drafts/b/index.html"),
    ):
        report, out = build_site(built, out_dir=tmp_path / f"out-{built.name}")
        assert messages(report) == []
        assert "已发表" in read(out, "index.html")
        assert not (out / "drafts").exists()
        assert "草稿" not in "".join(p.read_text("utf-8") for p in out.rglob("*.html"))

        report, out = build_site(built, out_dir=tmp_path / f"drafts-{built.name}", drafts=True)
        assert messages(report) == []  # no "post has no date"
        assert "<h1" in read(out, draft) and "草稿" in read(out, "index.html")
    assert (tmp_path / "drafts-jekyll/_drafts/unfinished/a.png").is_file()
    assert 'width="30" height="20"' in read(
        tmp_path / "drafts-jekyll", "drafts/unfinished/index.html"
    )


def test_the_dev_server_follows_the_blogs_settings_and_static_files(tmp_path: Path) -> None:
    """Serving Hexo's ``source/_posts``, an edit to the blog's ``_config.yml`` or a new
    image in ``source/images`` rebuilds the site; ``source/_drafts`` and the blog's other
    files do not."""
    import queue
    import threading
    from collections.abc import Callable

    from inkstone.build import BuildOptions
    from inkstone.errors import BuildReport
    from inkstone.serve import LiveSite, relevant_changes

    write_site(tmp_path / "blog", HEXO_BLOG + "\n![图](/images/new.png)\n")
    blog, posts = tmp_path / "blog", tmp_path / "blog" / "source" / "_posts"
    live = LiveSite(posts, BuildOptions(out_dir=tmp_path / "out", base_url="/"))
    first = live.rebuild()
    assert messages(first) == []
    reports: queue.Queue[BuildReport] = queue.Queue()
    stop = threading.Event()

    def watching() -> None:
        for report in live.watch(stop):
            reports.put(report)

    def rebuilt(change: Callable[[], object]) -> BuildReport:
        """Make ``change`` (again, should the watchers not have been ready) until a full
        rebuild follows it."""
        for _ in range(5):
            change()
            try:
                while True:
                    report = reports.get(timeout=6)
                    if not report.search_refresh and not report.preview:
                        return report
            except queue.Empty:
                continue
        raise AssertionError("no rebuild")

    thread = threading.Thread(target=watching, daemon=True)
    thread.start()
    try:
        (blog / "source/images").mkdir()
        rebuilt(lambda: Image.new("RGB", (40, 20), "red").save(blog / "source/images/new.png"))
        post = read(tmp_path / "out", "rope/index.html")
        assert '<img src="/images/new.png" alt="图" width="40" height="20"' in post
        config = (blog / "_config.yml").read_text(encoding="utf-8")
        renamed = config.replace("我的机器学习笔记", "新名字")
        rebuilt(lambda: (blog / "_config.yml").write_text(renamed, encoding="utf-8"))
        assert "<title>RoPE 笔记 · 新名字</title>" in read(tmp_path / "out", "rope/index.html")
    finally:
        stop.set()
        thread.join(timeout=10)
    ignored = [blog / "source/_drafts/a.md", blog / "package.json", blog / "themes/x/a.css"]
    kept = [blog / "_config.yml", blog / "source/images/b.png", posts / "rope.md"]
    assert relevant_changes(ignored + kept, posts.resolve(), tmp_path / "out") == kept
