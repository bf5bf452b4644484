"""Small transformations of rendered HTML for places other than the page itself:
plain text for meta descriptions, MathML-only math and absolute URLs for feeds."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urljoin

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class _PlainText(HTMLParser):
    """Collects text, skipping what a reader would not read (KaTeX's visual copy, the TeX
    annotation inside MathML, scripts and styles)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        hidden = dict(attrs).get("aria-hidden") == "true" or tag in (
            "annotation",
            "script",
            "style",
        )
        if self.skipping or hidden:
            self.skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(html: str) -> str:
    """The readable text of ``html``, whitespace collapsed (formulas as their MathML text)."""
    parser = _PlainText()
    parser.feed(html)
    parser.close()
    return re.sub(r"\s+", " ", "".join(parser.parts)).strip()


def mathml_only(html: str) -> str:
    """Replace each KaTeX rendering by its ``<math>`` element, for readers without KaTeX's CSS."""
    out: list[str] = []
    pos = 0
    while (start := _next_katex(html, pos)) != -1:
        end = _span_end(html, start)
        math_start = html.find("<math", start, end)
        math_end = html.find("</math>", start, end)
        out.append(html[pos:start])
        if math_start != -1 and math_end != -1:
            out.append(html[math_start : math_end + len("</math>")])
        pos = end
    out.append(html[pos:])
    return "".join(out)


def _next_katex(html: str, pos: int) -> int:
    found = [html.find(m, pos) for m in ('<span class="katex">', '<span class="katex-display">')]
    found = [f for f in found if f != -1]
    return min(found) if found else -1


_SPAN_TAG = re.compile(r"<span\b|</span>")


def _span_end(html: str, start: int) -> int:
    """Index just past the ``</span>`` closing the span opened at ``start``."""
    depth = 0
    for match in _SPAN_TAG.finditer(html, start):
        if match.group(0) == "</span>":
            depth -= 1
            if depth == 0:
                return match.end()
        else:
            depth += 1
    return len(html)


_URL_ATTR = re.compile(r'\b(href|src)="([^"]*)"')
_SRCSET_ATTR = re.compile(r'\bsrcset="([^"]*)"')


def absolute_urls(html: str, page_url: str) -> str:
    """Make every ``href``/``src`` and ``srcset`` URL in ``html`` absolute, relative to
    ``page_url``."""

    def fix(match: re.Match[str]) -> str:
        return f'{match.group(1)}="{urljoin(page_url, match.group(2))}"'

    def fix_set(match: re.Match[str]) -> str:
        candidates = (c.strip().partition(" ") for c in match.group(1).split(","))
        fixed = (urljoin(page_url, url) + space + size for url, space, size in candidates)
        return f'srcset="{", ".join(fixed)}"'

    return _SRCSET_ATTR.sub(fix_set, _URL_ATTR.sub(fix, html))
