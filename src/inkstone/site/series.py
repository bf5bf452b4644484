"""Series: posts that share ``series:`` in their front matter, in reading order.

Called from :func:`inkstone.site.collect.collect`, before any page is rendered. A series is
ordered by ``series_order``, then by date, then by title; posts without ``series_order``
come after those with one. Each series has its own page at ``/series/<slug>/`` and the
series are listed at ``/series/``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from inkstone.content.model import Document, Kind
from inkstone.content.slug import slugify


@dataclass
class Series:
    """One series and its posts in reading order."""

    name: str
    """As written in the front matter of its first post."""
    slug: str
    posts: list[Document] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Site-relative URL of the series' page."""
        return f"/series/{self.slug}/"

    def position(self, doc: Document) -> int:
        """1-based place of ``doc`` in the series; 0 if it is not in it."""
        return next((i for i, post in enumerate(self.posts, start=1) if post is doc), 0)


def reading_order(doc: Document) -> tuple[bool, float, dt.datetime, str, str]:
    """``series_order`` (posts without one last), then date, then title, then URL."""
    date = doc.date or dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
    order = doc.series_order
    return (order is None, order or 0.0, date, doc.title, doc.url)


def collect_series(documents: list[Document]) -> dict[str, Series]:
    """The series of the posts among ``documents``, by slug, sorted by name. Names with
    the same slug (``RL 笔记``, ``rl 笔记``) are one series."""
    found: dict[str, Series] = {}
    for doc in sorted(documents, key=reading_order):
        if doc.kind is not Kind.POST or not doc.series:
            continue
        slug = slugify(doc.series)
        found.setdefault(slug, Series(doc.series, slug)).posts.append(doc)
    return dict(sorted(found.items(), key=lambda item: (item[1].name.lower(), item[0])))


def series_of(doc: Document, series: dict[str, Series]) -> Series | None:
    """The series ``doc`` belongs to, if any."""
    if not doc.series or doc.kind is not Kind.POST:
        return None
    return series.get(slugify(doc.series))
