"""Saved article pages (CSDN and any other blog): the article's HTML back to Markdown, with
KaTeX and MathJax output turned back into TeX.

SOURCE is one ``.html`` file or a folder of them (a browser's "save page" folders with their
``_files`` images work: local images are copied into the bundle, remote ones stay links).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from inkstone.importers.assets import Bundle
from inkstone.importers.common import clean_date, mtime_date, string_list, unique_folder
from inkstone.importers.html_to_md import html_to_markdown, parse
from inkstone.importers.math_recovery import MathRecovery
from inkstone.importers.model import ImportBatch, ImportedPost

HTML_SUFFIXES = (".html", ".htm")
PLACEHOLDER = "[公式]"
"""What Zhihu (and copy-paste from it) leaves where a formula was."""


@dataclass(frozen=True)
class PageProfile:
    """Where one platform keeps the article, its title, date and tags in a saved page."""

    roots: tuple[str, ...]
    """CSS selectors of the article body, tried in order (``body`` last)."""
    titles: tuple[str, ...]
    title_suffix: str
    """A regex removed from the end of ``<title>`` (`` - 知乎``, ``_xxx的博客-CSDN博客``)."""
    dates: tuple[str, ...]
    tags: tuple[str, ...]


GENERIC = PageProfile(
    roots=(
        "#content_views",
        ".markdown_views",
        ".Post-RichText",
        "article .post-content",
        "article",
        "main",
        ".post",
        "body",
    ),
    titles=("#articleContentId", ".title-article", "h1.Post-Title", "article h1", "h1"),
    title_suffix=r"\s*(?:[-_|–—].*(?:CSDN|博客|blog|Blog|知乎).*)$",
    dates=(
        "meta[itemprop=datePublished]",
        "meta[property='article:published_time']",
        "time[datetime]",
        ".time",
        ".ContentItem-time",
    ),
    tags=(".tag-link", ".tags a", "a[rel=tag]", ".TopicLink"),
)
_DATE = re.compile(
    r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?"
)


def import_html(source: Path) -> ImportBatch:
    """Read saved article pages (CSDN, blogs rendered with KaTeX or MathJax) into posts."""
    return import_pages(source, GENERIC)


def page_files(source: Path, suffixes: tuple[str, ...]) -> tuple[Path, list[Path]]:
    """The folder problems are named from, and the files with ``suffixes`` in SOURCE."""
    if source.is_file():
        return source.parent, [source]
    return source, sorted(p for p in source.rglob("*") if p.suffix.lower() in suffixes)


def import_pages(source: Path, profile: PageProfile) -> ImportBatch:
    """Every page of SOURCE read with ``profile``."""
    root, files = page_files(source, HTML_SUFFIXES)
    batch = ImportBatch(root=root)
    taken: set[str] = set()
    for path in files:
        post = import_page(batch, path, profile, taken)
        if post is not None:
            batch.posts.append(post)
    return batch


def import_page(
    batch: ImportBatch, path: Path, profile: PageProfile, taken: set[str]
) -> ImportedPost | None:
    """One saved page as a post; None (with a problem) when it holds no article."""
    try:
        soup = parse(path.read_text(encoding="utf-8", errors="replace"))
    except OSError as exc:
        batch.problem(f"cannot read it: {exc.strerror or exc}; skipped", path)
        return None
    title = _title(soup, profile)
    front: dict[str, Any] = {"title": title or path.stem}
    front["date"] = _date(soup, profile) or mtime_date(path)
    tags = string_list([t.get_text(strip=True) for s in profile.tags for t in soup.select(s)])
    if tags:
        front["tags"] = tags
    canonical = soup.find("link", rel="canonical") or soup.find("meta", property="og:url")
    if isinstance(canonical, Tag):
        url = canonical.get("href") or canonical.get("content")
        if url:
            front["original_url"] = str(url)
    article = next((found for s in profile.roots if (found := soup.select_one(s))), soup)
    for heading in article.find_all("h1"):
        if heading.get_text(" ", strip=True) == title:
            heading.decompose()
            break
    _report_placeholders(batch, path, article)
    math = MathRecovery()
    body = html_to_markdown(article, math)
    for line in math.lost:
        batch.problem(
            "MathJax 3 output keeps no TeX; this formula is lost",
            path,
            line,
            hint="copy its TeX from the original post",
        )
    bundle = Bundle(batch, path, [path.parent])
    body = bundle.rewrite(body, 1)
    return ImportedPost(
        unique_folder(title or path.stem, taken), front, body, path, bundle.files, math.formulas
    )


def _report_placeholders(batch: ImportBatch, path: Path, article: Tag) -> None:
    for text in article.find_all(string=lambda s: PLACEHOLDER in str(s)):
        parent = text.parent if isinstance(text, NavigableString) else None
        batch.problem(
            f"`{PLACEHOLDER}` stands where a formula was; its TeX is gone",
            path,
            parent.sourceline if parent is not None else None,
            hint="write the formula as $…$ in the imported post",
        )


def _title(soup: BeautifulSoup, profile: PageProfile) -> str:
    for selector in profile.titles:
        found = soup.select_one(selector)
        if found is not None and found.get_text(strip=True):
            return found.get_text(" ", strip=True)
    og = soup.find("meta", property="og:title")
    if isinstance(og, Tag) and og.get("content"):
        return str(og.get("content")).strip()
    if soup.title is not None:
        return re.sub(profile.title_suffix, "", soup.title.get_text(strip=True)).strip()
    return ""


def _date(soup: BeautifulSoup, profile: PageProfile) -> dt.datetime | dt.date | None:
    for selector in profile.dates:
        found = soup.select_one(selector)
        if found is None:
            continue
        text = str(found.get("content") or found.get("datetime") or found.get_text(" "))
        exact = clean_date(text)
        if isinstance(exact, dt.datetime):
            return exact
        match = _DATE.search(text)
        if match is None:
            continue
        year, month, day, hour, minute, second = match.groups()
        try:
            if hour is None:
                return dt.date(int(year), int(month), int(day))
            return dt.datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second or 0)
            )
        except ValueError:
            continue
    return None
