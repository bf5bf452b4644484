"""The template API: what each template receives, and nothing of the internal model.

Theme authors read these docstrings. Every URL in a view already carries the site's base
path (``/blog/posts/x/``); ``permalink`` fields are absolute (``https://…``).

Templates and what they get:

- ``list.html``: ``site``, ``posts`` (list of :class:`PostView`), ``pager``
  (:class:`PagerView`), ``kind`` (``home``, ``category`` or ``tag``), ``term``
  (:class:`TermView`, None on the home page), ``page_title``, ``feed_url`` (this list's Atom feed).
- ``post.html`` and ``page.html``: ``site``, ``page`` (:class:`PostView`).
- ``terms.html``: ``site``, ``taxonomy`` (``categories`` or ``tags``), ``terms``, ``page_title``.
- ``archives.html``: ``site``, ``years`` (list of :class:`ArchiveYearView`), ``page_title``.
- ``series.html``: ``site``, ``page_title``; on a series' page ``series`` (:class:`SeriesView`)
  and ``posts`` (its :class:`PostView` list, in reading order); on ``/series/`` ``series``
  is None and ``all_series`` lists every series (:class:`SeriesView`, by name).
- ``404.html``: ``site``.

Every template also gets ``url(path)`` (a site path with the base path added),
``asset(path)`` (the URL of a file under ``/assets/``), ``needs_math`` (load KaTeX's CSS),
``needs_code`` (load the code stylesheet), ``page_url`` (this page's URL) and
``canonical_url`` (its absolute URL).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape

from inkstone.config import SiteConfig
from inkstone.content.model import Document, Kind, TocEntry
from inkstone.content.slug import path_slug
from inkstone.markup.cjk import TextCount
from inkstone.render.licenses import LicenseView, license_view
from inkstone.site.collect import ArchiveMonth, PageOfPosts, SiteIndex, Term, pager_numbers
from inkstone.site.series import Series, series_of


@dataclass
class TermView:
    """A category or tag as shown on pages."""

    name: str
    url: str
    count: int
    """Posts with this term."""
    feed_url: str = ""
    """The term's Atom feed."""
    parents: list[TermView] = field(default_factory=list)
    """The categories above a subcategory, the top one first (机器学习 for 机器学习 ›
    论文笔记); these views have no parents or children of their own."""
    children: list[TermView] = field(default_factory=list)
    """Its subcategories, by name."""

    @property
    def depth(self) -> int:
        """0 for a tag or a top category, 1 for a subcategory of one, and so on."""
        return len(self.parents)


@dataclass
class LinkView:
    """A titled link, e.g. to the previous post."""

    title: str
    """Plain text: a formula in a post's title as it reads (``√dₖ``)."""
    url: str
    title_html: Markup = field(default_factory=Markup)
    """The title as HTML, formulas typeset (the escaped ``title`` when it has none): for
    the link's text."""
    has_math: bool = False
    """``title_html`` holds a formula (the page showing it needs KaTeX's stylesheet)."""

    def __post_init__(self) -> None:
        if not self.title_html:
            self.title_html = escape(self.title)


@dataclass
class PostView:
    """A post or standalone page."""

    title: str
    """Plain text, for ``<title>``, feeds and metadata: a formula as it reads
    (``为什么要除以 √dₖ``), never its TeX."""
    title_html: Markup
    """The title as HTML, formulas typeset: for headings and the text of links."""
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
    """The front matter's ``summary``, if any, as plain text (a formula as it reads)."""
    summary_html: Markup | None
    """The ``summary`` as HTML, formulas typeset: for the lists."""
    excerpt_cut: bool
    """True when ``excerpt`` was cut short (it then ends with "…")."""
    description: str
    """Plain text for ``<meta name="description">``: the summary, else the excerpt's text."""
    toc: list[TocEntry]
    """Its h2–h4 headings; empty when its front matter says ``toc: false`` (or Hugo
    PaperMod's ``ShowToc: false``)."""
    has_math: bool
    """The page shows a formula, in its body, title or summary (load KaTeX's stylesheet)."""
    has_code: bool
    """The page has highlighted code blocks (load the code stylesheet)."""
    word_count: int
    """CJK characters plus Latin words of prose (code and formulas not counted)."""
    reading_minutes: int
    """About 400 CJK characters or 230 English words a minute, at least 1."""
    cover: str | None
    """URL of the cover image, if the front matter names one."""
    edit_url: str | None
    """Where to edit the source, when ``edit_url`` is configured."""
    source_path: str
    """The source's path in the site folder, e.g. ``content/posts/rope.md``."""
    language: str
    """``<html lang>`` for this page: the post's ``lang``, else the language its text is
    written in where that is another script than the site's, else the site's language."""
    meta: dict[str, Any]
    """The whole front matter."""
    previous: LinkView | None = None
    """The post published before this one."""
    next: LinkView | None = None
    features: list[str] = field(default_factory=list)
    """What the page needs from the theme beyond CSS, e.g. ``mermaid``."""
    backlinks: list[LinkView] = field(default_factory=list)
    """Pages whose text links here (Markdown links and wiki links), by title."""
    related: list[LinkView] = field(default_factory=list)
    """Up to five posts on the same subject, best first."""
    series: SeriesView | None = None
    """The series this post belongs to, if any."""
    comments: bool = False
    """Whether the page shows the site's ``comments.html``: posts do unless their front matter
    says ``comments: false``, standalone pages only with ``comments: true`` (as in Hexo)."""
    license: LicenseView | None = None
    """The license it is published under (site ``license``, or its front matter's), if
    any; posts only, unless a page's front matter names one."""
    author: str = ""
    """Its front matter ``author``, else the site's."""
    canonical: str | None = None
    """Where the post was first published, when its front matter says so (``canonical_url``
    as Jekyll SEO, ``canonicalURL`` as Hugo PaperMod, or ``canonical``): its page's
    ``<link rel="canonical">`` names that address, so search engines credit the original."""
    unlisted: bool = False
    """Left out of every list, feed, the sitemap and the search (front matter ``unlisted``);
    the built-in themes ask search engines not to index it."""
    pinned: bool = False
    """Pinned to the top of the home page (front matter ``pinned``, ``sticky`` or ``top``);
    the built-in themes mark it there."""

    def shows_math(self) -> bool:
        """Whether its page shows a formula: in its body or title, or in the title of a page
        it links to (previous, next, backlinks, related posts, its series)."""
        links = [self.previous, self.next, *self.backlinks, *self.related]
        links += self.series.posts if self.series is not None else []
        return self.has_math or any(link is not None and link.has_math for link in links)

    def cross_links(self) -> tuple[object, ...]:
        """Everything this page shows of other pages (for its signature)."""
        return (self.previous, self.next, self.backlinks, self.related, self.series)


@dataclass
class SeriesView:
    """A series of posts (``series:`` in front matter), in reading order."""

    name: str
    url: str
    """The series' own page."""
    posts: list[LinkView]
    """Every post of the series, in reading order."""
    position: int
    """1-based position of the current post in ``posts`` (0 on the series' own pages)."""
    previous: LinkView | None = None
    """The post before the current one in the series."""
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
class ArchiveMonthView:
    """Posts of one month."""

    month: int
    label: str
    """``2025-03``."""
    posts: list[PostView]


@dataclass
class ArchiveYearView:
    """Posts of one year, by month, newest first."""

    year: int
    count: int
    months: list[ArchiveMonthView]


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
    menu: list[LinkView] = field(default_factory=list)
    """The site's own navigation (``menu`` in site.toml), in order; empty: the theme's."""
    has_home_list: bool = True
    """False when a root ``index.md`` replaces the generated post list."""
    kicker: str = ""
    """The masthead's line above the title ("INCOMING TRANSMISSION")."""
    list_title: str = ""
    """The home list's title ("LATEST UPDATES" / "最新更新")."""
    is_zh: bool = False
    """The site is written in Chinese (themes pick their labels by it)."""
    feed_url: str = ""
    """The site's Atom feed; ``rss_url`` and ``json_feed_url`` are the other two."""
    rss_url: str = ""
    json_feed_url: str = ""
    year: int = 0
    """The year of the build, for the footer."""
    search_url: str = ""
    """The search page (``/search/``), or empty when the site has no search."""


_OFF = frozenset({"false", "no", "off", "0", ""})


def _switch(value: object, default: bool) -> bool:
    """A front matter on/off value: YAML's booleans, or a word written as a string
    (``comments: "no"``, ``"off"``, ``"false"`` are off); absent, ``default``."""
    if value is None:
        return default
    if isinstance(value, str):
        return value.strip().lower() not in _OFF
    return bool(value)


CANONICAL_KEYS = ("canonical_url", "canonicalURL", "canonical")


def _canonical(meta: dict[str, Any]) -> str | None:
    """The original's address from front matter: a full ``http(s)`` URL, else none."""
    value = next((meta[key] for key in CANONICAL_KEYS if meta.get(key)), None)
    if isinstance(value, str) and value.strip().startswith(("https://", "http://")):
        return value.strip()
    return None


TOC_KEYS = ("toc", "ShowToc", "showToc")
"""Front matter keys that turn a page's table of contents off when false: Hexo's themes'
``toc`` and Hugo PaperMod's ``ShowToc``."""


def _shows_toc(meta: dict[str, Any]) -> bool:
    key = next((key for key in TOC_KEYS if key in meta), None)
    return _switch(meta[key], True) if key is not None else True


def is_site_path(url: str) -> bool:
    """Whether a link written in the settings (``/about/``) is a path of this site, rather
    than a full URL or a protocol-relative one (``//cdn.example``)."""
    return url.startswith("/") and not url.startswith("//")


class ViewBuilder:
    """Makes views from documents, once each."""

    def __init__(self, config: SiteConfig, index: SiteIndex, keep_bodies: bool = False) -> None:
        self.config = config
        self.index = index
        self.keep_bodies = keep_bodies
        """Keep rendered bodies in the documents (they are shared with the dev server's
        memory); the views still drop theirs."""
        self._posts: dict[str, PostView] = {}
        self._terms: dict[tuple[str, str], TermView] = {}

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
            pages=[self.link(p) for p in self.index.pages],
            menu=[LinkView(item["name"], self.menu_url(item["url"])) for item in c.menu],
            has_home_list=self.index.home is None,
            kicker=c.kicker,
            list_title=c.list_title,
            is_zh=c.is_zh,
            feed_url=self.url("/atom.xml"),
            rss_url=self.url("/rss.xml"),
            json_feed_url=self.url("/feed.json"),
            year=dt.date.today().year,
            search_url=self.url("/search/") if c.search else "",
        )

    def _license(self, doc: Document) -> LicenseView | None:
        """The post's license: its front matter's (``false``: none), else the site's."""
        name = doc.meta.get("license")
        if doc.meta.get("copyright") is False:  # Hexo NexT's way to turn the box off
            return None
        if name is None and doc.kind is Kind.POST:
            name = self.config.license
        if not isinstance(name, str) or not name.strip():
            return None
        return license_view(name, self.config.is_zh)

    def menu_url(self, url: str) -> str:
        """A menu item's link: a path of the site gets the base path, a URL stays as it is."""
        return self.url(url) if is_site_path(url) else url

    def link(self, doc: Document) -> LinkView:
        """A link to ``doc`` by its title."""
        typeset = doc.title_typeset is not None
        return LinkView(doc.title_text, self.url(doc.url), Markup(doc.title_html), typeset)

    def term(self, term: Term) -> TermView:
        """A category or tag, with the categories above it and below it (made once)."""
        view = self._terms.get((term.taxonomy, term.slug))
        if view is None:
            parents: list[TermView] = []
            above = term.parent
            while above is not None:
                parents.insert(0, self._bare_term(above))
                above = above.parent
            view = self._bare_term(term)
            view.parents, view.children = parents, [self.term(c) for c in term.children]
            self._terms[(term.taxonomy, term.slug)] = view
        return view

    def _bare_term(self, term: Term) -> TermView:
        url = self.url(term.url)
        return TermView(term.name, url, len(term.posts), url + "atom.xml")

    def _term_of(self, taxonomy: str, path: tuple[str, ...]) -> TermView:
        terms = self.index.categories if taxonomy == "categories" else self.index.tags
        term = terms.get(path_slug(path))
        if term is None:
            url = self.url(f"/{taxonomy}/{path_slug(path)}/")
            return TermView(path[-1], url, 0, url + "atom.xml")
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
            title=doc.title_text,
            title_html=Markup(doc.title_html),
            url=self.url(doc.url),
            permalink=self.config.absolute_url(doc.url),
            kind=doc.kind.value,
            date=doc.date.strftime("%Y-%m-%d") if doc.date else None,
            updated=doc.updated.strftime("%Y-%m-%d") if doc.updated else None,
            date_iso=doc.date.isoformat() if doc.date else None,
            updated_iso=doc.updated.isoformat() if doc.updated else None,
            categories=[self._term_of("categories", c) for c in doc.categories],
            tags=[self._term_of("tags", (t,)) for t in doc.tags],
            content=rendered.html,
            excerpt=rendered.excerpt_html,
            summary=doc.summary_text,
            summary_html=Markup(doc.summary_html) if doc.summary else None,
            excerpt_cut=rendered.excerpt_cut,
            description=doc.summary_text or rendered.excerpt_text or self.config.description,
            toc=rendered.toc if _shows_toc(doc.meta) else [],
            has_math=rendered.has_math or bool(doc.title_typeset or doc.summary_typeset),
            has_code=rendered.code_blocks > 0,
            word_count=rendered.cjk_chars + rendered.latin_words,
            reading_minutes=TextCount(rendered.cjk_chars, rendered.latin_words).reading_minutes,
            cover=self._cover(doc),
            edit_url=self._edit_url(doc),
            source_path=doc.source.display.as_posix(),
            language=doc.page_language(self.config.language),
            meta=doc.meta,
            previous=self.link(prev_doc) if prev_doc else None,
            next=self.link(next_doc) if next_doc else None,
            features=rendered.features,
            backlinks=[self.link(d) for d in self.index.backlinks.get(doc.url, [])],
            related=[self.link(d) for d in self.index.related.get(doc.url, [])],
            series=self._series_of(doc),
            pinned=doc.pinned > 0,
            unlisted=doc.unlisted,
            license=self._license(doc),
            author=str(doc.meta.get("author") or self.config.author),
            comments=_switch(doc.meta.get("comments"), doc.kind is Kind.POST),
            canonical=_canonical(doc.meta),
        )
        self._posts[doc.url] = view
        return view

    def series(self, series: Series, position: int = 0) -> SeriesView:
        """A series, seen from its post at 1-based ``position`` (0: from no post)."""
        links = [self.link(d) for d in series.posts]
        return SeriesView(
            name=series.name,
            url=self.url(series.url),
            posts=links,
            position=position,
            previous=links[position - 2] if position > 1 else None,
            next=links[position] if 0 < position < len(links) else None,
        )

    def _series_of(self, doc: Document) -> SeriesView | None:
        series = series_of(doc, self.index.series)
        position = series.position(doc) if series is not None else 0
        return self.series(series, position) if series is not None and position else None

    def forget_view(self, url: str) -> None:
        """Make the view of the document at ``url`` again on its next use (it was edited)."""
        self._posts.pop(url, None)

    def forget_content(self, doc: Document) -> None:
        """Drop ``doc``'s rendered body once its page is written and no feed needs it:
        only its list fields (title, excerpt, dates…) stay in memory."""
        view = self._posts.get(doc.url)
        if view is not None:
            view.content = ""
        if doc.rendered is not None:
            doc.rendered.search_html = doc.rendered.html_utf8 = None
            if not self.keep_bodies:
                doc.rendered.html = ""

    def _cover(self, doc: Document) -> str | None:
        if not doc.cover:
            return None
        if "://" in doc.cover or doc.cover.startswith("/"):
            return doc.cover if "://" in doc.cover else self.url(doc.cover)
        return self.url(doc.url) + doc.cover

    def _edit_url(self, doc: Document) -> str | None:
        pattern = self.config.edit_url
        return pattern.format(path=doc.source.display.as_posix()) if pattern else None

    def archives(self, months: list[ArchiveMonth]) -> list[ArchiveYearView]:
        """Archive months grouped by year."""
        years: dict[int, ArchiveYearView] = {}
        for month in months:
            year = years.setdefault(month.year, ArchiveYearView(month.year, 0, []))
            posts = [self.post(d) for d in month.posts]
            year.months.append(
                ArchiveMonthView(month.month, f"{month.year}-{month.month:02d}", posts)
            )
            year.count += len(posts)
        return list(years.values())

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
