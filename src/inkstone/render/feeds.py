"""Atom, RSS 2.0 and JSON Feed: the site's with whole posts, each category's and tag's with
each post's excerpt unless ``term_feed_content = "full"`` (what Hugo's feeds carry; a post
is in two or three of them on average, and 1,000 math-heavy posts made 114 MB of feeds when
each carried whole posts).

Formulas are given as MathML only (no KaTeX markup, which needs a stylesheet), and every
URL is absolute, so feed readers show posts as they are. A post appears in the site's feed
and in the feeds of its categories and tags: its entry is made once per format, as UTF-8,
and every feed carrying it joins those bytes (a post is in two or three feeds on average:
encoding each feed whole encoded every entry that many times).
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from dataclasses import dataclass, field
from email.utils import format_datetime
from html import escape as _html_escape

from inkstone.html_text import absolute_urls, mathml_only
from inkstone.render.views import PostView, TermView

ATOM_NS = "http://www.w3.org/2005/Atom"


def escape(text: str) -> str:
    """``text`` as XML character data: ``&``, ``<`` and ``>`` escaped (what
    ``xml.sax.saxutils.escape`` does; importing that module loads ``urllib.request``)."""
    return _html_escape(text, quote=False)


def quoteattr(text: str) -> str:
    """``text`` as a quoted XML attribute value, as ``xml.sax.saxutils.quoteattr`` writes it:
    escaped, line breaks and tabs as character references, in double quotes unless it holds
    one and no single quote."""
    text = escape(text).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in text:
        return f'"{text}"'
    if "'" not in text:
        return f"'{text}'"
    return '"' + text.replace('"', "&quot;") + '"'


XML_HEADER = '<?xml version="1.0" encoding="utf-8"?>\n'


@dataclass
class FeedInfo:
    """What one feed is about."""

    title: str
    description: str
    site_url: str
    """Absolute URL of the page the feed follows (home, a category, a tag)."""
    feed_base: str
    """Absolute URL of the folder holding the feed files."""
    author: str
    language: str
    full: bool = True
    """Entries carry whole posts; else their summaries (:meth:`FeedEntries.summary`)."""
    rights: str = ""
    """The license the posts are published under (site ``license``), if any."""


@dataclass
class FeedEntries:
    """Posts as feeds carry them, each made once per format, keyed by the post's signature
    (so the dev server makes them again only for posts that changed)."""

    keys: dict[str, str] = field(default_factory=dict)
    """Post permalink → the signature of the version being written."""
    _bodies: dict[str, str] = field(default_factory=dict)
    _summaries: dict[str, str] = field(default_factory=dict)
    _entries: dict[tuple[str, bool, str], bytes] = field(default_factory=dict)
    """(format, whole post?, post key) → the encoded entry."""
    _sources: dict[str, bytes] = field(default_factory=dict)
    """Compressed page HTML of posts whose entry is not made yet (see :meth:`keep_source`)."""

    def prune(self) -> None:
        """Forget the entries of post versions that are not current any more."""
        current = set(self.keys.values())
        stores: list[dict[str, str] | dict[str, bytes]] = [
            self._bodies,
            self._summaries,
            self._sources,
        ]
        for store in stores:
            for key in [k for k in store if k not in current]:
                del store[key]
        for entry in [e for e in self._entries if e[2] not in current]:
            del self._entries[entry]

    def _key(self, post: PostView) -> str:
        return self.keys.get(post.permalink, post.permalink)

    def keep_source(self, post: PostView, signature: str) -> None:
        """Keep the HTML of ``post`` (in version ``signature``) for its entries, which a
        feed may need once its page is written and its HTML let go. It is kept compressed,
        a sixth of its size, in about 1 ms; the entry itself costs about 4 ms to make and
        is often not needed at all (a feed none of whose posts changed is not written)."""
        self.keys[post.permalink] = signature
        if signature not in self._bodies and signature not in self._sources:
            self._sources[signature] = zlib.compress(post.content.encode("utf-8"), 1)

    def body(self, post: PostView) -> str:
        """The post's HTML with MathML-only math and absolute URLs."""
        key = self._key(post)
        body = self._bodies.get(key)
        if body is None:
            source = self._sources.pop(key, None)
            content = zlib.decompress(source).decode("utf-8") if source else post.content
            body = absolute_urls(mathml_only(content), post.permalink)
            self._bodies[key] = body
        return body

    def summary(self, post: PostView) -> str:
        """The post's summary as a paragraph of HTML: its front matter's ``summary``, else
        its excerpt (the opening the lists show, text and formulas, MathML-only)."""
        key = self._key(post)
        summary = self._summaries.get(key)
        if summary is None:
            if post.summary_html:  # formulas as MathML, as in the excerpt
                summary = f"<p>{mathml_only(str(post.summary_html))}</p>"
            else:  # the opening, flattened: text and formulas
                summary = f"<p>{absolute_urls(mathml_only(post.excerpt), post.permalink)}</p>"
            self._summaries[key] = summary
        return summary

    def atom(self, post: PostView, full: bool = True) -> bytes:
        """The post's Atom ``<entry>``: with its whole text (``full``), else its summary."""
        key = ("atom", full, self._key(post))
        if key not in self._entries:
            published = post.date_iso or _EPOCH
            categories = "".join(f"<category term={quoteattr(t.name)}/>" for t in _labels(post))
            if full:
                text = f'<summary type="text">{escape(post.description)}</summary>'
                text += f'<content type="html">{escape(self.body(post))}</content>'
            else:
                text = f'<summary type="html">{escape(self.summary(post))}</summary>'
            self._entries[key] = (
                f"<entry><title>{escape(post.title)}</title>"
                f'<link href={quoteattr(post.permalink)} rel="alternate"/>'
                f"<id>{escape(post.permalink)}</id>"
                f"<published>{published}</published>"
                f"<updated>{post.updated_iso or published}</updated>"
                f"{categories}{text}</entry>"
            ).encode()
        return self._entries[key]

    def rss(self, post: PostView, full: bool = True) -> bytes:
        """The post's RSS ``<item>``: with its whole text (``full``), else its summary."""
        key = ("rss", full, self._key(post))
        if key not in self._entries:
            date = f"<pubDate>{_rfc822(post.date_iso)}</pubDate>" if post.date_iso else ""
            categories = "".join(f"<category>{escape(t.name)}</category>" for t in _labels(post))
            text = self.body(post) if full else self.summary(post)
            self._entries[key] = (
                f"<item><title>{escape(post.title)}</title>"
                f"<link>{escape(post.permalink)}</link>"
                f'<guid isPermaLink="true">{escape(post.permalink)}</guid>'
                f"{date}{categories}"
                f"<description>{escape(text)}</description></item>"
            ).encode()
        return self._entries[key]

    def json(self, post: PostView, full: bool = True) -> bytes:
        """The post's JSON Feed item, as :func:`json_feed` writes it among the items: with
        its whole text (``full``), else its summary as its content."""
        key = ("json", full, self._key(post))
        if key not in self._entries:
            item = {
                "id": post.permalink,
                "url": post.permalink,
                "title": post.title,
                "content_html": self.body(post) if full else self.summary(post),
                "summary": post.description,
                "date_published": post.date_iso,
                "date_modified": post.updated_iso,
                "tags": [t.name for t in _labels(post)],
            }
            text = json.dumps(item, ensure_ascii=False, indent=1)
            entry = _ITEM_INDENT + text.replace("\n", "\n" + _ITEM_INDENT)
            self._entries[key] = entry.encode()
        return self._entries[key]


_ITEM_INDENT = "  "
"""An item's depth in a JSON Feed written with ``indent=1``: inside ``"items": [``. Every
line break of an item's JSON is its own (one in a string is written ``\\n``)."""


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC).isoformat()


def _labels(post: PostView) -> list[TermView]:
    """A post's categories, each with the categories above it (机器学习 and 论文笔记 for
    机器学习 › 论文笔记), then its tags: each name once."""
    terms: dict[str, TermView] = {}
    for term in [t for c in post.categories for t in (*c.parents, c)] + post.tags:
        terms.setdefault(term.url, term)
    return list(terms.values())


def _updated(posts: list[PostView]) -> str:
    stamps = [stamp for p in posts if (stamp := p.updated_iso or p.date_iso)]
    return max(stamps) if stamps else _EPOCH


def atom(info: FeedInfo, posts: list[PostView], entries: FeedEntries) -> bytes:
    """An Atom 1.0 document, UTF-8."""
    author = f"<author><name>{escape(info.author)}</name></author>" if info.author else ""
    subtitle = f"<subtitle>{escape(info.description)}</subtitle>" if info.description else ""
    head = (
        XML_HEADER
        + f'<feed xmlns="{ATOM_NS}" xml:lang={quoteattr(info.language)}>'
        + f"<title>{escape(info.title)}</title>{subtitle}"
        + f"<id>{escape(info.site_url)}</id>"
        + f'<link href={quoteattr(info.site_url)} rel="alternate"/>'
        + f'<link href={quoteattr(info.feed_base + "atom.xml")} rel="self"/>'
        + f"<updated>{_updated(posts)}</updated>{author}<generator>inkstone</generator>"
        + (f"<rights>{escape(info.rights)}</rights>" if info.rights else "")
    )
    items = (entries.atom(post, info.full) for post in posts)
    return b"".join((head.encode(), *items, b"</feed>\n"))


def rss(info: FeedInfo, posts: list[PostView], entries: FeedEntries) -> bytes:
    """An RSS 2.0 document, UTF-8."""
    built = f"<lastBuildDate>{_rfc822(_updated(posts))}</lastBuildDate>" if posts else ""
    head = (
        XML_HEADER
        + f'<rss version="2.0" xmlns:atom="{ATOM_NS}"><channel>'
        + f"<title>{escape(info.title)}</title><link>{escape(info.site_url)}</link>"
        + f"<description>{escape(info.description or info.title)}</description>"
        + f"<language>{escape(info.language)}</language><generator>inkstone</generator>"
        + (f"<copyright>{escape(info.rights)}</copyright>" if info.rights else "")
        + f'<atom:link href={quoteattr(info.feed_base + "rss.xml")} rel="self" '
        + 'type="application/rss+xml"/>'
        + built
    )
    items = (entries.rss(post, info.full) for post in posts)
    return b"".join((head.encode(), *items, b"</channel></rss>\n"))


def json_feed(info: FeedInfo, posts: list[PostView], entries: FeedEntries) -> bytes:
    """A JSON Feed 1.1 document, UTF-8 (``json.dumps(…, indent=1)`` of it, with each item's
    text made once for every feed that carries the post)."""
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": info.site_url,
        "feed_url": info.feed_base + "feed.json",
        "description": info.description,
        "language": info.language,
        "authors": [{"name": info.author}] if info.author else [],
        "items": [],
    }
    text = json.dumps(document, ensure_ascii=False, indent=1)
    if not posts:
        return (text + "\n").encode()
    # "items" is the last key: the text ends with its empty list
    items = b",\n".join(entries.json(post, info.full) for post in posts)
    return b"".join((text.removesuffix("[]\n}").encode(), b"[\n", items, b"\n ]\n}\n"))


def _rfc822(iso: str) -> str:
    return format_datetime(dt.datetime.fromisoformat(iso))
