"""Atom, RSS 2.0 and JSON Feed, with full content.

Formulas are given as MathML only (no KaTeX markup, which needs a stylesheet), and every
URL is absolute, so feed readers show posts as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import format_datetime

from inkstone.render.html_text import absolute_urls, mathml_only
from inkstone.render.views import PostView

ATOM_NS = "http://www.w3.org/2005/Atom"


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


class FeedContents:
    """Posts' bodies as feeds carry them, made once per post for all the feeds of a build."""

    def __init__(self) -> None:
        self._done: dict[str, str] = {}

    def __call__(self, post: PostView) -> str:
        """The feed body of ``post``."""
        body = self._done.get(post.permalink)
        if body is None:
            body = absolute_urls(mathml_only(post.content), post.permalink)
            self._done[post.permalink] = body
        return body


def _updated(posts: list[PostView]) -> str:
    stamps = [stamp for p in posts if (stamp := p.updated_iso or p.date_iso)]
    return max(stamps) if stamps else dt.datetime(1970, 1, 1, tzinfo=dt.UTC).isoformat()


def atom(info: FeedInfo, posts: list[PostView], content: FeedContents) -> str:
    """An Atom 1.0 document."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"xml:lang": info.language})
    _sub(feed, "title", info.title)
    if info.description:
        _sub(feed, "subtitle", info.description)
    _sub(feed, "id", info.site_url)
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", {"href": info.site_url, "rel": "alternate"})
    ET.SubElement(feed, f"{{{ATOM_NS}}}link", {"href": info.feed_base + "atom.xml", "rel": "self"})
    _sub(feed, "updated", _updated(posts))
    if info.author:
        _sub(_sub(feed, "author"), "name", info.author)
    _sub(feed, "generator", "inkstone")
    for post in posts:
        entry = _sub(feed, "entry")
        _sub(entry, "title", post.title)
        ET.SubElement(entry, f"{{{ATOM_NS}}}link", {"href": post.permalink, "rel": "alternate"})
        _sub(entry, "id", post.permalink)
        _sub(entry, "published", post.date_iso or _updated([post]))
        _sub(entry, "updated", post.updated_iso or post.date_iso or _updated([post]))
        for term in post.categories + post.tags:
            ET.SubElement(entry, f"{{{ATOM_NS}}}category", {"term": term.name})
        _sub(entry, "summary", post.description, type="text")
        _sub(entry, "content", content(post), type="html")
    return _xml(feed)


def rss(info: FeedInfo, posts: list[PostView], content: FeedContents) -> str:
    """An RSS 2.0 document."""
    ET.register_namespace("atom", ATOM_NS)
    root = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(root, "channel")
    ET.SubElement(channel, "title").text = info.title
    ET.SubElement(channel, "link").text = info.site_url
    ET.SubElement(channel, "description").text = info.description or info.title
    ET.SubElement(channel, "language").text = info.language
    ET.SubElement(channel, "generator").text = "inkstone"
    ET.SubElement(
        channel,
        f"{{{ATOM_NS}}}link",
        {"href": info.feed_base + "rss.xml", "rel": "self", "type": "application/rss+xml"},
    )
    if posts:
        ET.SubElement(channel, "lastBuildDate").text = _rfc822(_updated(posts))
    for post in posts:
        item = ET.SubElement(channel, "item")
        ET.SubElement(item, "title").text = post.title
        ET.SubElement(item, "link").text = post.permalink
        ET.SubElement(item, "guid", {"isPermaLink": "true"}).text = post.permalink
        if post.date_iso:
            ET.SubElement(item, "pubDate").text = _rfc822(post.date_iso)
        for term in post.categories + post.tags:
            ET.SubElement(item, "category").text = term.name
        ET.SubElement(item, "description").text = content(post)
    return _xml(root)


def json_feed(info: FeedInfo, posts: list[PostView], content: FeedContents) -> str:
    """A JSON Feed 1.1 document."""
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": info.site_url,
        "feed_url": info.feed_base + "feed.json",
        "description": info.description,
        "language": info.language,
        "authors": [{"name": info.author}] if info.author else [],
        "items": [
            {
                "id": post.permalink,
                "url": post.permalink,
                "title": post.title,
                "content_html": content(post),
                "summary": post.description,
                "date_published": post.date_iso,
                "date_modified": post.updated_iso,
                "tags": [t.name for t in post.categories + post.tags],
            }
            for post in posts
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _rfc822(iso: str) -> str:
    return format_datetime(dt.datetime.fromisoformat(iso))


def _xml(root: ET.Element) -> str:
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
