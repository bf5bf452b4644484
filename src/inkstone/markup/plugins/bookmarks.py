"""Bookmark cards: a web link alone in its paragraph becomes a card.

Any of these, alone in a paragraph (optionally after ``🔖``), makes a card::

    https://example.com/docs/intro
    🔖 https://example.com/docs/intro
    [标题](https://example.com/docs/intro)
    🔖 [标题](https://example.com/docs/intro)

The card shows a title, the site (host without ``www.``) and the path (decoded, shortened
in the middle when long), with an icon drawn by the theme's CSS. The title is the link
text when there is one, else the title the post's front matter gives the URL
(``bookmarks: {"https://…": "标题"}``), else the site and path. Nothing is fetched at
build time. A link inside a sentence, a link in a tight list item, and a link to a page of
the site stay ordinary links.

The rule works on tokens after linkify has turned bare URLs into links: the paragraph's
``paragraph_open``/``paragraph_close`` become ``bookmark_open``/``bookmark_close``, and its
inline token keeps only the link text, so formulas in a title are still typeset.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

MARKS = ("🔖", "🔖\ufe0f")
"""What may come before the link: the bookmark emoji (with or without its emoji selector)."""
URL_LINKS = ("linkify", "autolink")
"""``link_open.markup`` of links whose text is the URL itself."""
PATH_LIMIT = 48
"""Paths longer than this many characters are shortened in the middle."""
ELLIPSIS = "…"


@dataclass(frozen=True)
class CardAddress:
    """What a card shows of its URL."""

    site: str
    """Host without ``www.`` (and the port, if any), e.g. ``docs.python.org``."""
    path: str
    """Decoded path and query, shortened; empty for a site's home page."""

    @property
    def title(self) -> str:
        """The title of a card nothing else names: site and path."""
        return self.site + self.path


def bookmarks_plugin(md: MarkdownIt) -> None:
    """Register the card rule (after linkify, before ``text_join``) and its render rules."""
    md.core.ruler.before("text_join", "bookmarks", _make_cards)
    md.add_render_rule("bookmark_open", _render_open)
    md.add_render_rule("bookmark_close", _render_close)


def titles_from_front_matter(value: object) -> tuple[dict[str, str], str | None]:
    """The URL → title map of a post's ``bookmarks`` front matter, and a complaint when the
    value is not such a map (entries that are not text are left out)."""
    if value is None:
        return {}, None
    if not isinstance(value, dict):
        return {}, "front matter `bookmarks` must map URLs to titles"
    titles = {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}
    if len(titles) < len(value):
        return titles, "front matter `bookmarks` has entries that are not text"
    return titles, None


def card_address(href: str) -> CardAddress:
    """The site and display path of an ``http(s)`` URL."""
    parts = urlsplit(href)
    host = _unicode_host(parts.hostname or "")
    host = host.removeprefix("www.")
    if parts.port is not None:
        host += f":{parts.port}"
    path = unquote(parts.path)
    if parts.query:
        path += "?" + unquote(parts.query)
    if path == "/":
        path = ""
    return CardAddress(host, shorten_middle(path, PATH_LIMIT))


def shorten_middle(text: str, limit: int) -> str:
    """``text``, or its start and end joined by "…" so that it is ``limit`` long."""
    if len(text) <= limit:
        return text
    head = limit // 2
    tail = limit - 1 - head
    return text[:head] + ELLIPSIS + text[len(text) - tail :]


def _unicode_host(host: str) -> str:
    """``xn--`` labels back to Unicode (markdown-it writes hosts as punycode)."""
    if "xn--" not in host:
        return host
    try:
        return host.encode("ascii").decode("idna")
    except UnicodeError:
        return host


def _make_cards(state: StateCore) -> None:
    titles = _front_matter_titles(state)
    tokens = state.tokens
    for i in range(len(tokens) - 2):
        opening, inline, closing = tokens[i], tokens[i + 1], tokens[i + 2]
        if not (
            opening.type == "paragraph_open"
            and not opening.hidden
            and inline.type == "inline"
            and closing.type == "paragraph_close"
        ):
            continue
        found = _lone_link(inline.children or [])
        if found is None:
            continue
        link, text = found
        href = str(link.attrGet("href") or "")
        if not _is_web_url(href):
            continue
        address = card_address(href)
        card = Token("bookmark_open", "a", 1, block=True, map=opening.map, level=opening.level)
        card.attrs = {"class": "bookmark", "href": href}
        card.meta["address"] = address
        bare = link.markup in URL_LINKS or (
            len(text) == 1 and text[0].type == "text" and text[0].content in (href, unquote(href))
        )
        if bare:
            named = titles.get(href.rstrip("/"))
            if named is None:
                card.meta["title"] = address.title
                text = []
            else:
                title = Token("text", "", 0)
                title.content = named
                text = [title]
        tokens[i] = card
        inline.children = list(text)
        tokens[i + 2] = Token("bookmark_close", "a", -1, block=True, level=closing.level)
        tokens[i + 2].meta["address"] = address


def _front_matter_titles(state: StateCore) -> dict[str, str]:
    """The post's ``bookmarks`` titles, keyed by URL as markdown-it writes hrefs."""
    given: Any = getattr(state.env.get("ctx"), "bookmark_titles", None)
    if not isinstance(given, dict):
        return {}
    return {state.md.normalizeLink(url).rstrip("/"): title for url, title in given.items()}


def _lone_link(children: Sequence[Token]) -> tuple[Token, Sequence[Token]] | None:
    """The ``link_open`` and the link text of a paragraph that is one link, perhaps after
    ``🔖``; None for any other paragraph."""
    start = 0
    prefix = ""
    while start < len(children) and children[start].type in ("text", "text_special"):
        prefix += children[start].content
        start += 1
    if prefix.strip() not in ("", *MARKS):
        return None
    if start >= len(children) or children[start].type != "link_open":
        return None
    end = next((j for j in range(start, len(children)) if children[j].type == "link_close"), None)
    if end is None:
        return None
    if any(c.type != "text" or c.content.strip() for c in children[end + 1 :]):
        return None
    if any(c.type == "image" for c in children[start + 1 : end]):
        return None  # a linked image is a figure, not a card
    return children[start], children[start + 1 : end]


def _is_web_url(href: str) -> bool:
    parts = urlsplit(href)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _render_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    href = html.escape(str(token.attrGet("href")))
    title = html.escape(str(token.meta.get("title", "")))
    return (
        f'<a class="bookmark" href="{href}">'
        '<span class="bookmark-icon" aria-hidden="true"></span>'
        f'<span class="bookmark-text"><span class="bookmark-title">{title}'
    )


def _render_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    address: CardAddress = tokens[idx].meta["address"]
    path = f'<span class="bookmark-path">{html.escape(address.path)}</span>' if address.path else ""
    return (
        f'</span><span class="bookmark-url"><span class="bookmark-site">'
        f"{html.escape(address.site)}</span>{path}</span></span></a>\n"
    )
