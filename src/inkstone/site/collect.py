"""Lists of posts: latest first, by category and tag, cut into pages.

Runs after every document is loaded and rendered, and before any page is written.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field

from inkstone.cancel import checkpoint
from inkstone.content.aliases import redirects
from inkstone.content.model import Document, Kind
from inkstone.content.slug import path_slug
from inkstone.errors import Problem
from inkstone.site.backlinks import backlinks
from inkstone.site.links import SiteLinks
from inkstone.site.related import related_posts
from inkstone.site.series import Series, collect_series


@dataclass
class Term:
    """One category or tag and its posts, newest first. A category's posts include those
    of its subcategories, as Hexo lists them."""

    taxonomy: str
    """``categories`` or ``tags``."""
    name: str
    slug: str
    """For a subcategory, its parent's slug, ``/``, and its own (:func:`path_slug`)."""
    posts: list[Document] = field(default_factory=list)
    parent: Term | None = field(default=None, repr=False, compare=False)
    """The category this one is a subcategory of; None for a tag or a top category."""
    children: list[Term] = field(default_factory=list, repr=False, compare=False)
    """Its subcategories, by name."""

    @property
    def path(self) -> tuple[str, ...]:
        """Its names from the top category down to it."""
        return (*self.parent.path, self.name) if self.parent is not None else (self.name,)

    @property
    def url(self) -> str:
        """Site-relative URL of the term's first list page."""
        return f"/{self.taxonomy}/{self.slug}/"


@dataclass
class PageOfPosts:
    """One page of a paginated list."""

    number: int
    """1-based."""
    total: int
    """How many pages the list has."""
    posts: list[Document]
    base_url: str
    """URL of the list's first page; page n is ``base_url + 'page/n/'``."""

    def url_of(self, number: int) -> str:
        """Site-relative URL of page ``number`` of this list."""
        return self.base_url if number == 1 else f"{self.base_url}page/{number}/"

    @property
    def url(self) -> str:
        """This page's site-relative URL."""
        return self.url_of(self.number)


@dataclass
class SiteIndex:
    """Everything cross-page a theme can show."""

    posts: list[Document]
    """Published posts, most recently updated first."""
    pages: list[Document]
    """Standalone pages, by URL."""
    categories: dict[str, Term]
    """By slug, sorted by name."""
    tags: dict[str, Term]
    home: Document | None = None
    """A page that claims ``/`` (``index.md`` or ``README.md`` at the root), replacing the list."""
    previous: dict[str, Document] = field(default_factory=dict)
    """Post URL → the post published just before it."""
    next: dict[str, Document] = field(default_factory=dict)
    backlinks: dict[str, list[Document]] = field(default_factory=dict)
    """Page URL → the documents whose text links to it, by title."""
    related: dict[str, list[Document]] = field(default_factory=dict)
    """Post URL → up to five posts on the same subject, best first (:mod:`.related`)."""
    series: dict[str, Series] = field(default_factory=dict)
    """Series by slug, sorted by name (:mod:`.series`)."""
    redirects: dict[str, Document] = field(default_factory=dict)
    """Old address (front matter ``aliases``) → the document now there
    (:mod:`inkstone.content.aliases`)."""
    redirect_problems: list[Problem] = field(default_factory=list)
    """The aliases left out, each with why (an address of a page, or of two aliases)."""


@dataclass
class ArchiveMonth:
    """Posts published in one month, newest first."""

    year: int
    month: int
    posts: list[Document]


def archives(posts: list[Document]) -> list[ArchiveMonth]:
    """Posts grouped by the month of their publication date, newest month first."""
    months: dict[tuple[int, int], list[Document]] = {}
    for post in sorted(posts, key=lambda d: (d.date or _epoch(), d.url), reverse=True):
        date = post.date or _epoch()
        months.setdefault((date.year, date.month), []).append(post)
    return [ArchiveMonth(y, m, docs) for (y, m), docs in months.items()]


def _epoch() -> dt.datetime:
    return dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def sort_key(doc: Document) -> tuple[dt.datetime, str]:
    """Latest-updates order: ``updated`` (falling back to ``date``), then URL for stability."""
    return (doc.updated or doc.date or _epoch(), doc.url)


def home_order(posts: list[Document]) -> list[Document]:
    """The home page's order: pinned posts first (the highest ``pinned`` first, then in
    latest-updates order), then the others as they are in ``posts``."""
    pinned = sorted((p for p in posts if p.pinned), key=lambda p: -p.pinned)
    return pinned + [p for p in posts if not p.pinned] if pinned else posts


def collect(documents: list[Document], links: SiteLinks | None = None) -> SiteIndex:
    """Sort documents into the lists the theme shows (backlinks need the site's ``links``)."""
    listed = [d for d in documents if not d.unlisted]
    posts = sorted((d for d in listed if d.kind is Kind.POST), key=sort_key, reverse=True)
    pages = sorted((d for d in listed if d.kind is Kind.PAGE), key=lambda d: d.url)
    index = SiteIndex(
        posts,
        [p for p in pages if p.url != "/"],
        _terms("categories", posts),
        _terms("tags", posts),
    )
    # a root index.md replaces the home list even if unlisted (it is the home page)
    index.home = next((d for d in documents if d.kind is Kind.PAGE and d.url == "/"), None)
    chronological = sorted(posts, key=lambda d: (d.date or _epoch(), d.url))
    for older, newer in itertools.pairwise(chronological):
        index.previous[newer.url] = older
        index.next[older.url] = newer
    checkpoint()
    if links is not None:
        index.backlinks = backlinks(documents, links, listed)
    checkpoint()
    index.related = related_posts(posts)
    checkpoint()
    index.series = collect_series(posts)
    index.redirects, index.redirect_problems = redirects(documents)
    return index


def _terms(taxonomy: str, posts: list[Document]) -> dict[str, Term]:
    terms: dict[str, Term] = {}
    for post in posts:
        paths = post.category_levels if taxonomy == "categories" else [(t,) for t in post.tags]
        # the post is listed once under each, though two of its names may share a slug
        # ("RL", "rl"): the first written names the term
        levels = {path_slug(path): path for path in reversed(paths)}
        for slug, path in sorted(levels.items(), key=lambda level: len(level[1])):
            term = terms.get(slug)
            if term is None:
                parent = terms[path_slug(path[:-1])] if len(path) > 1 else None
                term = terms[slug] = Term(taxonomy, path[-1], slug, parent=parent)
                if parent is not None:
                    parent.children.append(term)
            term.posts.append(post)
    for term in terms.values():
        term.children.sort(key=lambda child: child.name.lower())
    return dict(sorted(terms.items(), key=lambda item: [n.lower() for n in item[1].path]))


def paginate(posts: list[Document], per_page: int, base_url: str) -> list[PageOfPosts]:
    """Cut ``posts`` into pages; an empty list still has one (empty) page."""
    total = max(1, math.ceil(len(posts) / per_page))
    return [
        PageOfPosts(n, total, posts[(n - 1) * per_page : n * per_page], base_url)
        for n in range(1, total + 1)
    ]


def pager_numbers(current: int, total: int, around: int = 2) -> list[int | None]:
    """Page numbers to show: first, last, current ±``around``, None for each gap (``1 2 3 … 6``)."""
    shown = {1, total, *range(current - around, current + around + 1)}
    numbers = sorted(n for n in shown if 1 <= n <= total)
    out: list[int | None] = []
    for n in numbers:
        if out and n - (out[-1] or 0) > 1:
            out.append(None)
        out.append(n)
    return out
