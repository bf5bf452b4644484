"""The address a post had on the site it is imported from, made from that site's permalink
pattern, so that it becomes one of the post's ``aliases`` and the old links keep working.

Each generator fills its pattern's ``:fields`` in its own way: Hexo's in
:mod:`inkstone.importers.hexo`, Jekyll's (:func:`jekyll_address`) and Hugo's
(:func:`hugo_address`) here. A pattern holding a field inkstone cannot know gives no address.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from pathlib import PurePosixPath

from inkstone.content.dates import FILE_NAME_DATE
from inkstone.importers.common import string_list

_FIELD = re.compile(r":(\w+)")

JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
"""Jekyll's named permalink styles; ``date`` is its default."""


def fill(pattern: str, fields: Mapping[str, str]) -> str | None:
    """``pattern`` with each ``:field`` replaced, as a site path (one leading ``/``, no
    empty segment); None when it names a field ``fields`` lacks."""
    if set(_FIELD.findall(pattern)) - fields.keys():
        return None
    path = _FIELD.sub(lambda m: fields[m[1]], pattern)
    return "/" + re.sub(r"/{2,}", "/", path).lstrip("/")


def moment_of(date: object) -> dt.datetime | None:
    """A front matter date as a datetime (midnight for a day); None for anything else."""
    if isinstance(date, dt.datetime):
        return date
    if isinstance(date, dt.date):
        return dt.datetime.combine(date, dt.time())
    return None


def date_fields(moment: dt.datetime) -> dict[str, str]:
    """The date and time fields the generators share (``:year``, ``:i_month`` …)."""
    return {
        "year": f"{moment.year:04d}",
        "month": f"{moment.month:02d}",
        "i_month": str(moment.month),
        "day": f"{moment.day:02d}",
        "i_day": str(moment.day),
        "hour": f"{moment.hour:02d}",
        "minute": f"{moment.minute:02d}",
        "second": f"{moment.second:02d}",
    }


def _jekyll_slug(text: str, *, cased: bool) -> str:
    """Jekyll's ``slugify`` (``pretty`` mode): runs of characters other than letters,
    digits and ``._~!$&'()+,;=@`` become one ``-``."""
    slug = re.sub(r"[^\w.~!$&'()+,;=@]+|_+", "-", text).strip("-")
    return slug if cased else slug.lower()


def jekyll_moment(date: object, written: object, zone: dt.tzinfo) -> dt.datetime | None:
    """The post's date as Jekyll read it, in the site's ``timezone`` (``zone``): Jekyll
    turns every date into the time of that zone (``Time.parse(…).localtime``). ``date`` is
    the post's date as imported, ``written`` its front matter value as YAML read it. A time
    with an offset is moved into ``zone``; one YAML read as a timestamp without an offset is
    UTC to Jekyll's YAML (``2022-05-01 23:30:00``), so it moves too; a day, a file name's
    date or a time written in another form (``2022-05-01 23:30``) is already in ``zone``."""
    moment = moment_of(date)
    if moment is None:
        return None
    if moment.tzinfo is None and isinstance(written, dt.datetime):
        moment = moment.replace(tzinfo=dt.UTC)
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(zone).replace(tzinfo=None)


def jekyll_address(
    pattern: str,
    meta: Mapping[str, object],
    date: object,
    rel: PurePosixPath,
    zone: dt.tzinfo = dt.UTC,
) -> str | None:
    """The address Jekyll gave the post at ``rel`` (its path in the site, e.g.
    ``_posts/2022-05-01-entropy.md`` or ``ml/_posts/…``) on a site whose ``permalink`` is
    ``pattern`` (a style name or a pattern) and whose ``timezone`` is ``zone``, with front
    matter ``meta`` and ``date`` (its front matter date, else its file name's), read as
    :func:`jekyll_moment` says. Categories are its front matter's (``categories``,
    ``category``) after those of the folders above ``_posts``, lowercased and joined with
    ``/``."""
    moment = jekyll_moment(date, meta.get("date"), zone)
    if moment is None:
        return None
    pattern = JEKYLL_STYLES.get(pattern, pattern)
    name = rel.stem[11:] if FILE_NAME_DATE.match(rel.stem + "-") else rel.stem
    slug = str(meta.get("slug") or name)
    folders = list(rel.parts[: rel.parts.index("_posts")]) if "_posts" in rel.parts else []
    spaces = isinstance(meta.get("categories"), str)
    categories = folders + string_list(
        meta.get("categories") or meta.get("category"), spaces=spaces
    )
    fields = {
        **date_fields(moment),
        "short_year": moment.strftime("%y"),
        "y_day": moment.strftime("%j"),
        "short_month": moment.strftime("%b"),
        "long_month": moment.strftime("%B"),
        "short_day": moment.strftime("%a"),
        "long_day": moment.strftime("%A"),
        "week": moment.strftime("%V"),
        "w_year": moment.strftime("%G"),
        "w_day": moment.strftime("%u"),
        "title": _jekyll_slug(slug, cased=True),
        "slug": _jekyll_slug(slug, cased=False),
        "name": _jekyll_slug(name, cased=False),
        "categories": "/".join(dict.fromkeys(c.lower() for c in categories)),
        "output_ext": ".html",
    }
    return fill(pattern, fields)


def hugo_urlize(text: str) -> str:
    """A title as Hugo puts it in a path (``urlize``): white space becomes ``-``, any
    character but letters, digits and ``._-~+#`` is dropped, and it is lowercased (Hugo's
    default, ``disablePathToLower = false``)."""
    text = unicodedata.normalize("NFC", text.strip())
    text = re.sub(r"\s+", "-", text)
    return "".join(c for c in text if c.isalnum() or c in "._-~+#").lower()


def hugo_address(
    permalinks: Mapping[str, str],
    meta: Mapping[str, object],
    date: object,
    rel: PurePosixPath,
) -> str | None:
    """The address Hugo gave the page at ``rel`` (its path under ``content/``) when the
    site's ``[permalinks]`` (section → pattern) has a pattern for its section, with front
    matter ``meta`` and ``date``; None without one (Hugo's default, ``/section/name/``, is
    the address inkstone gives an imported post too)."""
    section = rel.parts[0] if len(rel.parts) > 1 else ""
    pattern = permalinks.get(section)
    moment = moment_of(date)
    if not pattern or moment is None:
        return None
    bundle = rel.stem in ("index", "_index")
    filename = (rel.parent.name if bundle else rel.stem).lower()
    title = hugo_urlize(str(meta.get("title") or ""))
    own_slug = hugo_urlize(str(meta.get("slug") or ""))
    fields = {
        **date_fields(moment),
        "monthname": moment.strftime("%B").lower(),
        "weekday": str(moment.isoweekday() % 7),
        "weekdayname": moment.strftime("%A").lower(),
        "yearday": str(moment.timetuple().tm_yday),
        "section": section,
        "sections": "/".join(rel.parts[:-2] if bundle else rel.parts[:-1]),
        "title": title,
        "slug": own_slug or title,
        "filename": filename,
        "contentbasename": filename,
        "slugorfilename": own_slug or filename,
        "slugorcontentbasename": own_slug or filename,
    }
    address = fill(pattern, fields)
    return (
        address
        if address is None or "." in address.rsplit("/", 1)[-1]
        else address.rstrip("/") + "/"
    )
