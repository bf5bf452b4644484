"""The template API: what each template receives, and nothing of the internal model.

Theme authors read these docstrings. Every URL in a view already carries the site's base
path (``/blog/posts/x/``); ``permalink`` fields are absolute (``https://…``).

Templates and what they get:

- ``list.html``: ``site``, ``posts`` (list of :class:`PostView`), ``pager``
  (:class:`PagerView`), ``term`` (:class:`TermView` or None on the home page), ``page_title``.
- ``post.html`` and ``page.html``: ``site``, ``page`` (:class:`PostView`).
- ``terms.html``: ``site``, ``taxonomy`` (``categories`` or ``tags``), ``terms``, ``page_title``.
- ``404.html``: ``site``.

Every template also gets ``url(path)`` (a site path with the base path added),
``asset(path)`` (the URL of a file under ``/assets/``), ``needs_math`` (load KaTeX's CSS)
and ``page_url`` (this page's URL).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from inkstone.config import SiteConfig
from inkstone.content.model import Document, TocEntry
from inkstone.content.slug import slugify
from inkstone.site.collect import PageOfPosts, SiteIndex, Term, pager_numbers


@dataclass
class TermView:
    """A category or tag as shown on pages."""

    name: str
    url: str
    count: int


@dataclass
class LinkView:
    """A titled link, e.g. to the previous post."""

    title: str
    url: str


@dataclass
class PostView:
    """A post or standalone page."""

    title: str
    url: str
    permalink: str
    kind: str
    """``post`` or ``page``."""
    date: str | None
    """Published, ``YYYY-MM-DD``."""
    updated: str | None
    """Last updated, ``YYYY-MM-DD`` (equals ``date`` when never updated)."""
    date_iso: str | None
    """Published, ISO 8601 with zone, for ``<time datetime>``."""
    updated_iso: str | None
    categories: list[TermView]
    tags: list[TermView]
    content: str
    """The rendered body (HTML, math typeset)."""
    excerpt: str
    """HTML: the part before ``<!-- more -->``, else the first paragraph."""
    summary: str | None
    """The front matter's ``summary``, if any (plain text)."""
    toc: list[TocEntry]
    has_math: bool
    language: str
    """``<html lang>`` for this page: the post's ``lang`` or the site's language."""
    meta: dict[str, Any]
    """The whole front matter."""
    previous: LinkView | None = None
    """The post published before this one."""
    next: LinkView | None = None


@dataclass
class PagerLink:
    """One entry of a pager: a page number, or a gap (``number`` None)."""

    number: int | None
    url: str | None
    current: bool


@dataclass
class PagerView:
    """Where a paginated list is and how to move in it."""

    number: int
    total: int
    previous_url: str | None
    next_url: str | None
    links: list[PagerLink]


@dataclass
class SiteView:
    """Site-wide settings and navigation."""

    title: str
    description: str
    author: str
    language: str
    base_url: str
    base_path: str
    extra: dict[str, Any]
    categories: list[TermView] = field(default_factory=list)
    tags: list[TermView] = field(default_factory=list)
    pages: list[LinkView] = field(default_factory=list)
    """Standalone pages, for navigation."""
    has_home_list: bool = True
    """False when a root ``index.md`` replaces the generated post list."""


class ViewBuilder:
    """Makes views from documents, once each."""

    def __init__(self, config: SiteConfig, index: SiteIndex) -> None:
        self.config = config
        self.index = index
        self._posts: dict[str, PostView] = {}

    def url(self, path: str) -> str:
        """A site path with the base path added."""
        return self.config.base_path + path.lstrip("/")

    def site(self) -> SiteView:
        """The ``site`` every template receives."""
        c = self.config
        return SiteView(
            title=c.title,
            description=c.description,
            author=c.author,
            language=c.language,
            base_url=c.base_url,
            base_path=c.base_path,
            extra=c.extra,
            categories=[self.term(t) for t in self.index.categories.values()],
            tags=[self.term(t) for t in self.index.tags.values()],
            pages=[LinkView(p.title, self.url(p.url)) for p in self.index.pages],
            has_home_list=self.index.home is None,
        )

    def term(self, term: Term) -> TermView:
        """A category or tag."""
        return TermView(term.name, self.url(term.url), len(term.posts))

    def _term_of(self, taxonomy: str, name: str) -> TermView:
        terms = self.index.categories if taxonomy == "categories" else self.index.tags
        term = terms.get(slugify(name))
        if term is None:
            return TermView(name, self.url(f"/{taxonomy}/{slugify(name)}/"), 0)
        return self.term(term)

    def post(self, doc: Document) -> PostView:
        """The view of one document (made once, then reused by every list)."""
        view = self._posts.get(doc.url)
        if view is not None:
            return view
        rendered = doc.rendered
        assert rendered is not None, "documents are rendered before views are made"
        prev_doc = self.index.previous.get(doc.url)
        next_doc = self.index.next.get(doc.url)
        view = PostView(
            title=doc.title,
            url=self.url(doc.url),
            permalink=self.config.absolute_url(doc.url),
            kind=doc.kind.value,
            date=doc.date.strftime("%Y-%m-%d") if doc.date else None,
            updated=doc.updated.strftime("%Y-%m-%d") if doc.updated else None,
            date_iso=doc.date.isoformat() if doc.date else None,
            updated_iso=doc.updated.isoformat() if doc.updated else None,
            categories=[self._term_of("categories", c) for c in doc.categories],
            tags=[self._term_of("tags", t) for t in doc.tags],
            content=rendered.html,
            excerpt=rendered.excerpt_html,
            summary=doc.summary,
            toc=rendered.toc,
            has_math=rendered.has_math,
            language=doc.language or self.config.language,
            meta=doc.meta,
            previous=LinkView(prev_doc.title, self.url(prev_doc.url)) if prev_doc else None,
            next=LinkView(next_doc.title, self.url(next_doc.url)) if next_doc else None,
        )
        self._posts[doc.url] = view
        return view

    def pager(self, page: PageOfPosts) -> PagerView:
        """The pager of one page of a list."""
        links = [
            PagerLink(n, self.url(page.url_of(n)) if n else None, n == page.number)
            for n in pager_numbers(page.number, page.total)
        ]
        return PagerView(
            number=page.number,
            total=page.total,
            previous_url=self.url(page.url_of(page.number - 1)) if page.number > 1 else None,
            next_url=self.url(page.url_of(page.number + 1)) if page.number < page.total else None,
            links=links,
        )
