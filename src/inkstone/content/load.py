"""Loading one source: read it safely, parse its front matter, decide its title, dates and URL."""

from __future__ import annotations

import datetime as dt
import re
from functools import partial
from pathlib import PurePosixPath
from typing import Any, Literal
from zoneinfo import ZoneInfo

from inkstone.config import SiteConfig
from inkstone.content.aliases import ALIAS_KEYS, read_aliases
from inkstone.content.dates import date_from_file_name, parse_date, strip_file_name_date
from inkstone.content.discover import NOTEBOOK_SUFFIX
from inkstone.content.frontmatter import split_front_matter
from inkstone.content.language import text_language
from inkstone.content.model import Document, Kind, Source
from inkstone.content.notebook import read_notebook
from inkstone.content.slug import slugify
from inkstone.errors import Problem, Severity, SourceError

INDEX_STEMS = {"index", "_index", "readme"}
SUMMARY_KEYS = ("summary", "description", "excerpt")
COVER_KEYS = (
    "cover",
    "image",
    "images",
    "featured_image",
    "featuredImage",
    "feature_image",
    "index_img",
    "thumbnail",
    "banner_img",
    "top_img",
)
"""Front matter keys naming a post's cover image, first found wins: inkstone's, Jekyll
SEO's ``image``, Hugo's ``images`` and its themes' (LoveIt's ``featuredImage``, PaperMod's
``cover: {image: …}``), Hexo themes' (Fluid's ``index_img`` and ``banner_img``, NexT's and
Icarus' ``thumbnail``, Butterfly's ``top_img``)."""
"""Front matter keys of a post's summary, first found wins: Hexo's themes (NexT,
Butterfly) show ``description`` on the home page, as the importers keep it."""
_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1 = re.compile(r"^ {0,3}=+[ \t]*$")


def read_text(source: Source, max_bytes: int) -> str | None:
    """Read a source as UTF-8 text, refusing what is not text. None for an empty file.

    Raises :class:`SourceError` naming the file (and line, where one applies).
    """
    try:
        size = source.path.stat().st_size
        if size > max_bytes:
            raise SourceError(
                f"file is {size / 2**20:.1f} MB, over the {max_bytes / 2**20:.0f} MB limit",
                source.display,
                hint="split it into smaller posts, or raise `max_file_size_mb` in site.toml",
            )
        data = source.path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read file: {exc.strerror or exc}", source.display) from exc
    if b"\x00" in data[:8192]:
        raise SourceError(
            "this is a binary file, not Markdown text; skipped",
            source.display,
            hint="rename it so it does not end in .md, or move it out of the content folder",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SourceError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); skipped",
            source.display,
            line,
            col,
            hint="re-save the file as UTF-8",
        ) from exc
    if not text.strip():
        return None
    return text.replace("\r\n", "\n")


def load_document(source: Source, config: SiteConfig) -> tuple[Document | None, list[Problem]]:
    """Turn a source into a Document with its metadata and URL (its body is not rendered yet).

    Returns None (with a warning) for an empty file. Raises :class:`SourceError` for a
    source that cannot be loaded.
    """
    problems: list[Problem] = []
    text = read_text(source, int(config.max_file_size_mb * 2**20))
    if text is None:
        problems.append(Problem(Severity.WARNING, "empty file; skipped", source.display))
        return None, problems
    if source.rel.suffix.lower() == NOTEBOOK_SUFFIX:
        notebook = read_notebook(text, source.display, config.language)
        front = notebook.front
        found = notebook.text_language
        problems.extend(notebook.problems)
    else:
        front = split_front_matter(text, source.display)
        found = text_language(front.body)
    meta = front.data
    tz = ZoneInfo(config.timezone)
    stem = _stem(source.rel)

    date = _date_field(meta, ("date",), source, text, tz) or date_from_file_name(stem, tz)
    updated = _date_field(meta, ("updated", "lastmod", "last_modified_at"), source, text, tz)
    kind = source.kind or (Kind.POST if date is not None or source.draft else Kind.PAGE)
    if kind is Kind.POST and date is None:
        date = dt.datetime.fromtimestamp(source.path.stat().st_mtime, tz)
        if not source.draft:  # a draft is dated when it is published
            problems.append(
                Problem(
                    Severity.WARNING,
                    "post has no date; using the file's modification time",
                    source.display,
                    hint="add `date: YYYY-MM-DD` to the front matter",
                )
            )

    body, title = _title(meta, front.body, stem, source)
    summary_key = next((key for key in SUMMARY_KEYS if meta.get(key)), None)
    slug_value = meta.get("slug")
    if slug_value is not None and not _is_path_segment(str(slug_value)):
        raise SourceError(
            f"slug {slug_value!r} would leave its folder",
            source.display,
            _key_line(text, "slug"),
            hint="use letters, digits and dashes, without `/` or `..`",
        )
    slug = slugify(str(slug_value)) if slug_value else slugify(strip_file_name_date(stem))
    url = _url(kind, source, slug, date, config, has_slug=bool(slug_value))

    macros_raw = (
        meta.get("math", {}).get("macros", {}) if isinstance(meta.get("math"), dict) else {}
    )
    macros_raw = macros_raw or meta.get("macros") or {}
    macros = {str(k): str(v) for k, v in macros_raw.items()} if isinstance(macros_raw, dict) else {}

    series, series_order = _series(meta, source, text, problems)
    pinned = _pinned(meta, source, text, problems)
    alias_key = next((key for key in ALIAS_KEYS if meta.get(key) is not None), None)
    aliases: dict[str, int | None] = {}
    if alias_key is not None:
        line_of = partial(_value_line, text, _key_line(text, alias_key))
        aliases, alias_problems = read_aliases(meta[alias_key], url, source.display, line_of)
        problems.extend(alias_problems)
    doc = Document(
        source=source,
        kind=kind,
        title=title,
        date=date,
        updated=updated or date,
        slug=slug,
        url=url,
        body=body,
        body_line=front.body_line,
        categories=read_categories(
            meta.get("categories", meta.get("category")), config.category_lists == "nested"
        ),
        tags=_string_list(meta.get("tags", meta.get("tag"))),
        draft=source.draft or bool(meta.get("draft", False)) or meta.get("published") is False,
        summary=str(meta[summary_key]) if summary_key is not None else None,
        cover=_cover(meta),
        language=str(meta.get("lang") or meta.get("language") or "") or None,
        text_language=found,
        macros=macros,
        meta=meta,
        series=series,
        series_order=series_order,
        pinned=pinned,
        unlisted=_unlisted(meta),
        aliases=aliases,
    )
    return doc, problems


def is_published(doc: Document, now: dt.datetime) -> bool:
    """False for drafts and for posts dated in the future."""
    return not doc.draft and not (doc.date is not None and doc.date > now)


def _stem(rel: PurePosixPath) -> str:
    stem = rel.stem
    if stem.lower() in INDEX_STEMS and len(rel.parts) > 1:
        return rel.parent.name
    return stem


def _title(meta: dict[str, Any], body: str, stem: str, source: Source) -> tuple[str, str]:
    """Front matter title, else the leading ``#`` heading (removed from the body), else the name."""
    if meta.get("title"):
        return body, str(meta["title"]).strip()
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is not None:
        match = _H1.match(lines[first])
        if match:
            lines[first] = ""
            return "\n".join(lines), match.group(1).strip()
        if first + 1 < len(lines) and _SETEXT_H1.match(lines[first + 1]) and lines[first].strip():
            title = lines[first].strip()
            lines[first] = lines[first + 1] = ""
            return "\n".join(lines), title
    if stem.lower() in INDEX_STEMS and len(source.rel.parts) == 1:
        return body, "Home"
    return body, strip_file_name_date(stem).replace("-", " ").replace("_", " ").strip() or stem


def _url(
    kind: Kind,
    source: Source,
    slug: str,
    date: dt.datetime | None,
    config: SiteConfig,
    *,
    has_slug: bool,
) -> str:
    if kind is Kind.POST and source.kind is Kind.POST and date is not None:
        path = config.permalink.format(
            slug=slug, year=f"{date.year:04d}", month=f"{date.month:02d}", day=f"{date.day:02d}"
        )
        return "/" + path.strip("/") + "/"
    folder = source.rel.parent if source.bundle_dir is None else source.rel.parent.parent
    parts = [slugify(p) for p in folder.parts]
    is_index = source.rel.stem.lower() in INDEX_STEMS and source.bundle_dir is None
    if not is_index or has_slug:
        parts.append(slug)
    return "/" + "/".join(parts) + ("/" if parts else "")


def _is_path_segment(value: str) -> bool:
    return bool(value.strip()) and "/" not in value and "\\" not in value and value.strip(".") != ""


def _date_field(
    meta: dict[str, Any], keys: tuple[str, ...], source: Source, text: str, tz: ZoneInfo
) -> dt.datetime | None:
    for key in keys:
        if meta.get(key) in (None, ""):
            continue
        value = parse_date(meta[key], tz)
        if value is None:
            raise SourceError(
                f"`{key}: {meta[key]}` is not a date",
                source.display,
                _key_line(text, key),
                hint="write it as YYYY-MM-DD, optionally with a time: 2025-03-14 10:20",
            )
        return value
    return None


def _series(
    meta: dict[str, Any], source: Source, text: str, problems: list[Problem]
) -> tuple[str | None, float | None]:
    """``series`` (a name) and ``series_order`` (a number); a bad value is a warning and
    is left out."""
    name, order = meta.get("series"), meta.get("series_order")
    if isinstance(name, list | dict):
        problems.append(
            Problem(
                Severity.WARNING,
                "`series` should be one name; ignored",
                source.display,
                _key_line(text, "series"),
                hint="a post belongs to one series: write `series: 强化学习笔记`",
            )
        )
        name = None
    if isinstance(order, str) and re.fullmatch(r"\s*-?\d+(?:\.\d+)?\s*", order):
        order = float(order)  # a quoted number, or TOML's string
    if order is not None and (
        isinstance(order, bool) or not isinstance(order, int | float) or order != order
    ):
        problems.append(
            Problem(
                Severity.WARNING,
                f"`series_order: {order}` is not a number; the series is ordered by date",
                source.display,
                _key_line(text, "series_order"),
                hint="write the post's place in the series as a number: `series_order: 2`",
            )
        )
        order = None
    series = str(name).strip() if name not in (None, "") else None
    return series or None, float(order) if order is not None else None


def _unlisted(meta: dict[str, Any]) -> bool:
    """``unlisted: true``, Hexo's ``hidden: true`` (hexo-hide-posts), or Hugo's build
    options that keep a page out of lists (``build: {list: never}``, also as ``_build``)."""
    if meta.get("unlisted") is True or meta.get("hidden") is True:
        return True
    options = meta.get("build", meta.get("_build"))
    return isinstance(options, dict) and options.get("list") in ("never", False)


PIN_KEYS = ("pinned", "sticky", "top")
"""Front matter keys that pin a post to the top of the home page: inkstone's, Hexo's
(``sticky``) and that of Hexo's pin-top plugin (``top``)."""


def _pinned(meta: dict[str, Any], source: Source, text: str, problems: list[Problem]) -> float:
    """How high the post is pinned (:attr:`Document.pinned`); a value that is neither
    ``true``/``false`` nor a number is a warning and pins nothing."""
    key = next((k for k in PIN_KEYS if meta.get(k) is not None), None)
    if key is None:
        return 0.0
    value = meta[key]
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+(?:\.\d+)?\s*", value):
        value = float(value)  # a quoted number
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float) and value == value:
        return max(float(value), 0.0)
    problems.append(
        Problem(
            Severity.WARNING,
            f"`{key}: {value}` is neither true/false nor a number; the post is not pinned",
            source.display,
            _key_line(text, key),
            hint=f"write `{key}: true`, or a number such as `{key}: 2`; the highest comes first",
        )
    )
    return 0.0


def source_line(doc: Document, field: Literal["title", "summary"]) -> int | None:
    """The line of ``doc``'s source its title or summary was read from (its front matter
    key, else the heading the title was taken from), for a message about it: the source
    is read again, which only a problem with that line costs."""
    try:
        text = doc.source.path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    keys = ("title",) if field == "title" else SUMMARY_KEYS
    key = next((key for key in keys if doc.meta.get(key)), None)
    if key is not None:
        return _key_line(text, key)
    if field == "summary":
        return None
    return next((n for n, line in enumerate(text.split("\n"), 1) if doc.title in line), None)


def _key_line(text: str, key: str) -> int | None:
    for number, line in enumerate(text.split("\n"), start=1):
        if re.match(rf"\s*{re.escape(key)}\s*[:=]", line):
            return number
    return None


def _value_line(text: str, key_line: int | None, value: str) -> int | None:
    """The line holding ``value`` from ``key_line`` on (a list item of that key), else
    ``key_line``."""
    if key_line is None:
        return None
    lines = text.split("\n")
    found = (n for n in range(key_line, len(lines) + 1) if value in lines[n - 1])
    return next(found, key_line)


def _cover(meta: dict[str, Any]) -> str | None:
    """The cover image named by the first of :data:`COVER_KEYS` that names one: a path or
    URL, the first of a list, or a table's ``image``, ``path`` or ``src`` (PaperMod,
    Jekyll SEO). ``false`` (Butterfly's "no image") names none."""
    for key in COVER_KEYS:
        value = meta.get(key)
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        if isinstance(value, dict):
            value = value.get("image") or value.get("path") or value.get("src")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def read_categories(value: object, nested: bool) -> list[tuple[str, ...]]:
    """A post's categories (front matter ``categories``), each as its path from the top.

    A name, or names separated by commas, is that many categories. A list is as many
    categories, or, when ``nested`` (Hexo's reading), one: each name a subcategory of the
    one before. In a list holding lists, each item is a category of its own and a list is
    a path, as Hexo reads ``[[机器学习, 论文笔记], [随笔]]``. Empty names are dropped, and a
    category given twice is kept once."""
    if isinstance(value, list | tuple) and any(isinstance(v, list | tuple) for v in value):
        paths = [
            tuple(_string_list(v)) if isinstance(v, list | tuple) else (str(v or ""),)
            for v in value
        ]
    elif isinstance(value, list | tuple) and nested:
        paths = [tuple(_string_list(value))]
    else:
        paths = [(name,) for name in _string_list(value)]
    kept = (tuple(n.strip() for n in path if n.strip()) for path in paths)
    return list(dict.fromkeys(path for path in kept if path))


def _string_list(value: object) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        out: list[str] = []
        for item in value:
            out.extend(
                _string_list(item) if isinstance(item, list | tuple) else [str(item).strip()]
            )
        return [item for item in out if item]
    return [str(value)]
