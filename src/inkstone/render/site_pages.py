"""Every file of the built site that comes from a template or a feed writer.

:func:`write_pages` runs once per build, after all documents are rendered and collected:
post and standalone pages, the paginated home, category and tag lists with their
indexes, series, archives, the 404 page, feeds (site-wide and per term), sitemap and robots.txt.

Each page has a *signature*: a hash of everything its template can see (the documents it
shows, the site-wide view, the templates themselves, inkstone's version). A page whose
signature is the one it had in the previous build is not rendered again: the writer keeps
the previous file. That is what makes a warm build, and a rebuild in ``inkstone serve``,
cost only the pages an edit really changes.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from inkstone.cache import fingerprint
from inkstone.cancel import checkpoint
from inkstone.config import CONFIG_FILE, SiteConfig
from inkstone.content.model import Document, Kind
from inkstone.errors import BuildReport, Problem, Severity, SourceError
from inkstone.output.writer import SiteWriter
from inkstone.render import feeds
from inkstone.render.sitemap import SitemapEntry, robots, sitemap
from inkstone.render.templates import BODY_MARK, Pieces, Templates
from inkstone.render.views import PostView, TermView, ViewBuilder, is_site_path
from inkstone.site.collect import SiteIndex, archives, home_order, paginate
from inkstone.version import code_version

FEED_FILES = ("atom.xml", "rss.xml", "feed.json")
REDIRECT_TEMPLATE = "alias.html"
"""The template of the page at each old address of a document: counted apart from pages."""


@dataclass
class PageWriter:
    """Renders templates into the staging folder and keeps the sitemap."""

    config: SiteConfig
    index: SiteIndex
    templates: Templates
    writer: SiteWriter
    report: BuildReport
    keep_bodies: bool = False
    """Leave rendered bodies in the documents (the dev server's memory shares them)."""
    views: ViewBuilder = field(init=False)
    sitemap: list[SitemapEntry] = field(default_factory=list)
    feed_entries: feeds.FeedEntries = field(default_factory=feeds.FeedEntries)
    searchable: Callable[[PurePosixPath, bytes, bytes | None, bytes | None], None] | None = None
    """Given each post's and standalone page's output path and bytes as soon as the page is
    written, with its body and :attr:`~inkstone.content.model.Rendered.search_html` when
    the render worker made it (the search step prepares the page for the index while the
    other pages render)."""
    pieces: Pieces = field(default_factory=Pieces)
    """The parts of pages the templates reuse (``cached``), for this site as it is now."""

    @property
    def _nav_math(self) -> bool:
        """Whether the navigation of every page shows a title holding a formula."""
        return any(link.has_math for link in self.site.pages)

    def __post_init__(self) -> None:
        self.views = ViewBuilder(self.config, self.index, self.keep_bodies)
        self.site = self.views.site()
        self.base_signature = fingerprint(
            code_version(), self.templates.fingerprint(), repr(self.config), repr(self.site)
        )
        limit = self.config.feed_limit
        feed_lists = [self.index.posts]
        if self.config.term_feed_content == "full":
            feed_lists += [t.posts for t in self.index.categories.values()]
            feed_lists += [t.posts for t in self.index.tags.values()]
        self._in_feeds = {id(doc) for posts in feed_lists for doc in posts[:limit]}
        """Documents some feed carries in full: their HTML is kept, compressed, until the feeds."""

    def signature(self, doc: Document) -> str:
        """What a page can show of ``doc``: its rendered body (by its content key) and metadata."""
        if not doc.signature:
            doc.signature = fingerprint(
                doc.content_key,
                doc.url,
                doc.title,
                doc.date,
                doc.updated,
                doc.categories,
                doc.tags,
                doc.summary,
                doc.cover,
                doc.language,
                doc.text_language,
                doc.kind,
                doc.source.display,
                repr(doc.meta),
            )
        return doc.signature

    def page(
        self,
        template: str,
        url: str,
        owner: str,
        depends: tuple[object, ...],
        body: bytes | None = None,
        **context: Any,
    ) -> bytes | None:
        """Render ``template`` to the page at site URL ``url`` (``/x/`` → ``x/index.html``),
        unless its signature (``depends`` and the site-wide state) is unchanged. Returns the
        page written; None when the previous one is kept or the template failed.

        ``body``: the UTF-8 of the post whose view holds :data:`BODY_MARK` as its content,
        put in the page's bytes wherever the template printed the mark."""
        checkpoint()
        rel = page_path(url)
        signature = fingerprint(self.base_signature, template, url, depends)
        if self.writer.keep(rel, owner, signature):
            return None
        context = {key: value() if callable(value) else value for key, value in context.items()}
        common = {
            "site": self.site,
            "url": self.views.url,
            "asset": lambda path: self.views.url("/assets/" + path),
            "needs_math": False,
            "needs_code": False,
            "cached": self.pieces,
            "page_url": self.views.url(url),
            "canonical_url": self.config.absolute_url(url),
        }
        if self._nav_math:  # the navigation shows a page whose title holds a formula
            context["needs_math"] = True
        try:
            text = self.templates.render(template, {**common, **context})
            if body is None:
                data = text.encode("utf-8")
            else:
                data = body.join([part.encode("utf-8") for part in text.split(BODY_MARK)])
            self.writer.write_bytes(rel, data, owner, signature)
        except SourceError as exc:
            self.report.add(exc.problem)
            return None
        if template == REDIRECT_TEMPLATE:
            self.report.redirects_written += 1
        else:
            self.report.pages_written += 1
        return data

    def document(self, doc: Document) -> None:
        """The page of one post or standalone page (called as soon as it is rendered)."""
        view = self.views.post(doc)
        template = "post.html" if doc.kind is Kind.POST else "page.html"
        body = doc.rendered.html_utf8 if doc.rendered is not None else None
        spliced = body is not None and self.templates.prints_content_whole(template)
        content = view.content
        if spliced:
            view.content = BODY_MARK
        try:
            written = self.page(
                template,
                doc.url,
                doc.source.display.as_posix(),
                (self.signature(doc), repr(view.cross_links())),
                body if spliced else None,
                needs_math=view.shows_math(),
                needs_code=view.has_code,
                page=view,
                **({"canonical_url": view.canonical} if view.canonical else {}),
            )
        finally:
            view.content = content
        if doc.unlisted:
            self.views.forget_content(doc)
            return
        if written is not None and self.searchable is not None:
            search_html = doc.rendered.search_html if doc.rendered is not None else None
            if search_html is None:
                body = None
            elif body is None:
                body = content.encode()
            self.searchable(page_path(doc.url), written, body, search_html)
        self.sitemap.append(SitemapEntry(view.permalink, view.updated_iso or view.date_iso))
        if id(doc) in self._in_feeds:
            self.feed_entries.keep_source(view, self.signature(doc))
        self.views.forget_content(doc)

    def for_preview(self, writer: SiteWriter, report: BuildReport) -> PageWriter:
        """This writer's site as it was, writing to ``writer``: the dev server writes the
        pages of edited documents with it before the full rebuild has run."""
        preview = copy.copy(self)
        preview.writer, preview.report, preview.sitemap = writer, report, []
        preview.searchable = None
        preview.pieces = Pieces()
        return preview

    def reindex(self, index: SiteIndex) -> None:
        """Use ``index`` from now on (after some documents failed to render)."""
        self.index = index
        self.views = ViewBuilder(self.config, index, self.keep_bodies)
        self.site = self.views.site()
        self.pieces = Pieces()

    def lists(self) -> None:
        """Everything made of many documents: lists, feeds, archives, 404, sitemap."""
        if self.index.home is None:
            self.listing(home_order(self.index.posts), "/", "home", self.config.list_title, None)
        self.feeds(self.index.posts, "/", self.config.title)
        self.taxonomies()
        self.series()
        self.archives()
        self.redirects()
        self.finish()

    def listing(
        self, posts: list[Document], base: str, kind: str, title: str, term: TermView | None
    ) -> None:
        """A paginated list of posts at ``base``, ``base/page/2/``…"""
        for part in paginate(posts, self.config.posts_per_page, base):
            items = [self.views.post(d) for d in part.posts]
            depends = (kind, title, repr(term), part.number, part.total)
            self.page(
                "list.html",
                part.url,
                f"list {part.url}",
                (*depends, *(self.signature(d) for d in part.posts)),
                needs_math=any(v.has_math for v in items),
                posts=items,
                pager=lambda part=part: self.views.pager(part),
                kind=kind,
                term=term,
                page_title=title,
                feed_url=self.views.url(base + "atom.xml"),
            )
        self.sitemap.append(SitemapEntry(self.config.absolute_url(base), _newest(posts)))

    def taxonomies(self) -> None:
        """Category and tag lists, and the index of each taxonomy."""
        zh = self.config.is_zh
        full = self.config.term_feed_content == "full"
        for taxonomy, terms, label, kind in (
            ("categories", self.index.categories, "分类" if zh else "Categories", "category"),
            ("tags", self.index.tags, "标签" if zh else "Tags", "tag"),
        ):
            if not terms:
                continue
            self.page(
                "terms.html",
                f"/{taxonomy}/",
                f"list /{taxonomy}/",
                (),  # the terms and their counts are part of the site-wide view
                taxonomy=taxonomy,
                terms=[self.views.term(t) for t in terms.values()],
                page_title=label,
            )
            self.sitemap.append(SitemapEntry(self.config.absolute_url(f"/{taxonomy}/")))
            for term in terms.values():
                self.listing(term.posts, term.url, kind, term.name, self.views.term(term))
                self.feeds(term.posts, term.url, f"{term.name} · {self.config.title}", full)

    def series(self) -> None:
        """A page per series listing its posts in reading order, and ``/series/`` listing
        the series."""
        if not self.index.series:
            return
        title = "系列" if self.config.is_zh else "Series"
        every = [self.views.series(s) for s in self.index.series.values()]
        self.page(
            "series.html",
            "/series/",
            "list /series/",
            (repr(every),),
            series=None,
            posts=[],
            all_series=every,
            page_title=title,
        )
        self.sitemap.append(SitemapEntry(self.config.absolute_url("/series/")))
        for series, view in zip(self.index.series.values(), every, strict=True):
            self.page(
                "series.html",
                series.url,
                f"series {series.url}",
                (repr(view), *(self.signature(d) for d in series.posts)),
                series=view,
                needs_math=lambda series=series: any(
                    self.views.post(d).has_math for d in series.posts
                ),
                posts=lambda series=series: [self.views.post(d) for d in series.posts],
                all_series=[],
                page_title=series.name,
            )
            self.sitemap.append(
                SitemapEntry(self.config.absolute_url(series.url), _newest(series.posts))
            )

    def archives(self) -> None:
        """All posts by year and month."""
        title = "归档" if self.config.is_zh else "Archives"
        depends = tuple(self.signature(d) for d in self.index.posts)
        self.page(
            "archives.html",
            "/archives/",
            "archives",
            depends,
            years=lambda: self.views.archives(archives(self.index.posts)),
            needs_math=any(d.title_typeset is not None for d in self.index.posts),
            page_title=title,
        )
        self.sitemap.append(
            SitemapEntry(self.config.absolute_url("/archives/"), _newest(self.index.posts))
        )

    def feeds(self, posts: list[Document], base: str, title: str, full: bool = True) -> None:
        """Atom, RSS and JSON Feed of the newest posts of a list, in the list's folder, with
        whole posts (``full``) or their summaries."""
        newest = posts[: self.config.feed_limit]
        owner = f"feeds {base}"
        folder = base.strip("/")
        names = [f"{folder}/{name}" if folder else name for name in FEED_FILES]
        shown = (self.signature(d) for d in newest)
        signature = fingerprint(self.base_signature, title, full, *shown)
        if all([self.writer.keep(name, owner, signature) for name in names]):
            return
        items = [self.views.post(d) for d in newest]
        for doc in newest:
            self.feed_entries.keys[self.config.absolute_url(doc.url)] = self.signature(doc)
        info = feeds.FeedInfo(
            title=title,
            description=self.config.description,
            site_url=self.config.absolute_url(base),
            feed_base=self.config.absolute_url(base),
            author=self.config.author,
            language=self.config.language,
            full=full,
            rights=self.config.license.strip(),
        )
        documents = (
            feeds.atom(info, items, self.feed_entries),
            feeds.rss(info, items, self.feed_entries),
            feeds.json_feed(info, items, self.feed_entries),
        )
        for name, data in zip(names, documents, strict=True):
            self.writer.write_bytes(name, data, owner, signature)

    def redirects(self) -> None:
        """A page at each old address of a document (:mod:`inkstone.content.aliases`) that
        sends the reader on to it."""
        for alias, doc in self.index.redirects.items():
            owner = f"{doc.source.display.as_posix()} (alias)"
            target = self.views.url(doc.url)
            language = doc.page_language(self.config.language)
            try:
                self.page(
                    REDIRECT_TEMPLATE,
                    alias,
                    owner,
                    (doc.url, doc.title_text, language),
                    target=target,
                    permalink=self.config.absolute_url(doc.url),
                    title=doc.title_text,
                    language=language,
                )
            except SourceError as exc:  # a list or another file has that address
                message = f"alias `{alias}`: {exc.problem.message}; no redirect is made"
                where = (doc.source.display, doc.aliases[alias])
                hint = "remove the alias: the address is taken"
                self.report.add(Problem(Severity.WARNING, message, *where, hint=hint))

    def finish(self) -> None:
        """404 page, sitemap and robots.txt (the sitemap lists what was written before)."""
        self.feed_entries.prune()
        self.page("404.html", "404.html", "404 page", ())
        self.writer.write_text("sitemap.xml", sitemap(self.sitemap), "sitemap")
        self.writer.write_text(
            "robots.txt", robots(self.config.absolute_url("/sitemap.xml")), "robots"
        )


def menu_problems(config: SiteConfig, files: set[str], config_text: str) -> list[Problem]:
    """A warning for each ``menu`` item that links to a path of the site no file of its
    output (``files``) is at, at its line of ``site.toml`` (``config_text``)."""
    problems = []
    lines = config_text.split("\n")
    for item in config.menu:
        url = item["url"]
        if not is_site_path(url):
            continue
        path = unquote(urlsplit(url).path)
        if page_path(path).as_posix() in files or page_path(path + "/").as_posix() in files:
            continue
        setting = re.compile(rf"""\burl\s*=\s*["']{re.escape(url)}["']""")
        line = next((n for n, text in enumerate(lines, 1) if setting.search(text)), None)
        problems.append(
            Problem(
                Severity.WARNING,
                f"menu item `{item['name']}` links to `{url}`, which is no page of the site",
                Path(CONFIG_FILE),
                line,
                hint="write the page's path as the site shows it, without the base path",
            )
        )
    return problems


def page_path(url: str) -> PurePosixPath:
    """The output file of the page at site URL ``url``: ``/x/`` → ``x/index.html``."""
    if url.endswith("/"):
        return PurePosixPath(url.strip("/")) / "index.html"
    return PurePosixPath(url.lstrip("/"))


def _newest(posts: list[Document]) -> str | None:
    stamps = [stamp for d in posts if (stamp := d.updated or d.date)]
    return max(stamps).isoformat() if stamps else None


__all__ = ["PageWriter", "PostView"]
