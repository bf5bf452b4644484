"""The typed ``site.toml`` schema: every setting with its default and what it means.

:func:`load_config` reads the file, checks every key against the schema, and reports all
problems together: type errors and bad values are errors (raised as one
:class:`~inkstone.errors.ConfigError`), unknown keys are warnings with a "did you mean".
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
import types
import typing
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pygments.styles import STYLE_MAP, get_all_styles

from inkstone.errors import ConfigError, Problem, Severity, toml_error
from inkstone.host_site import host_settings

CONFIG_FILE = "site.toml"


@dataclass
class MathConfig:
    """``[math]``: how formulas are typeset."""

    macros: dict[str, str] = field(default_factory=dict)
    """Macros for every formula on the site, e.g. ``"\\\\RR" = "\\\\mathbb{R}"``.
    A post's front matter ``math.macros`` adds to (and overrides) these."""
    number_equations: Literal["ams", "labels"] = "ams"
    """``ams``: non-starred ``equation``/``align``/``gather`` rows and any formula with
    ``\\label`` get numbers, as in LaTeX. ``labels``: only formulas with ``\\label``."""


@dataclass
class CodeConfig:
    """``[code]``: how code blocks are highlighted."""

    light_style: str = "xcode"
    """Pygments style used in the light theme (``xcode``: every token colour meets WCAG AA)."""
    dark_style: str = "monokai"
    """Pygments style used in the dark theme."""
    line_numbers: bool = False
    """Show line numbers on every code block (a block can ask with ``linenos``)."""


@dataclass
class MarkdownConfig:
    """``[markdown]``: optional typography applied while rendering Markdown."""

    cjk_spacing: bool = False
    """Draw a thin gap between Chinese, Japanese or Korean characters and Latin letters or
    digits (``用Python写`` reads as ``用 Python 写``). The gap is an empty
    ``<span class="cjk-gap">`` sized by the theme's CSS: the text itself is unchanged, so
    copying and search see it as written. Never inside code, formulas, URLs or attributes;
    full-width punctuation is left as written."""


@dataclass
class ImagesConfig:
    """``[images]``: how content images are sized and resized."""

    column_width: int = 704
    """Width of the reading column in CSS pixels (the ``transmission`` theme's 44rem): the
    ``sizes`` attribute of resized images, and the width above which an image gets copies."""
    widths: list[int] = field(default_factory=lambda: [704, 1408])
    """Widths of the resized copies named in ``srcset`` (default 1× and 2× the column);
    only those narrower than the original are made. ``[]``: no copies."""
    webp: bool = True
    """Offer a WebP copy wherever it is smaller than the copy in the original's format."""


@dataclass
class SiteConfig:
    """The whole of ``site.toml``. Every key is optional."""

    title: str = "Notes"
    """The site's name, shown in the header and the browser tab."""
    description: str = ""
    """One sentence about the site, for search engines and feeds."""
    author: str = ""
    """Default author of every post."""
    language: str = ""
    """Language of the site (``en``, ``zh``, ``zh-CN`` …): ``<html lang>`` and the words the
    theme shows. Empty: the language most of the pages are written in (see
    :mod:`inkstone.content.language`), English when none says."""
    base_url: str = "/"
    """Where the site will live, e.g. ``https://me.github.io/blog/``. A sub-path works:
    every link the site makes starts with it."""
    timezone: str = "UTC"
    """IANA time zone for dates written without one, e.g. ``Asia/Shanghai``."""
    posts_per_page: int = 10
    """Posts on each page of the home, category and tag lists."""
    excerpt_length: int = 160
    """Length of automatic excerpts, in CJK characters (Latin words count as two)."""
    permalink: str = "/posts/{slug}/"
    """URL pattern of posts. Fields: ``{slug}``, ``{year}``, ``{month}``, ``{day}``."""
    slug_style: Literal["pinyin", "hash"] = "pinyin"
    """How ``inkstone new post`` turns a Chinese title into a slug: readable pinyin,
    or a short stable hash."""
    theme: str = "transmission"
    """A built-in theme (``transmission``, ``minimal``), or a folder (relative to the site)
    holding ``templates/`` and ``static/``."""
    kicker: str = "INCOMING TRANSMISSION"
    """The line above the site title in the home page's masthead."""
    feed_title: str | None = None
    """Title of the home page's list of posts; default "LATEST UPDATES" (最新更新 in Chinese)."""
    edit_url: str | None = None
    """Pattern of an "edit this page" link, with ``{path}`` the source's path in the site,
    e.g. ``https://github.com/me/blog/edit/main/{path}``."""
    feed_limit: int = 20
    """Posts in each feed (Atom, RSS, JSON Feed), newest first."""
    term_feed_content: Literal["summary", "full"] = "summary"
    """What the feeds of categories and tags carry of each post: its excerpt (``summary``,
    as Hugo's feeds do) or its whole text (``full``). The site's own feed is always full."""
    category_lists: Literal["separate", "nested"] = "separate"
    """How a list of categories in front matter is read. ``separate``, as Hugo and Jekyll
    read it: ``[机器学习, 笔记]`` is two categories. ``nested``, as Hexo reads it: 笔记 is a
    subcategory of 机器学习. A list of lists (``[[机器学习, 笔记], [随笔]]``) is nested
    either way. A zero-config build of Hexo's ``source/_posts`` reads lists as nested."""
    license: str = ""
    """The license posts are published under (``CC BY-NC-SA 4.0``), shown below each post
    with its author and address; a post's front matter ``license`` overrides it (``false``:
    none). Empty: no notice."""
    menu: list[dict[str, str]] = field(default_factory=list)
    """The header's navigation, in order (``[[menu]]`` tables, each a ``name`` and a ``url``:
    a path of the site such as ``/about/``, or a full URL), in place of the theme's own
    (home, categories, tags, archives, then the standalone pages)."""
    max_file_size_mb: float = 10.0
    """Sources larger than this are reported and skipped instead of built."""
    search: bool = True
    """Full-text search: a Pagefind index of the posts and pages under ``/pagefind/``, a
    ``/search/`` page and the theme's search dialog. ``false``: none of them."""
    math: MathConfig = field(default_factory=MathConfig)
    code: CodeConfig = field(default_factory=CodeConfig)
    images: ImagesConfig = field(default_factory=ImagesConfig)
    markdown: MarkdownConfig = field(default_factory=MarkdownConfig)
    deploy: dict[str, Any] = field(default_factory=dict)
    """``[deploy]``: where ``inkstone deploy`` publishes (read by :mod:`inkstone.deploy`)."""
    extra: dict[str, Any] = field(default_factory=dict)
    """Anything else, passed to templates untouched as ``site.extra``."""

    @property
    def base_path(self) -> str:
        """The path part of ``base_url``, always starting and ending with ``/``."""
        path = urlsplit(self.base_url).path or "/"
        return path if path.endswith("/") else path + "/"

    @property
    def list_title(self) -> str:
        """The home page's list title."""
        return self.feed_title or ("最新更新" if self.is_zh else "LATEST UPDATES")

    @property
    def is_zh(self) -> bool:
        """True when the site is written in Chinese."""
        return self.language.lower().startswith("zh")

    def absolute_url(self, path: str) -> str:
        """The absolute URL of a site-relative ``path`` such as ``/posts/x/``."""
        root = self.base_url if self.base_url.endswith("/") else self.base_url + "/"
        return root + path.lstrip("/")


def load_config(site_dir: Path) -> tuple[SiteConfig, list[Problem]]:
    """Read ``site_dir/site.toml``; when it is absent, defaults with the name, author,
    description and time zone of the blog the folder is part of (:mod:`inkstone.host_site`).

    Returns the config and its warnings; raises :class:`ConfigError` with every error
    found when any value is unusable.
    """
    path = site_dir / CONFIG_FILE
    if not path.is_file():  # zero-config: the settings of the blog around it, if any
        settings, problems = host_settings(site_dir)
        config, warnings = config_from_dict(dict(settings))
        return config, problems + warnings
    rel = Path(CONFIG_FILE)
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            [
                Problem(
                    Severity.ERROR, f"not valid UTF-8: {exc.reason}", rel, hint="save it as UTF-8"
                )
            ]
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        reason, line, col = toml_error(str(exc), text)
        raise ConfigError(
            [Problem(Severity.ERROR, f"invalid TOML: {reason}", rel, line, col)]
        ) from exc
    return config_from_dict(raw, rel)


def config_from_dict(
    raw: dict[str, Any], path: Path | None = None
) -> tuple[SiteConfig, list[Problem]]:
    """Build a :class:`SiteConfig` from parsed TOML, collecting every problem."""
    problems: list[Problem] = []
    config = _build(SiteConfig, raw, "", path, problems)
    assert isinstance(config, SiteConfig)
    _check_values(config, path, problems)
    if any(p.severity is Severity.ERROR for p in problems):
        raise ConfigError(problems)
    return config, problems


def _build(
    cls: type, raw: dict[str, Any], prefix: str, path: Path | None, problems: list[Problem]
) -> object:
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = prefix + key
        if key not in fields:
            close = difflib.get_close_matches(key, list(fields), n=1)
            hint = f"did you mean `{prefix}{close[0]}`?" if close else "it is ignored"
            problems.append(Problem(Severity.WARNING, f"unknown setting `{name}`", path, hint=hint))
            continue
        expected = hints[key]
        if dataclasses.is_dataclass(expected):
            if not isinstance(value, dict):
                problems.append(_type_problem(name, "a table", value, path))
                continue
            values[key] = _build(expected, value, name + ".", path, problems)  # type: ignore[arg-type]
        elif _matches(value, expected):
            values[key] = value
        else:
            problems.append(_type_problem(name, _describe(expected), value, path))
    return cls(**values)


def _matches(value: Any, expected: Any) -> bool:
    origin = typing.get_origin(expected)
    if expected is Any:
        return True
    if origin is Literal:
        return value in typing.get_args(expected)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in typing.get_args(expected))
    if origin is list:
        (item_t,) = typing.get_args(expected)
        return isinstance(value, list) and all(_matches(v, item_t) for v in value)
    if origin is dict:
        key_t, val_t = typing.get_args(expected)
        return isinstance(value, dict) and all(
            _matches(k, key_t) and _matches(v, val_t) for k, v in value.items()
        )
    if expected is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, expected)


def _describe(expected: Any) -> str:
    origin = typing.get_origin(expected)
    if origin is Literal:
        return "one of " + ", ".join(f"`{a}`" for a in typing.get_args(expected))
    if origin is dict:
        return "a table of " + _describe(typing.get_args(expected)[1]) + " values"
    if origin is list:
        return "a list of " + _describe(typing.get_args(expected)[0]) + " values"
    names = {str: "a string", int: "a whole number", float: "a number", bool: "true or false"}
    return names.get(expected, getattr(expected, "__name__", str(expected)))


def _type_problem(name: str, expected: str, value: Any, path: Path | None) -> Problem:
    return Problem(Severity.ERROR, f"`{name}` must be {expected}, not {value!r}", path)


def _check_values(config: SiteConfig, path: Path | None, problems: list[Problem]) -> None:
    def bad(message: str, hint: str | None = None) -> None:
        problems.append(Problem(Severity.ERROR, message, path, hint=hint))

    if config.posts_per_page < 1:
        bad("`posts_per_page` must be at least 1")
    if config.feed_limit < 1:
        bad("`feed_limit` must be at least 1")
    if config.edit_url is not None and "{path}" not in config.edit_url:
        bad("`edit_url` must contain {path}", "e.g. https://github.com/me/blog/edit/main/{path}")
    if config.excerpt_length < 1:
        bad("`excerpt_length` must be at least 1")
    if config.max_file_size_mb <= 0:
        bad("`max_file_size_mb` must be positive")
    if config.images.column_width < 1:
        bad("`images.column_width` must be at least 1")
    if any(width < 1 for width in config.images.widths):
        bad("`images.widths` must be positive", "e.g. [704, 1408]")
    for number, item in enumerate(config.menu, start=1):
        if set(item) != {"name", "url"} or not all(v.strip() for v in item.values()):
            bad(
                f"menu item {number} must have a `name` and a `url`, and nothing else",
                'write it as [[menu]] name = "关于" url = "/about/"',
            )
    try:
        zoneinfo.ZoneInfo(config.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        bad(f"unknown `timezone` {config.timezone!r}", "use an IANA name such as `Asia/Shanghai`")
    parts = urlsplit(config.base_url)
    if not (
        config.base_url.startswith("/") or (parts.scheme in ("http", "https") and parts.netloc)
    ):
        bad(
            f"`base_url` {config.base_url!r} is not a URL",
            "write it like `https://me.github.io/blog/`",
        )
    unknown = set(re.findall(r"\{(\w+)\}", config.permalink)) - {"slug", "year", "month", "day"}
    if unknown:
        bad(
            f"`permalink` uses unknown field(s) {', '.join(sorted(unknown))}",
            "available: {slug}, {year}, {month}, {day}",
        )
    if "{slug}" not in config.permalink:
        bad("`permalink` must contain {slug}", 'e.g. "/posts/{slug}/"')
    for name in (config.code.light_style, config.code.dark_style):
        if name in STYLE_MAP:
            continue  # a built-in style (listing them all reads every installed plugin)
        styles = list(get_all_styles())
        if name not in styles:
            close = difflib.get_close_matches(name, styles, n=1)
            bad(
                f"unknown Pygments style `{name}`", f"did you mean `{close[0]}`?" if close else None
            )
