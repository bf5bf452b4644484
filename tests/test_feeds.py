"""Feeds, sitemap, robots.txt, archives and pagination of a whole site."""

from __future__ import annotations

import json
import random
import re
import xml.etree.ElementTree as ET
from collections import OrderedDict
from pathlib import Path
from typing import AnyStr
from urllib.parse import urljoin

import pytest

from inkstone import html_text
from inkstone.html_text import absolute_urls, formula_end, mathml_only, span_end
from inkstone.site.collect import pager_numbers
from tests.sites import build_site, messages, read

ATOM = "{http://www.w3.org/2005/Atom}"


def _site(posts: int) -> str:
    text = (
        "-- site.toml --\n"
        'title = "Feeds"\nbase_url = "https://me.github.io/blog/"\nposts_per_page = 2\nfeed_limit = 5\n'
        'timezone = "Asia/Shanghai"\n'
    )
    for i in range(1, posts + 1):
        text += (
            f"-- content/posts/p{i}.md --\n---\ntitle: Post {i}\ndate: 2024-01-{i:02d}\n"
            f"tags: [{'even' if i % 2 == 0 else 'odd'}]\ncategories: [数学]\n---\n"
            f"Formula $x^{i}$ and ![img](/images/a.png) and [rel](p1.md).\n\n$$\n\\sum_i {i}\n$$\n"
        )
    return text + "-- static/images/a.png --\nimg\n"


def test_atom_rss_and_json_feeds_carry_mathml_and_absolute_urls(tmp_path: Path) -> None:
    report, out = build_site(tmp_path, _site(7))
    assert report.errors == [], messages(report)
    atom = ET.parse(out / "atom.xml").getroot()
    entries = atom.findall(f"{ATOM}entry")
    assert len(entries) == 5, "feed_limit"
    assert entries[0].findtext(f"{ATOM}title") == "Post 7"
    content = entries[0].findtext(f"{ATOM}content") or ""
    assert content.count("<math") == 2 and 'class="katex' not in content
    assert 'src="https://me.github.io/blog/images/a.png"' in content
    assert 'href="https://me.github.io/blog/posts/p1/"' in content
    assert not re.search(r'(?:href|src)="/', content), "no root-relative URL left"
    rss = ET.parse(out / "rss.xml").getroot()
    items = rss.findall("channel/item")
    assert [i.findtext("link") for i in items][:2] == [
        "https://me.github.io/blog/posts/p7/",
        "https://me.github.io/blog/posts/p6/",
    ]
    assert "<math" in (items[0].findtext("description") or "")
    assert items[0].findtext("pubDate") == "Sun, 07 Jan 2024 00:00:00 +0800"
    text = read(out, "feed.json")
    feed = json.loads(text)
    assert text == json.dumps(feed, ensure_ascii=False, indent=1) + "\n"  # items made apart
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["items"][0]["url"] == "https://me.github.io/blog/posts/p7/"
    assert "<math" in feed["items"][0]["content_html"]


def test_each_category_and_tag_has_its_feeds_of_summaries(tmp_path: Path) -> None:
    site = _site(4).replace("title: Post 3\n", "title: Post 3\nsummary: Three & more\n")
    _, out = build_site(tmp_path, site)
    even = ET.parse(out / "tags/even/atom.xml").getroot()
    entries = even.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Post 4", "Post 2"]
    # the excerpt: the opening paragraph's text and its formula (as MathML)
    summary = entries[0].find(f"{ATOM}summary")
    assert summary is not None and summary.get("type") == "html"
    assert entries[0].find(f"{ATOM}content") is None
    assert (summary.text or "").startswith("<p>Formula <math")
    assert (summary.text or "").endswith("</math> and  and rel.</p>")
    assert 'class="katex' not in (summary.text or "")
    odd = read(out, "tags/odd/feed.json")
    assert odd == json.dumps(json.loads(odd), ensure_ascii=False, indent=1) + "\n"
    assert json.loads(odd)["items"][0]["content_html"] == "<p>Three &amp; more</p>"
    rss = ET.parse(out / "categories/数学/rss.xml").getroot()
    descriptions = [i.findtext("description") or "" for i in rss.findall("channel/item")]
    assert len(descriptions) == 4 and descriptions[1] == "<p>Three &amp; more</p>"
    assert all("∑" not in d for d in descriptions), "the display formula is not in the excerpt"
    # the site's own feed carries whole posts
    home = ET.parse(out / "atom.xml").getroot().findall(f"{ATOM}entry")
    assert "∑" in (home[0].findtext(f"{ATOM}content") or "")


def test_term_feeds_carry_whole_posts_when_configured(tmp_path: Path) -> None:
    site = _site(4).replace("feed_limit = 5\n", 'feed_limit = 5\nterm_feed_content = "full"\n')
    _, out = build_site(tmp_path, site)
    entry = ET.parse(out / "tags/even/atom.xml").getroot().findall(f"{ATOM}entry")[0]
    content = entry.findtext(f"{ATOM}content") or ""
    assert content.count("<math") == 2 and "∑" in content
    item = json.loads(read(out, "categories/数学/feed.json"))["items"][0]
    assert "∑" in item["content_html"]


def test_sitemap_and_robots(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, _site(3))
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    urls = [u.findtext(f"{ns}loc") for u in ET.parse(out / "sitemap.xml").getroot()]
    assert "https://me.github.io/blog/posts/p3/" in urls
    assert "https://me.github.io/blog/" in urls
    assert "https://me.github.io/blog/tags/even/" in urls
    assert all(u and u.startswith("https://me.github.io/blog/") for u in urls)
    assert read(out, "robots.txt").endswith("Sitemap: https://me.github.io/blog/sitemap.xml\n")


def test_archives_group_posts_by_year_and_month(tmp_path: Path) -> None:
    site = _site(2) + (
        "-- content/posts/old.md --\n---\ntitle: Old one\ndate: 2019-06-05\n---\nx\n"
    )
    _, out = build_site(tmp_path, site)
    html = read(out, "archives/index.html")
    assert html.index("2024-01") < html.index("2019-06")
    assert html.index("Post 2") < html.index("Post 1") < html.index("Old one")


def test_pagination_pages_and_pager_numbers(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, _site(7))
    assert (out / "page/4/index.html").is_file() and not (out / "page/5").exists()
    assert (out / "tags/odd/page/2/index.html").is_file()
    assert pager_numbers(1, 6) == [1, 2, 3, None, 6]
    assert pager_numbers(4, 6) == [1, 2, 3, 4, 5, 6]
    assert pager_numbers(5, 9) == [1, None, 3, 4, 5, 6, 7, None, 9]
    assert pager_numbers(1, 1) == [1]


def _formula(tex: str) -> str:
    """A formula as KaTeX writes it: MathML, then nested spans for the eye."""
    return (
        f'<span class="katex"><span class="katex-mathml"><math><mi>{tex}</mi></math></span>'
        '<span class="katex-html" aria-hidden="true"><span class="base">'
        f'<span class="strut"></span><span class="mord"><span>{tex}</span></span>'
        "</span></span></span>"
    )


def test_feed_math_keeps_only_mathml_of_nested_spans_up_to_the_very_end() -> None:
    display = f'<span class="katex-display">{_formula("y")}</span>'
    html = f"<p>a {_formula('x')} b <span>kept</span></p>{display}<p>{_formula('z')}"
    assert mathml_only(html) == (
        "<p>a <math><mi>x</mi></math> b <span>kept</span></p>"
        "<math><mi>y</mi></math><p><math><mi>z</mi></math>"
    )


def test_feed_math_of_an_unclosed_formula_runs_to_the_end() -> None:
    html = f'<p>{_formula("x")}</p><span class="katex"><math><mi>y</mi></math><span>tail'
    assert mathml_only(html) == "<p><math><mi>x</mi></math></p><math><mi>y</mi></math>"
    html = '<p>x</p><span class="katex"><span>no math</span>'
    assert mathml_only(html) == "<p>x</p>"


def test_other_katex_classes_are_not_formulas() -> None:
    html = '<span class="katex-error">bad</span> <span class="katex-html">x</span>'
    assert mathml_only(html) == html


def test_span_end_reads_text_and_bytes_alike() -> None:
    html = "<i>é</i><span a><span>1</span><span><span></span></span></span>after</span>"
    start = html.index("<span")
    assert html[: span_end(html, start)].endswith("</span></span></span>")
    assert html[span_end(html, start) :] == "after</span>"
    data = html.encode()
    assert data[span_end(data, data.index(b"<span")) :] == b"after</span>"
    inner = html.index("<span><span>")
    assert html[inner : span_end(html, inner)] == "<span><span></span></span>"
    assert span_end("<span><span></span>", 0) is None


def _urls_by_regex(html: str, base: str) -> str:
    """absolute_urls as two plain ``re.sub`` passes: what the string-search version must equal."""

    def fix(match: re.Match[str]) -> str:
        return f'{match.group(1)}="{urljoin(base, match.group(2))}"'

    def fix_set(match: re.Match[str]) -> str:
        candidates = (c.strip().partition(" ") for c in match.group(1).split(","))
        fixed = (urljoin(base, url) + space + size for url, space, size in candidates)
        return f'srcset="{", ".join(fixed)}"'

    html = re.sub(r'\b(href|src)="([^"]*)"', fix, html)
    return re.sub(r'\bsrcset="([^"]*)"', fix_set, html)


def test_absolute_urls_are_those_of_a_regular_expression_substitution() -> None:
    base = "https://me.github.io/blog/posts/a/"
    cases = [
        '<a href="#fn1">1</a> <img src="../x.png" srcset="x.png 1x, /y.png 2x">',
        '<a data-href="/a/">no boundary? yes: "-" is not a word character</a>',
        '<a xhref="/a/">no boundary</a><a href="/b/" src="c">',
        'text href="a src="b" c" src="" srcset=""',
        'href="unclosed src="/ok"',
        '<a href="https://example.com/中文">外链</a><p>href=no quotes</p>',
        "",
    ]
    pick = random.Random(3)
    words = ['href="', 'src="', 'srcset="', "x", '"', " ", "/", "#a", "中", "-", ","]
    cases += ["".join(pick.choice(words) for _ in range(pick.randint(0, 12))) for _ in range(3000)]
    for html in cases:
        assert absolute_urls(html, base) == _urls_by_regex(html, base), html


def test_formula_end_keeps_the_formulas_used_last(monkeypatch: pytest.MonkeyPatch) -> None:
    def formula(tex: str) -> bytes:
        return (
            f'<span class="katex"><span class="katex-mathml"><math>{tex}</math></span>'
            f'<span class="katex-html"><span class="base">{tex}</span></span></span>'
        ).encode()

    often, *others = (formula(tex) for tex in ("x", "y", "z", "w"))
    monkeypatch.setattr(html_text, "FORMULAS_KEPT", 2 * len(often))
    monkeypatch.setattr(html_text, "_known_formulas", {str: OrderedDict(), bytes: OrderedDict()})
    monkeypatch.setattr(html_text, "_known_size", {str: 0, bytes: 0})
    counted: list[int] = []
    count_spans = html_text.span_end

    def counting_span_end(html: AnyStr, at: int) -> int | None:
        counted.append(at)
        return count_spans(html, at)

    monkeypatch.setattr(html_text, "span_end", counting_span_end)
    for other in others:  # each pushes out the one used least lately, never ``often``
        for text in (often, other, often):
            assert formula_end(text, 0) == len(text)
    assert len(counted) == 1 + len(others)
    assert formula_end(others[0], 0) == len(others[0])  # pushed out: counted again
    assert len(counted) == 2 + len(others)


def test_formula_end_remembers_formulas_and_answers_as_span_end_does() -> None:
    mathml = '<span class="katex"><span class="katex-mathml"><math><mi>x</mi></math></span>'
    formula = mathml + '<span class="katex-html"><span class="base">x</span></span></span>'
    other = (
        mathml + '<span class="katex-html"><span class="base"><span>y</span></span></span></span>'
    )
    texts = [
        f"<p>{formula} and {formula}</p>",
        f"<p>{other} then {formula}</p>",  # the same MathML, a different formula
        f"<p>{formula[:-7]}",  # the same beginning, never closed
        "<p>" + formula.replace("katex-mathml", "katex-mathml x") + "</p>",
    ]
    for text in texts * 2:  # the second time round, every formula has been seen
        starts = [m.start() for m in re.finditer('<span class="katex">', text)]
        assert starts
        for at in starts:
            assert formula_end(text, at) == span_end(text, at), (text, at)
        data = text.encode()
        for at in (m.start() for m in re.finditer(b'<span class="katex">', data)):
            assert formula_end(data, at) == span_end(data, at), (data, at)


def test_feed_escaping_is_that_of_the_standard_library() -> None:
    from xml.sax import saxutils

    from inkstone.render import feeds

    pieces = ["a", "&", "<", ">", '"', "'", "\n", "\r", "\t", "中", "&amp;"]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 6)))
        assert feeds.escape(text) == saxutils.escape(text)
        assert feeds.quoteattr(text) == saxutils.quoteattr(text)
