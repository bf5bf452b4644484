"""The blog a zero-config folder belongs to: its name, author, description and time zone,
read from the Hexo, Jekyll, Hugo or MkDocs settings around the folder.

Building Hexo's ``source/_posts``, Hugo's ``content/``, a Jekyll site or a MkDocs ``docs/``
as it is should show the blog's own name, not "Notes", and date its posts in its own time
zone. Only the places those tools keep their settings are looked at, relative to the
folder built:

- Hexo: ``_config.yml`` two folders up from ``source/_posts``, one up from ``source``;
- Jekyll: ``_config.yml`` in the folder (the site's root) or one up from ``_posts``;
- Hugo: ``hugo.toml`` (or ``config.toml``, or their YAML twins) in the folder, one up from
  ``content`` and two up from a section such as ``content/posts``;
- MkDocs: ``mkdocs.yml`` in the folder or one up from ``docs``.

The blog's address becomes ``base_url`` (:func:`blog_base_url`: Hexo's ``url``, Jekyll's
``url`` and ``baseurl``, Hugo's ``baseURL``, MkDocs' ``site_url``), so the feeds, the sitemap
and each page's canonical link name the blog where it is published; the placeholders the
tools' new-site templates write (``http://example.com``) are not taken.

Hexo reads a post's list of categories as one nested category (``[机器学习, 论文笔记]``:
论文笔记 under 机器学习), so a Hexo blog's settings set ``category_lists = "nested"``.

The language is not taken: Hexo's default ``_config.yml`` says ``language: en`` on many
Chinese blogs, and the language the pages are written in is a better guess. A settings file
that cannot be read is a warning naming it; the folder is then built as if it had none.

Each post also keeps the address the blog gave it (:func:`host_old_addresses`): Hexo's
``permalink`` pattern (``:year/:month/:day/:title/`` by default), Jekyll's (``date``:
``/:categories/:year/:month/:day/:title.html``), Hugo's ``[permalinks]``.
The build makes it an alias of the post, so the old links keep working.

The blog's own static files are published too (:func:`host_static_files`), since its posts
link to them from the site's root (``/images/a.png``): Hexo's ``source/`` less its
``_``-named folders and its Markdown, and Hugo's ``static/``.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from inkstone.errors import Problem, Severity


class LenientLoader(yaml.SafeLoader):
    """A safe loader that reads ``!!python/name:…`` and other tags as None, as MkDocs
    Material's settings use them (``emoji_index: !!python/name:…``)."""


LenientLoader.add_multi_constructor("", lambda loader, suffix, node: None)

HUGO_FILES = ("hugo.toml", "config.toml", "hugo.yaml", "hugo.yml", "config.yaml", "config.yml")


def host_settings(folder: Path) -> tuple[dict[str, str], list[Problem]]:
    """The ``site.toml`` settings (``title``, ``author``, ``description``, ``timezone``,
    ``base_url``, and a Hexo blog's ``category_lists``) of the site ``folder`` is part of,
    from the first settings file found; empty when none is found or it names none of them."""
    folder = folder.resolve()
    for path, read in _candidates(folder):
        if not path.is_file():
            continue
        shown = Path(os.path.relpath(path, folder))
        try:
            data = _parse(path)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
            reason = str(exc).split("\n")[0]
            message = f"cannot read the site's settings ({reason}); the site is called Notes"
            hint = "fix the file, or write a site.toml in the folder built"
            return {}, [Problem(Severity.WARNING, message, shown, hint=hint)]
        settings = read(data)
        zone = settings.get("timezone")
        if zone is not None and not _is_zone(zone):
            del settings["timezone"]
        return settings, []
    return {}, []


def _parse(path: Path) -> dict[str, Any]:
    """A settings file's data (TOML or YAML); raises when it cannot be read."""
    text = path.read_text(encoding="utf-8")
    data = tomllib.loads(text) if path.suffix == ".toml" else yaml.load(text, LenientLoader)
    return data if isinstance(data, dict) else {}


def _settings_of(path: Path) -> dict[str, Any] | None:
    """A settings file's data; None when there is none or it cannot be read (which
    :func:`host_settings` reports)."""
    if not path.is_file():
        return None
    try:
        return _parse(path)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, yaml.YAMLError):
        return None


OldAddress = Callable[[dict[str, Any], object, PurePosixPath], "str | None"]
"""``(front matter, date, the source's path under the folder built)`` → the address the
blog gave the post, or None."""


def host_old_addresses(folder: Path) -> OldAddress | None:
    """How the blog ``folder`` is part of addressed its posts: Hexo's ``permalink`` for
    ``source/_posts``, Jekyll's ``permalink`` (``date`` by default) for a Jekyll site or
    its ``_posts``, Hugo's ``[permalinks]`` for ``content/`` or a section of it. None for
    other folders, or when the blog's settings cannot be read."""
    from inkstone.importers.hexo import DEFAULT_PERMALINK, old_address
    from inkstone.importers.hugo import hugo_permalinks

    folder = folder.resolve()
    jekyll = folder.parent if folder.name == "_posts" else folder
    if jekyll.name != "source" and (jekyll / "_posts").is_dir():
        data = _settings_of(jekyll / "_config.yml")
        if data is None:
            return None
        zone_name = str(data.get("timezone") or "")
        zone = ZoneInfo(zone_name) if _is_zone(zone_name) else dt.UTC
        pattern = str(data.get("permalink") or "date")
        posts = PurePosixPath(folder.relative_to(jekyll).as_posix())
        return partial(_jekyll_address, pattern, zone, posts)
    if folder.name == "_posts" and folder.parent.name == "source":
        data = _settings_of(folder.parent.parent / "_config.yml")
        if data is None:
            return None
        pattern = str(data.get("permalink") or DEFAULT_PERMALINK)
        dated_names = ":year" in str(data.get("new_post_name") or "")

        def hexo(meta: dict[str, Any], date: object, rel: PurePosixPath) -> str | None:
            return old_address(pattern, meta, {**meta, "date": date}, Path(rel), dated_names)

        return hexo
    for root in _hugo_roots(folder)[1:]:
        found = (_settings_of(root / name) for name in HUGO_FILES)
        data = next((d for d in found if d is not None), None)
        if data is not None:
            permalinks = hugo_permalinks(data)
            section = PurePosixPath(folder.relative_to(root / "content").as_posix())
            return partial(_hugo_address, permalinks, section) if permalinks else None
    return None


def _jekyll_address(
    pattern: str,
    zone: dt.tzinfo,
    folder: PurePosixPath,
    meta: dict[str, Any],
    date: object,
    rel: PurePosixPath,
) -> str | None:
    """The address Jekyll gave a post of the folder built (``folder`` of the site); None
    for a page outside ``_posts``, which Jekyll does not address by date."""
    from inkstone.importers.permalinks import jekyll_address

    path = folder / rel
    return jekyll_address(pattern, meta, date, path, zone) if "_posts" in path.parts else None


def _hugo_address(
    permalinks: dict[str, str],
    section: PurePosixPath,
    meta: dict[str, Any],
    date: object,
    rel: PurePosixPath,
) -> str | None:
    """The address Hugo gave a page of the folder built (``section`` of ``content/``)."""
    from inkstone.importers.permalinks import hugo_address

    return hugo_address(permalinks, meta, date, section / rel)


Reader = Callable[[dict[str, Any]], dict[str, str]]
"""Turns a settings file's data into ``site.toml`` settings."""


def _candidates(folder: Path) -> Iterator[tuple[Path, Reader]]:
    """Where the settings of the site ``folder`` belongs to may be, with their reader."""
    parent = folder.parent
    yield folder / "mkdocs.yml", _mkdocs
    if folder.name == "docs":
        yield parent / "mkdocs.yml", _mkdocs
    yield folder / "_config.yml", _hexo_or_jekyll
    if folder.name == "_posts":
        if parent.name == "source":
            yield parent.parent / "_config.yml", _hexo
        yield parent / "_config.yml", _hexo_or_jekyll
    if folder.name == "source":
        yield parent / "_config.yml", _hexo
    for root in _hugo_roots(folder):
        for name in HUGO_FILES:
            yield root / name, _hugo


def host_static_files(folder: Path) -> Iterator[tuple[Path, PurePosixPath]]:
    """The files the blog ``folder`` is part of publishes at its root, with their path
    there: Hexo copies ``source/`` (but for names starting with ``_`` or ``.``, and
    renders its Markdown as pages), Hugo copies ``static/``. Nothing for other folders."""
    found = _static_root(folder.resolve())
    if found is None:
        return
    top, hexo = found
    for here, folders, names in os.walk(top):
        folders[:] = sorted(f for f in folders if _published(f, hexo=hexo, folder=True))
        for name in sorted(names):
            if _published(name, hexo=hexo):
                path = Path(here) / name
                yield path, PurePosixPath(path.relative_to(top).as_posix())


def _static_root(folder: Path) -> tuple[Path, bool] | None:
    """The folder the blog ``folder`` is part of publishes its static files from, and
    whether it is Hexo's ``source/``; None for other folders."""
    source = folder.parent
    if folder.name == "_posts" and source.name == "source":
        return (source, True) if (source.parent / "_config.yml").is_file() else None
    for root in _hugo_roots(folder)[1:]:
        if any((root / name).is_file() for name in HUGO_FILES):
            return root / "static", False
    return None


def _published(name: str, *, hexo: bool, folder: bool = False) -> bool:
    """Whether the blog publishes a file (or a folder's files) of that name."""
    if name.startswith((".", "_") if hexo else "."):
        return False
    return folder or not hexo or not name.lower().endswith((".md", ".markdown"))


def host_watched(folder: Path) -> tuple[list[Path], list[Path]]:
    """What a dev server of the zero-config ``folder`` watches besides the folder: the
    folders watched whole (where the blog's static files come from; Hexo's ``source/``
    holds the folder built), and those whose own files alone are (where its settings
    may be)."""
    folder = folder.resolve()
    found = _static_root(folder)
    whole = [found[0]] if found is not None else []
    beside = {path.parent for path, _ in _candidates(folder) if path.parent != folder}
    return whole, sorted(beside)


def is_host_change(folder: Path, path: Path) -> bool:
    """Whether a change to ``path``, outside the zero-config ``folder``, changes its
    build: it is where the blog's settings may be, or one of the static files it
    publishes (:func:`host_static_files`)."""
    folder = folder.resolve()
    if any(path == candidate for candidate, _ in _candidates(folder)):
        return True
    found = _static_root(folder)
    if found is None or found[0] not in path.parents:
        return False
    top, hexo = found
    *folders, name = path.relative_to(top).parts
    return all(_published(f, hexo=hexo, folder=True) for f in folders) and _published(
        name, hexo=hexo
    )


def _hugo_roots(folder: Path) -> list[Path]:
    """Where a Hugo site's settings may be for ``folder``: the folder itself, then the site
    root above ``content/`` or above a section of it."""
    roots = [folder]
    if folder.name == "content":
        roots.append(folder.parent)
    if folder.parent.name == "content":
        roots.append(folder.parent.parent)
    return roots


PLACEHOLDER_HOSTS = frozenset(
    {"example.com", "example.org", "example.net", "yoursite.com", "yourdomain.com", "localhost"}
)
"""Hosts the tools' new-site templates write (Hexo's ``http://example.com``, formerly
``http://yoursite.com``; Hugo's ``https://example.org/``), never where a blog is published."""


def blog_base_url(url: object, sub_path: object = None) -> str | None:
    """The ``base_url`` of a blog published at ``url`` (``https://me.github.io/blog``),
    under ``sub_path`` when the tool keeps that apart (Jekyll's ``baseurl``, Hexo's
    ``root``, used only when ``url`` has no path of its own); always ending with ``/``.

    A placeholder host (:data:`PLACEHOLDER_HOSTS`) keeps only the path, as
    does a missing ``url``; None when that leaves nothing but ``/`` or ``url`` is no
    http(s) address."""
    address = url.strip() if isinstance(url, str) else ""
    extra = sub_path.strip().strip("/") if isinstance(sub_path, str) else ""
    parts = urlsplit(address)
    if address and (parts.scheme not in ("http", "https") or not parts.hostname):
        return None
    path = parts.path.strip("/") or extra
    path = f"/{path}/" if path else "/"
    host = parts.hostname or ""
    if not host or host in PLACEHOLDER_HOSTS:
        return path if path != "/" else None
    return f"{parts.scheme}://{parts.netloc}{path}"


def _hexo_or_jekyll(data: dict[str, Any]) -> dict[str, str]:
    return _kept(
        title=data.get("title"),
        author=_name(data.get("author")),
        description=data.get("description"),
        timezone=data.get("timezone"),
        base_url=blog_base_url(data.get("url"), data.get("baseurl") or data.get("root")),
    )


def _hexo(data: dict[str, Any]) -> dict[str, str]:
    """Hexo's settings, and its reading of a list of categories as one nested category."""
    return {**_hexo_or_jekyll(data), "category_lists": "nested"}


def _hugo(data: dict[str, Any]) -> dict[str, str]:
    found = data.get("params")
    params: dict[str, Any] = found if isinstance(found, dict) else {}
    return _kept(
        title=data.get("title"),
        author=_name(data.get("author") or params.get("author")),
        description=params.get("description"),
        timezone=data.get("timeZone"),
        base_url=blog_base_url(data.get("baseURL") or data.get("baseurl")),
    )


def _mkdocs(data: dict[str, Any]) -> dict[str, str]:
    return _kept(
        title=data.get("site_name"),
        author=data.get("site_author"),
        description=data.get("site_description"),
        base_url=blog_base_url(data.get("site_url")),
    )


def _name(author: object) -> object:
    """An author given as a name, or as a table with one (``author: {name: …}``)."""
    return author.get("name") if isinstance(author, dict) else author


def _kept(**values: object) -> dict[str, str]:
    """The values that are text, not empty."""
    return {
        key: value.strip()
        for key, value in values.items()
        if isinstance(value, str) and value.strip()
    }


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
