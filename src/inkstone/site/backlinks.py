"""Backlinks: for each page, the pages whose text links to it.

Pages are written as soon as they are rendered, so backlinks are found before any page is,
from the loaded documents' raw bodies: a scan for wiki links (``[[note]]``, ``![[note]]``)
and relative Markdown links to pages (``](other.md)``), outside fenced code and code spans,
resolved as rendering resolves them (:class:`inkstone.site.wiki.WikiNames` for names, the
content-relative path for Markdown links). A page never lists itself.
"""

from __future__ import annotations

import bisect
import posixpath
import re
from pathlib import PurePosixPath
from urllib.parse import unquote

from inkstone.content.model import Document
from inkstone.markup.plugins.wikilinks import split_link
from inkstone.site.links import PAGE_SUFFIXES, SiteLinks

_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
_WIKI = re.compile(r"\[\[([^\[\]\n]+)\]\]")
_MARKDOWN = re.compile(r"\]\(\s*<?([^)\s>]+)")
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")


def backlinks(
    documents: list[Document], links: SiteLinks, sources: list[Document] | None = None
) -> dict[str, list[Document]]:
    """Site URL of a page → the documents linking to it, by title (then URL). Only
    ``sources`` (default: every document) count as linking: an unlisted post's links do
    not show it on the pages it links to."""
    by_url = {doc.url: doc for doc in documents}
    found: dict[str, dict[str, Document]] = {}
    for doc in documents if sources is None else sources:
        for url in linked_urls(doc, links):
            if url != doc.url and url in by_url:
                found.setdefault(url, {})[doc.url] = doc
    return {
        url: sorted(sources.values(), key=lambda d: (d.title.casefold(), d.url))
        for url, sources in found.items()
    }


def linked_urls(doc: Document, links: SiteLinks) -> set[str]:
    """Site URLs of the pages ``doc``'s body links to."""
    body = doc.body
    urls: set[str] = set()
    if "[[" not in body and "](" not in body:
        return urls
    code = _Code(body)
    folder = doc.source.rel.parent
    # a link's target is looked up first: most links are to other sites, and need no
    # look for code around them
    if "[[" in body:
        for match in _WIKI.finditer(body):
            name = split_link(match.group(1))[0]
            page = links.wiki.page(name, folder).chosen if name else None
            if page is not None and page.url not in urls and not code.covers(match.start()):
                urls.add(page.url)
    if "](" in body:
        for match in _MARKDOWN.finditer(body):
            url = _markdown_target(match.group(1), folder, links)
            if url is not None and url not in urls and not code.covers(match.start()):
                urls.add(url)
    return urls


class _Code:
    """Where a body has code: fenced blocks (found on the first question) and code spans,
    looked for only on the line asked about (a code span across lines is not seen)."""

    def __init__(self, body: str) -> None:
        self.body = body
        self._fences: list[tuple[int, int]] | None = None

    def covers(self, pos: int) -> bool:
        """Whether the text at ``pos`` is code."""
        if self._fences is None:
            self._fences = _fenced_blocks(self.body)
        fences = self._fences
        i = bisect.bisect_right(fences, (pos, len(self.body))) - 1
        if i >= 0 and fences[i][0] <= pos < fences[i][1]:
            return True
        start = self.body.rfind("\n", 0, pos) + 1
        end = self.body.find("\n", pos)
        line = self.body[start : end if end != -1 else len(self.body)]
        if "`" not in line:
            return False
        return any(s.start() <= pos - start < s.end() for s in _CODE_SPAN.finditer(line))


def _fenced_blocks(body: str) -> list[tuple[int, int]]:
    """(start, end) of each fenced code block, found by plain string search (fast)."""
    fences: list[tuple[int, str]] = []  # (line start, the fence) of lines opening with one
    for marker in ("```", "~~~"):
        at = body.find(marker)
        while at != -1:
            line_start = body.rfind("\n", 0, at) + 1
            end = at
            while end < len(body) and body[end] == marker[0]:
                end += 1
            if at - line_start <= 3 and not body[line_start:at].strip(" "):
                fences.append((line_start, body[at:end]))
            at = body.find(marker, end)
    fences.sort()
    blocks: list[tuple[int, int]] = []
    opening: tuple[int, str] | None = None
    for line_start, fence in fences:
        if opening is None:
            opening = (line_start, fence)
            continue
        line_end = body.find("\n", line_start)
        rest = body[line_start : line_end if line_end != -1 else len(body)].strip()
        if fence[0] == opening[1][0] and len(fence) >= len(opening[1]) and rest == fence:
            blocks.append((opening[0], line_end if line_end != -1 else len(body)))
            opening = None
    if opening is not None:
        blocks.append((opening[0], len(body)))
    return blocks


def _markdown_target(href: str, folder: PurePosixPath, links: SiteLinks) -> str | None:
    if href.startswith(("#", "/")) or _SCHEME.match(href):
        return None
    path = unquote(href.partition("#")[0].partition("?")[0])
    if not path.lower().endswith(PAGE_SUFFIXES):
        return None
    joined = posixpath.normpath(posixpath.join(folder.as_posix(), path))
    return links.urls.get(PurePosixPath(joined))
