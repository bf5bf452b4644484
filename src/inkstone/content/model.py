"""The documents a site is made of, from the file on disk to the rendered page body."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Any

from inkstone.content.language import page_language


class Kind(StrEnum):
    """What a source becomes."""

    POST = "post"
    """Dated writing: listed on the home page, in categories, tags and feeds."""
    PAGE = "page"
    """A standalone page such as ``about``: not listed."""


@dataclass(frozen=True)
class Source:
    """A Markdown file found under the content folder."""

    path: Path
    """Absolute path of the file."""
    rel: PurePosixPath
    """Path relative to the content root, e.g. ``posts/rope.md``."""
    display: Path
    """Path relative to the site folder, as shown in messages."""
    kind: Kind | None
    """POST or PAGE by location; None in a zero-config site, where the date decides."""
    bundle_dir: PurePosixPath | None = None
    """For a page bundle (``posts/x/index.md`` with its files): the folder, content-relative."""
    draft: bool = False
    """In a zero-config site's ``_drafts`` folder: a draft post, dated by its front matter,
    else by the file's modification time, as Jekyll dates its drafts."""


@dataclass
class TocEntry:
    """One heading in a page's table of contents."""

    level: int
    """2 for ``##`` and so on."""
    id: str
    """The heading's anchor id (without ``#``)."""
    title: str
    """The heading's plain text, each formula as it reads (``√dₖ``)."""
    html: str
    """The heading's text as HTML, for the table of contents (print it with ``| safe``):
    formulas typeset, inline code kept, links and emphasis as their text (the entry is a
    link itself)."""


@dataclass(frozen=True)
class ImageVariant:
    """A resized copy of a content image that a page's ``srcset`` names; the page records
    it while rendering and the asset stage writes it beside the original."""

    source: str
    """The original, relative to the content root, e.g. ``images/plot.png``."""
    width: int
    """Pixel width of the copy."""
    suffix: str
    """File type of the copy: ``.webp``, or the original's own suffix (lower case)."""

    @property
    def name(self) -> str:
        """The copy's file name: ``plot-704w.webp`` for ``images/plot.png`` at 704 px."""
        return f"{PurePosixPath(self.source).stem}-{self.width}w{self.suffix}"


@dataclass(frozen=True)
class TypesetLine:
    """A line of front matter (a title, a summary) with its formulas typeset."""

    html: str
    """Its text escaped, each formula typeset by KaTeX."""
    text: str
    """One line of plain text, each formula as it reads (``√dₖ``)."""


@dataclass
class Rendered:
    """What the Markdown stage makes of a document's body."""

    html: str
    toc: list[TocEntry]
    formulas: int
    """Formulas on the page."""
    excerpt_html: str
    """The opening text, flattened and cut (see :mod:`inkstone.markup.excerpt`)."""
    excerpt_cut: bool = False
    """Whether the excerpt was cut short of the whole text."""
    excerpt_text: str = ""
    """The excerpt as plain text (formulas as one line of text, ``α=10⁻³``)."""
    cjk_chars: int = 0
    """CJK characters in the prose (code and formulas not counted)."""
    latin_words: int = 0
    """Latin words in the prose."""
    code_blocks: int = 0
    """Highlighted code blocks on the page (the page then needs the code stylesheet)."""
    features: list[str] = field(default_factory=list)
    """What else the page needs from the theme, sorted: e.g. ``mermaid`` (load Mermaid),
    ``tabs``. Extensions add to ``env["features"]`` while rendering."""
    image_variants: list[ImageVariant] = field(default_factory=list)
    """Resized copies of content images the page's ``srcset`` attributes name, in order."""
    search_html: bytes | None = None
    """The body as the search index is made from it, UTF-8: each formula as its one line of
    text (:func:`inkstone.search.slim.with_formulas_as_text`). Made by the render worker
    that typeset them, for the search step; not cached, and let go with the body."""
    html_utf8: bytes | None = None
    """:attr:`html` in UTF-8 when the main process has it so (it decoded the page a render
    worker sent, or the cache's entry): the page writer puts these bytes in the page rather
    than encoding the body again. Not cached, and let go with the body."""

    @property
    def has_math(self) -> bool:
        """Whether the page needs KaTeX's stylesheet."""
        return self.formulas > 0


@dataclass(eq=False)
class Document:
    """A source with its metadata read and its URL decided; ``rendered`` is set later.
    Documents compare by identity: two are the same only if they are one object."""

    source: Source
    kind: Kind
    title: str
    date: dt.datetime | None
    updated: dt.datetime | None
    slug: str
    url: str
    """Site-relative URL, e.g. ``/posts/rope/`` (without the base path)."""
    body: str
    body_line: int
    """Line of the file on which ``body`` starts (after the front matter)."""
    categories: list[tuple[str, ...]] = field(default_factory=list)
    """Each category as its path from the top: ``("机器学习",)``, or ``("机器学习",
    "论文笔记")`` for a subcategory (see :func:`inkstone.content.load.read_categories`)."""
    tags: list[str] = field(default_factory=list)
    draft: bool = False
    summary: str | None = None
    cover: str | None = None
    language: str | None = None
    """The front matter's ``lang``, if any."""
    text_language: str | None = None
    """The language its text is written in (:func:`inkstone.content.language.text_language`);
    None when it has no prose."""
    macros: dict[str, str] = field(default_factory=dict)
    """Per-post math macros from front matter."""
    meta: dict[str, Any] = field(default_factory=dict)
    """The whole front matter, for templates."""
    aliases: dict[str, int | None] = field(default_factory=dict)
    """Old addresses that lead to its page (front matter ``aliases``), as site URLs
    (:mod:`inkstone.content.aliases`), each with the line of the source naming it."""
    series: str | None = None
    """The series the post belongs to (front matter ``series``), if any."""
    series_order: float | None = None
    """Its place in the series (``series_order``); None: ordered by date."""
    unlisted: bool = False
    """Built and reachable at its address, but left out of every list, feed, the sitemap,
    the search index, related posts, previous/next links and other pages' backlinks
    (front matter ``unlisted``, Hexo's ``hidden``, Hugo's ``build: {list: never}``)."""
    pinned: float = 0.0
    """How high the post is pinned at the top of the home page (front matter ``pinned``,
    Hexo's ``sticky`` or ``top``): 0 not pinned, ``true`` is 1, a higher number comes first."""
    title_typeset: TypesetLine | None = None
    """The title with its formulas typeset, when it holds any (set before pages are
    written, see :mod:`inkstone.markup.titles`)."""
    summary_typeset: TypesetLine | None = None
    """The ``summary`` with its formulas typeset, when it holds any."""
    rendered: Rendered | None = None
    render_key: str = ""
    """A hash of everything ``rendered`` was made from (set when it is rendered; a document
    the dev server keeps from the last build keeps it)."""
    content_key: str = ""
    """``render_key`` plus where the body's links went: identifies ``rendered`` exactly."""
    signature: str = ""
    """A hash of what a page can show of this document (set when pages are written)."""
    terms: tuple[tuple[str, int], ...] | None = None
    """The post's most frequent words with their counts, for related posts (extracted on
    first use, see :mod:`inkstone.site.related`; kept with the document between builds)."""

    @property
    def category_levels(self) -> list[tuple[str, ...]]:
        """Its categories with every category above them, each once, the top one first:
        ``("机器学习",), ("机器学习", "论文笔记")`` for 机器学习 › 论文笔记. A post is
        listed, and related to others, under each."""
        return list(
            dict.fromkeys(path[:n] for path in self.categories for n in range(1, len(path) + 1))
        )

    @property
    def title_html(self) -> str:
        """The title as HTML: formulas typeset, the rest escaped."""
        if self.title_typeset is not None:
            return self.title_typeset.html
        return html.escape(self.title)

    @property
    def title_text(self) -> str:
        """The title as plain text, each formula as it reads (``√dₖ``, never its TeX once
        typeset)."""
        return self.title_typeset.text if self.title_typeset is not None else self.title

    @property
    def summary_html(self) -> str | None:
        """The ``summary`` as HTML, formulas typeset (None without one)."""
        if self.summary_typeset is not None:
            return self.summary_typeset.html
        return html.escape(self.summary) if self.summary else None

    @property
    def summary_text(self) -> str | None:
        """The ``summary`` as plain text, each formula as it reads (None without one)."""
        return self.summary_typeset.text if self.summary_typeset is not None else self.summary

    def page_language(self, site_language: str) -> str:
        """Its page's ``<html lang>`` on a site in ``site_language``: its ``lang``, else the
        language of its text where that is another script's (see
        :func:`inkstone.content.language.page_language`)."""
        return page_language(self.language, self.text_language, site_language)
