"""Wiki links, embeds and backlinks across whole sites (Obsidian and Foam vaults)."""

from __future__ import annotations

import re
import time
import unicodedata
from pathlib import Path

import pytest

from inkstone.build import BuildMemory, BuildOptions, build
from inkstone.markup.markdown import ParsedBody, RenderContext, parse_markdown
from tests.sites import build_site, messages, read, write_site

SITE = """-- site.toml --
title = "Vault"
theme = "minimal"
"""


def _post(title: str, body: str, date: str = "2025-01-01") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n---\n{body}"


def _content(page: str) -> str:
    """The rendered body of a built page (without the theme around it)."""
    return page.split('<div class="post-content">', 1)[1].split("</article>", 1)[0]


def _heading_ids(page: str) -> dict[str, str]:
    """Heading text → id, as the target page renders them."""
    found = re.findall(r'<h[2-4] id="([^"]+)">(.*?) <a class="heading-anchor"', page, re.S)
    return {re.sub(r"<[^>]+>", "", text): ident for ident, text in found}


def _backlinks(page: str) -> list[tuple[str, str]]:
    """(URL, title) of each backlink the page lists."""
    if '<nav class="backlinks"' not in page:
        return []
    block = page.split('<nav class="backlinks"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'<a href="([^"]+)">([^<]+)</a>', block)


TARGET = _post(
    "Self-Attention",
    "## 1. 符号约定\n\nsymbols here\n\n## 2. 缩放点积注意力\n\n$$a_i = q_i^\\top k_i$$\n\n"
    "### 为什么除以 $\\sqrt{d_k}$\n\nbecause\n\n## 3. Complexity\n\nquadratic\n",
)


def test_each_link_form_resolves(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Café")
    report, out = build_site(
        tmp_path,
        SITE
        + "-- content/posts/Self-Attention.md --\n"
        + TARGET
        + "-- content/notes/deep/rope.md --\n# RoPE\n\nrotary\n"
        + "-- content/notes/café.md --\n# Café\n\ncoffee\n"
        + "-- content/posts/linker.md --\n"
        + _post(
            "Linker",
            "[[self-attention]] · [[SELF-ATTENTION|the attention post]] · [[deep/rope]] · "
            f"[[notes/deep/rope.md]] · [[{nfd}]]\n\n"
            "[[Self-Attention#2. 缩放点积注意力]] · [[Self-Attention#为什么除以 $\\sqrt{d_k}$|why]]\n",
        ),
    )
    assert messages(report) == []
    target_ids = _heading_ids(read(out, "posts/self-attention/index.html"))
    body = _content(read(out, "posts/linker/index.html"))
    links = re.findall(r'<a class="wikilink" href="([^"]+)">(.*?)</a>', body)
    assert links[:5] == [
        ("/posts/self-attention/", "self-attention"),
        ("/posts/self-attention/", "the attention post"),
        ("/notes/deep/rope/", "deep/rope"),
        ("/notes/deep/rope/", "notes/deep/rope.md"),
        ("/notes/café/", nfd),
    ]
    section, why = links[5], links[6]
    assert section == (
        "/posts/self-attention/#" + target_ids["2. 缩放点积注意力"],
        "Self-Attention &gt; 2. 缩放点积注意力",
    )
    why_id = next(ident for text, ident in target_ids.items() if text.startswith("为什么除以"))
    assert why[0] == "/posts/self-attention/#" + why_id
    assert why[0].endswith("#为什么除以-sqrtd_k") and why[1] == "why"


def test_unresolved_link_is_plain_text_and_a_warning_naming_the_line(tmp_path: Path) -> None:
    report, out = build_site(
        tmp_path,
        SITE
        + "-- content/posts/Self-Attention.md --\n"
        + TARGET
        + "-- content/posts/a.md --\n"
        + _post("A", "Intro.\n\nSee [[nowhere|a note]] and\n[[Self-Attention#Results]].\n"),
    )
    assert messages(report) == [
        "content/posts/a.md:7: wiki link `[[nowhere]]` finds no page or file named `nowhere` "
        "(check the name (drafts and future posts are not built))",
        "content/posts/a.md:8: wiki link `[[Self-Attention#Results]]`: "
        "`content/posts/Self-Attention.md` has no heading `Results` (headings there: "
        "1. 符号约定, 2. 缩放点积注意力, 为什么除以 \\sqrt{d_k}, 3. Complexity)",
    ]
    body = _content(read(out, "posts/a/index.html"))
    assert '<span class="wikilink-missing">a note</span>' in body
    # a missing heading still links to the page
    assert '<a class="wikilink" href="/posts/self-attention/">' in body


def test_ambiguous_name_links_the_shortest_path_and_warns(tmp_path: Path) -> None:
    report, out = build_site(
        tmp_path,
        SITE
        + "-- content/a/note.md --\n# Note A\n\na\n"
        + "-- content/b/deeper/note.md --\n# Note B\n\nb\n"
        + "-- content/b/deeper/sibling.md --\n# Sibling\n\n[[note]]\n"
        + "-- content/posts/x.md --\n"
        + _post("X", "[[note]] and [[deeper/note]]\n"),
    )
    assert messages(report) == [
        "content/posts/x.md:5: wiki link `[[note]]` is ambiguous: a/note.md, b/deeper/note.md; "
        "it links to a/note.md (add the folder to the name, e.g. `[[a/note]]`)"
    ]
    assert re.findall(r'class="wikilink" href="([^"]+)"', read(out, "posts/x/index.html")) == [
        "/a/note/",
        "/b/deeper/note/",
    ]
    # the linking page's own folder settles it, without a warning
    assert 'class="wikilink" href="/b/deeper/note/"' in read(out, "b/deeper/sibling/index.html")


def test_embeds_a_whole_note_and_a_section_with_math_typeset(tmp_path: Path) -> None:
    report, out = build_site(
        tmp_path,
        SITE
        + "-- content/posts/Self-Attention.md --\n"
        + TARGET
        + "-- content/notes/short.md --\n# Short\n\nA short note with $e^{i\\pi}$[^1].\n\n"
        + "[next](deep/next.md)\n\n[^1]: A footnote.\n"
        + "-- content/notes/deep/next.md --\n# Next\n\nnext\n"
        + "-- content/posts/host.md --\n"
        + _post(
            "Host",
            "## Mine\n\n![[short]]\n\n![[Self-Attention#2. 缩放点积注意力]]\n\n"
            "Inline ![[short]] here.\n",
        ),
    )
    assert messages(report) == [
        "content/posts/host.md:11: embed `![[short]]` shares its paragraph with other text; "
        "shown as a link (put the embed on a line of its own, with blank lines around it)"
    ]
    body = _content(read(out, "posts/host/index.html"))
    embeds = re.findall(r'<div class="embed">(.*?)</div>\n</div>', body, re.S)
    assert len(embeds) == 2
    whole, section = embeds
    assert '<p class="embed-title"><a href="/notes/short/">Short</a></p>' in whole
    assert '<span class="katex">' in whole and "e^{i\\pi}" in whole
    assert 'href="/notes/deep/next/"' in whole  # a relative link of the embedded note
    assert 'id="fn-embed1-1"' in whole  # its footnote, with an id of its own
    ids = _heading_ids(read(out, "posts/self-attention/index.html"))
    assert f'<a href="/posts/self-attention/#{ids["2. 缩放点积注意力"]}">' in section
    assert "<h2>2. 缩放点积注意力</h2>" in section  # no id: ids belong to the page itself
    assert "katex-display" in section and "a_i = q_i^\\top k_i" in section
    assert "<h3>为什么除以" in section  # a deeper heading stays in the section
    assert "quadratic" not in section and "symbols here" not in section
    assert '<h2 id="mine">' in body
    assert 'Inline <a class="wikilink" href="/notes/short/">short</a> here.' in body


def test_embed_cycles_stop_with_a_warning(tmp_path: Path) -> None:
    report, out = build_site(
        tmp_path,
        SITE
        + "-- content/notes/ping.md --\n# Ping\n\nping\n\n![[pong]]\n"
        + "-- content/notes/pong.md --\n# Pong\n\npong\n\n![[ping]]\n"
        + "-- content/notes/me.md --\n# Me\n\n![[me]]\n",
    )
    assert sorted(messages(report)) == [
        "content/notes/me.md:3: embed `![[me]]` embeds itself; shown as a link "
        "(an embed cannot contain itself: link to the note instead)",
        "content/notes/ping.md:5: embed `![[ping]]` embeds itself; shown as a link "
        "(an embed cannot contain itself: link to the note instead)",
        "content/notes/pong.md:5: embed `![[pong]]` embeds itself; shown as a link "
        "(an embed cannot contain itself: link to the note instead)",
    ]
    ping = _content(read(out, "notes/ping/index.html"))
    assert ping.count('<div class="embed">') == 1  # pong, whose embed of ping is a link
    assert '<a class="wikilink" href="/notes/ping/">ping</a>' in ping


def test_image_embeds_with_width_and_file_links(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        SITE
        + "-- content/posts/figs.md --\n"
        + _post(
            "Figs",
            "![[plot.png|300]]\n\n![[plot.png|The loss|300x200]]\n\n[[paper.pdf]] and "
            "![[paper.pdf]] and ![[gone.png]]\n",
        ),
    )
    (tmp_path / "content" / "attachments").mkdir()
    (tmp_path / "content" / "attachments" / "plot.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "content" / "attachments" / "paper.pdf").write_bytes(b"%PDF-1.4\n")
    report, out = build_site(tmp_path)
    assert messages(report) == [
        "content/posts/figs.md:9: wiki link `![[gone.png]]` finds no page or file named "
        "`gone.png` (check the name (drafts and future posts are not built))"
    ]
    body = _content(read(out, "posts/figs/index.html"))
    assert '<img src="/attachments/plot.png" alt="plot.png" width="300" loading="lazy" />' in body
    assert '<img src="/attachments/plot.png" alt="The loss" width="300" height="200"' in body
    assert body.count('<a class="wikilink" href="/attachments/paper.pdf">paper.pdf</a>') == 2
    assert (out / "attachments" / "plot.png").is_file()


def test_backlinks_are_listed_on_the_target(tmp_path: Path) -> None:
    report, out = build_site(
        tmp_path,
        SITE
        + "-- content/posts/Self-Attention.md --\n"
        + TARGET
        + "\n[[Self-Attention#3. Complexity]]\n"  # a page never lists itself
        + "-- content/posts/zeta.md --\n"
        + _post("Zeta", "[[self-attention|the post]] twice: [[Self-Attention]]\n")
        + "-- content/posts/alpha.md --\n"
        + _post("Alpha", "A Markdown link: [here](Self-Attention.md#1-符号约定).\n")
        + "-- content/posts/code.md --\n"
        + _post("Code", "```\n[[Self-Attention]]\n```\n\n`[[Self-Attention]]`\n")
        + "-- content/about.md --\n# About\n\n![[Self-Attention#3. Complexity]]\n",
    )
    assert messages(report) == []
    page = read(out, "posts/self-attention/index.html")
    assert _backlinks(page) == [
        ("/about/", "About"),
        ("/posts/alpha/", "Alpha"),
        ("/posts/zeta/", "Zeta"),
    ]
    assert "<h2>Linked from</h2>" in page
    assert _backlinks(read(out, "posts/zeta/index.html")) == []


def test_backlinks_in_the_default_theme_and_under_a_base_path(tmp_path: Path) -> None:
    report, out = build_site(
        tmp_path,
        '-- site.toml --\ntitle = "Vault"\nlanguage = "zh"\n'
        "-- content/posts/b.md --\n"
        + _post("乙", "## 第二节\n\ntext\n")
        + "-- content/posts/a.md --\n"
        + _post("甲", "[[b#第二节]]\n\n![[b#第二节]]\n"),
        base_url="https://me.github.io/blog/",
    )
    assert messages(report) == []
    a = read(out, "posts/a/index.html")
    assert '<a class="wikilink" href="/blog/posts/b/#第二节">b &gt; 第二节</a>' in a
    assert '<p class="embed-title"><a href="/blog/posts/b/#第二节">乙 › 第二节</a></p>' in a
    b = read(out, "posts/b/index.html")
    assert '<h2 class="backlinks-title">反向链接 <span class="count">1</span></h2>' in b
    assert _backlinks(b) == [("/blog/posts/a/", "甲")]


def _touch(path: Path, text: str) -> None:
    """Rewrite ``path`` so that a rebuild sees it changed, even within one clock tick."""
    stamp = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    while path.stat().st_mtime_ns == stamp:
        time.sleep(0.01)
        path.write_text(text, encoding="utf-8")


def test_warm_rebuild_updates_backlinks_and_embeds(tmp_path: Path) -> None:
    write_site(
        tmp_path,
        SITE
        + "-- content/posts/b.md --\n"
        + _post("B", "## Part\n\nold text\n")
        + "-- content/posts/a.md --\n"
        + _post("A", "No links yet.\n")
        + "-- content/posts/c.md --\n"
        + _post("C", "![[b#Part]]\n"),
    )
    memory = BuildMemory()
    options = BuildOptions(out_dir=tmp_path / "public")
    assert messages(build(tmp_path, options, memory)) == []
    out = tmp_path / "public"
    assert _backlinks(read(out, "posts/b/index.html")) == [("/posts/c/", "C")]
    assert "old text" in read(out, "posts/c/index.html")

    _touch(tmp_path / "content/posts/a.md", _post("A", "Now see [[b]].\n"))
    report = build(tmp_path, options, memory)
    assert messages(report) == []
    assert _backlinks(read(out, "posts/b/index.html")) == [("/posts/a/", "A"), ("/posts/c/", "C")]

    # the embedded text changed: the page embedding it is rendered again, from memory and
    # from the persistent cache alike
    _touch(tmp_path / "content/posts/b.md", _post("B", "## Part\n\nnew text\n"))
    build(tmp_path, options, memory)
    assert "new text" in read(out, "posts/c/index.html")
    _touch(tmp_path / "content/posts/b.md", _post("B", "## Part\n\nnewer text\n"))
    build(tmp_path, options)
    assert "newer text" in read(out, "posts/c/index.html")


def test_backlinks_survive_a_page_that_fails_to_render(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build drops each source once its page is written; the site's lists, made again
    without a page that failed, keep the backlinks found before rendering, less the failed
    page's (the dev server's previews show them)."""
    import inkstone.rendering

    real = parse_markdown

    def failing(body: str, ctx: RenderContext) -> ParsedBody:
        if "BOOM" in body:
            raise RuntimeError("boom")
        return real(body, ctx)

    monkeypatch.setattr(inkstone.rendering, "parse_markdown", failing)
    write_site(
        tmp_path,
        SITE
        + "-- content/posts/target.md --\n"
        + _post("Target", "text\n")
        + "-- content/posts/alpha.md --\n"
        + _post("Alpha", "see [[target]]\n")
        + "-- content/posts/broken.md --\n"
        + _post("Broken", "BOOM [[target]]\n"),
    )
    for memory in (None, BuildMemory()):
        out = tmp_path / ("public" if memory is None else "served")
        report = build(tmp_path, BuildOptions(out_dir=out), memory)
        assert [p.message for p in report.errors] == ["could not render: RuntimeError: boom"]
        assert "/posts/alpha/" in read(out, "index.html")
        assert "/posts/broken/" not in read(out, "index.html")
    assert memory is not None and memory.site is not None
    index = memory.site.pages.index
    assert {url: [d.title for d in docs] for url, docs in index.backlinks.items()} == {
        "/posts/target/": ["Alpha"]
    }


def test_a_note_is_found_by_its_obsidian_aliases_after_file_names(tmp_path: Path) -> None:
    """Obsidian's `aliases` are other names of a note: `[[拉格朗日乘子]]` links to the note
    that lists it, unless a page has that file name; an old address among them is not a
    name."""
    write_site(
        tmp_path,
        SITE
        + "-- content/notes/lagrange.md --\n"
        + "---\ntitle: Lagrange\naliases: [Lagrange multipliers, 拉格朗日乘子, /old/lagrange/]\n"
        + "---\nThe method.\n"
        + "-- content/notes/duality.md --\n# Duality\n\nStrong and weak.\n"
        + "-- content/notes/kkt.md --\n---\ntitle: KKT\naliases: duality\n---\nConditions.\n"
        + "-- content/posts/svm.md --\n"
        + _post(
            "SVM",
            "[[拉格朗日乘子]] · [[lagrange MULTIPLIERS|the method]] · [[duality]] · "
            "[[KKT]] · [[old]]\n",
        ),
    )
    memory = BuildMemory()
    options = BuildOptions(out_dir=tmp_path / "public")
    report = build(tmp_path, options, memory)
    assert messages(report) == [
        "content/posts/svm.md:5: wiki link `[[old]]` finds no page or file named `old` "
        "(check the name (drafts and future posts are not built))"
    ]
    out = tmp_path / "public"
    links = re.findall(
        r'<a class="wikilink" href="([^"]+)">(.*?)</a>', _content(read(out, "posts/svm/index.html"))
    )
    assert links == [
        ("/notes/lagrange/", "拉格朗日乘子"),
        ("/notes/lagrange/", "the method"),
        ("/notes/duality/", "duality"),  # the file name wins over kkt's alias
        ("/notes/kkt/", "KKT"),
    ]
    assert _backlinks(read(out, "notes/lagrange/index.html")) == [("/posts/svm/", "SVM")]
    assert (out / "old/lagrange/index.html").is_file()  # an address: a redirect, not a name

    # the alias moves to another note: the link follows it on a warm rebuild
    _touch(tmp_path / "content/notes/lagrange.md", "---\ntitle: Lagrange\n---\nThe method.\n")
    _touch(
        tmp_path / "content/notes/kkt.md",
        "---\ntitle: KKT\naliases: [duality, 拉格朗日乘子]\n---\nConditions.\n",
    )
    build(tmp_path, options, memory)
    body = _content(read(out, "posts/svm/index.html"))
    assert '<a class="wikilink" href="/notes/kkt/">拉格朗日乘子</a>' in body
