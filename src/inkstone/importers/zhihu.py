"""Zhihu: a saved article page (HTML), or Markdown copied out of Zhihu, where every formula
is an image (``<img eeimg="1" alt="TeX">`` or ``https://www.zhihu.com/equation?tex=…``).

Each such image becomes ``$…$`` again, or a ``$$`` block when it stands alone in its
paragraph. ``[公式]`` placeholders (formulas whose TeX was lost on copy) are reported.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from bs4 import BeautifulSoup, Tag

from inkstone.importers.assets import Bundle
from inkstone.importers.common import mtime_date, read_markdown, unique_folder
from inkstone.importers.formulas import find_formulas
from inkstone.importers.html_article import (
    GENERIC,
    HTML_SUFFIXES,
    PLACEHOLDER,
    PageProfile,
    import_page,
    page_files,
)
from inkstone.importers.math_recovery import zhihu_tex
from inkstone.importers.model import Formula, ImportBatch, ImportedPost
from inkstone.importers.text import map_outside_code

ZHIHU = PageProfile(
    roots=(".Post-RichText", ".RichText", "article", "body"),
    titles=("h1.Post-Title", ".Post-Title", "h1"),
    title_suffix=r"\s*-\s*知乎\s*$",
    dates=("meta[itemprop=datePublished]", ".ContentItem-time"),
    tags=(".Tag-content", ".TopicLink"),
)
_IMG_TAG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_EQUATION_IMAGE = re.compile(
    r"!\[(?P<alt>(?:\[[^\]\n]*\]|[^\]\n])*)\]\((?P<url>(?:https?:)?//(?:www\.)?zhihu\.com/equation\?[^)\s]+)"
    r"(?:\s+\"[^\"\n]*\")?\)"
)


def import_zhihu(source: Path) -> ImportBatch:
    """Read saved Zhihu pages and Markdown copied from Zhihu (a file or a folder)."""
    root, files = page_files(source, (*HTML_SUFFIXES, ".md", ".markdown"))
    batch = ImportBatch(root=root)
    taken: set[str] = set()
    for path in files:
        if path.suffix.lower() in HTML_SUFFIXES:
            post = import_page(batch, path, ZHIHU, taken)
        else:
            post = _import_markdown(batch, path, taken)
        if post is not None:
            batch.posts.append(post)
    return batch


def _import_markdown(batch: ImportBatch, path: Path, taken: set[str]) -> ImportedPost | None:
    read = read_markdown(batch, path)
    if read is None:
        return None
    meta, body, body_line = read
    found = find_formulas(body, body_line)

    def edit(text: str, start: int) -> str:
        lines = text.split("\n")
        for index, line in enumerate(lines):
            number = body_line + start + index
            alone = _alone(line)
            line = _IMG_TAG.sub(partial(_img, line=number, alone=alone, found=found), line)
            line = _EQUATION_IMAGE.sub(partial(_image, line=number, alone=alone, found=found), line)
            if PLACEHOLDER in line:
                batch.problem(
                    f"`{PLACEHOLDER}` stands where a formula was; its TeX is gone",
                    path,
                    number,
                    hint="write the formula as $…$ in the imported post",
                )
            lines[index] = line
        return "\n".join(lines)

    body = map_outside_code(body, edit)
    found.sort(key=lambda f: f.line or 0)
    front: dict[str, Any] = dict(meta)
    title = str(meta.get("title") or "")
    if not title:
        heading = re.search(r"^#\s+(.+?)\s*$", body, re.MULTILINE)
        title = heading[1] if heading else path.stem
        front["title"] = title
        if heading:
            body = body[: heading.start()] + body[heading.end() :]
    front.setdefault("date", mtime_date(path))
    bundle = Bundle(batch, path, [path.parent])
    body = bundle.rewrite(body, body_line)
    return ImportedPost(unique_folder(title, taken), front, body, path, bundle.files, found)


def _alone(line: str) -> bool:
    """True when the line is one formula image and nothing else (a display formula)."""
    rest = _EQUATION_IMAGE.sub("", _IMG_TAG.sub("", line, count=1), count=1)
    return not rest.strip() and line.strip() != ""


def _formula(tex: str, alone: bool, line: int, found: list[Formula]) -> str:
    display = alone or tex.endswith("\\\\")
    if display and tex.endswith("\\\\"):
        tex = tex[:-2].rstrip()
    found.append(Formula(tex, display, line))
    return f"$$\n{tex}\n$$" if display else f"${tex}$"


def _img(match: re.Match[str], line: int, alone: bool, found: list[Formula]) -> str:
    tag = BeautifulSoup(match[0], "html.parser").find("img")
    tex = zhihu_tex(tag) if isinstance(tag, Tag) else None
    return match[0] if tex is None else _formula(tex, alone, line, found)


def _image(match: re.Match[str], line: int, alone: bool, found: list[Formula]) -> str:
    values = parse_qs(urlsplit(match["url"]).query).get("tex")
    alt = match["alt"].strip()
    tex = values[0].strip() if values else alt
    if not tex or tex == PLACEHOLDER:
        return match[0]
    return _formula(tex, alone, line, found)


__all__ = ["GENERIC", "ZHIHU", "import_zhihu"]
