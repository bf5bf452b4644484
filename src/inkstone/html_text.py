"""Small transformations of rendered HTML for places other than the page itself:
plain text for meta descriptions, MathML-only math and absolute URLs for feeds.

Each post has its excerpt's formulas read as plain text and, for its feed entry, every
formula cut down to MathML, so KaTeX's output is read by string search: :func:`plain_text`
reads simple HTML such as a formula's with one regular expression, in about a fifth of the
time :class:`~html.parser.HTMLParser` takes (which still reads anything else), and
:func:`span_end` finds where a formula ends in about half the time of visiting its tags
with a regular expression (:func:`formula_end` at once, for a formula seen before).
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from html import unescape
from html.parser import HTMLParser
from typing import AnyStr
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
_HIDDEN = frozenset(("annotation", "script", "style"))
"""Elements whose text a reader does not read (a formula's TeX is an ``<annotation>``)."""


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
        hidden = dict(attrs).get("aria-hidden") == "true" or tag in _HIDDEN
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
    parts = _simple_text(html)
    if parts is None:
        parser = _PlainText()
        parser.feed(html)
        parser.close()
        parts = parser.parts
    return _SPACES.sub(" ", "".join(parts)).strip()


_SPACES = re.compile(r"\s+")
_NAME = r"[a-zA-Z][a-zA-Z0-9_:.-]*"
SIMPLE_TAG = re.compile(
    r"([^<]*+)"  # 1: text
    rf"(?:<([a-zA-Z][a-zA-Z0-9-]*)((?>(?:[ \t\n\r\f]++{_NAME}=\"[^\"<>]*+\")*))[ \t\n\r\f]*(/?)>"
    # 2: a start tag's name, 3: its attributes, 4: "/" when it closes itself
    r"|</([a-zA-Z][a-zA-Z0-9-]*)>)"  # 5: an end tag's name
)
"""A tag of simple HTML, such as KaTeX's, and the text before it: text without ``<``, start
tags whose attributes are all double-quoted (without ``<`` or ``>``), bare end tags. The
spaces are ASCII ones, as :class:`~html.parser.HTMLParser` expects around a tag's name.
The attributes are an atomic group, as a possessive group is matched wrongly before 3.11.5."""
SIMPLE_ATTRIBUTE = re.compile(rf"[ \t\n\r\f]+({_NAME})=\"([^\"]*)\"")
_RAW_TEXT = frozenset(
    ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript")
)
"""Elements whose content a version of :class:`~html.parser.HTMLParser` reads as raw text."""


def _simple_text(html: str) -> list[str] | None:
    """The text :class:`_PlainText` would collect from ``html``, read with :data:`SIMPLE_TAG`;
    None when ``html`` is not made of such tags and text only (or holds a :data:`_RAW_TEXT`
    element), for the parser to read. Like the parser, it lower-cases names and unescapes
    each run of text on its own and attribute values."""
    parts: list[str] = []
    skipping = 0
    pos = 0
    while match := SIMPLE_TAG.match(html, pos):
        pos = match.end()
        if not skipping and (text := match.group(1)):
            parts.append(unescape(text))
        if match.lastindex == 4:
            tag = match.group(2).lower()
            if tag in _VOID:
                continue
            if tag in _RAW_TEXT:
                return None
            if skipping or tag in _HIDDEN or _aria_hidden(match.group(3)):
                skipping += 1
            if match.group(4) and skipping:
                skipping -= 1  # a start tag closing itself is its own end tag too
        elif match.group(5).lower() not in _VOID and skipping:
            skipping -= 1
    if html.find("<", pos) != -1:
        return None  # something else: a comment, a bare "<", a single-quoted value…
    if not skipping and pos < len(html):
        parts.append(unescape(html[pos:]))
    return parts


def _aria_hidden(attributes: str) -> bool:
    """Whether the attributes (``SIMPLE_TAG``'s group 3) say ``aria-hidden="true"`` (the last
    one, if several do)."""
    if "aria-hidden" not in attributes.lower():
        return False
    values = [
        unescape(v) for n, v in SIMPLE_ATTRIBUTE.findall(attributes) if n.lower() == "aria-hidden"
    ]
    return bool(values) and values[-1] == "true"


def mathml_only(html: str) -> str:
    """Replace each KaTeX rendering by its ``<math>`` element, for readers without KaTeX's CSS."""
    out: list[str] = []
    pos = 0
    while (start := _next_katex(html, pos)) != -1:
        end = formula_end(html, start) or len(html)
        math_start = html.find("<math", start, end)
        math_end = html.find("</math>", start, end)
        out.append(html[pos:start])
        if math_start != -1 and math_end != -1:
            out.append(html[math_start : math_end + len("</math>")])
        pos = end
    out.append(html[pos:])
    return "".join(out)


_KATEX = '<span class="katex'
"""What both ``<span class="katex">`` (a formula) and ``<span class="katex-display">``
(a display formula around one) begin with."""


def _next_katex(html: str, pos: int) -> int:
    """Where the first ``<span class="katex">`` or ``<span class="katex-display">`` from
    ``pos`` is; -1 if none is. One search for what they begin with, then a look at what
    follows: searching for each on its own would read on to the next display formula."""
    while (at := html.find(_KATEX, pos)) != -1:
        pos = at + len(_KATEX)
        if html.startswith('">', pos) or html.startswith('-display">', pos):
            return at
    return -1


def span_end(html: AnyStr, start: int) -> int | None:
    """Where the span opened at ``start`` (such as a KaTeX formula) ends, just past its
    ``</span>``; None if it does not close. Every ``<span`` counts as a span opened, as in
    KaTeX's output, where no other tag begins so: the spans opened up to each ``</span>``
    are counted, in about half the time of visiting every tag with a regular expression.
    ``html`` is text or bytes (a page as the search step reads it)."""
    if isinstance(html, str):
        return _span_end(html, start, "<span", "</span>")
    return _span_end(html, start, b"<span", b"</span>")


FORMULAS_KEPT = 16 * 2**20
"""How many characters (or bytes) of formulas :func:`formula_end` keeps, of each type: those
used last, which are the ones a site repeats most (a 10,000-post site has about 12,000
distinct formulas, 40 MB; keeping them all would grow the build's peak memory by a twentieth,
and 16 MB spares two thirds of the counting)."""

_known_formulas: dict[type, OrderedDict[int, str | bytes]] = {
    str: OrderedDict(),
    bytes: OrderedDict(),
}
_known_size: dict[type, int] = {str: 0, bytes: 0}


def formula_end(html: AnyStr, start: int) -> int | None:
    """:func:`span_end` for the KaTeX formula at ``start``, in one comparison when the
    same formula was seen before: a blog repeats most of its formulas (``$x$``,
    ``$\\theta$``), four in five in a generated corpus, and each takes some 40 steps to
    count its spans.

    Formulas seen are kept by the hash of what precedes their first ``</math>`` (the MathML,
    TeX included), the last used up to :data:`FORMULAS_KEPT`. When ``html`` at ``start``
    begins with the very text of one (``startswith``), that formula's span closes where it
    did, since counting spans reads nothing past it."""
    known = _known_formulas[type(html)]
    math_end = html.find("</math>" if isinstance(html, str) else b"</math>", start)
    key = hash(html[start:math_end]) if math_end != -1 else None
    if key is not None:
        formula = known.get(key)
        if formula is not None and html.startswith(formula, start):  # type: ignore[arg-type]
            known.move_to_end(key)
            return start + len(formula)
    end = span_end(html, start)
    if key is not None and end is not None:
        replaced = known.pop(key, None)  # the same MathML before a different formula
        known[key] = html[start:end]
        _known_size[type(html)] += end - start - len(replaced or "")
        while _known_size[type(html)] > FORMULAS_KEPT:
            _known_size[type(html)] -= len(known.popitem(last=False)[1])
    return end


def _span_end(html: AnyStr, start: int, opening: AnyStr, closing: AnyStr) -> int | None:
    """:func:`span_end`, with ``opening`` and ``closing`` (``<span`` and ``</span>``) of the
    type of ``html``."""
    depth = 0
    pos = start
    while (close := html.find(closing, pos)) != -1:
        depth += html.count(opening, pos, close) - 1
        pos = close + len(closing)
        if depth == 0:
            return pos
    return None


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

    with_urls = _substitute(_URL_ATTR, ('href="', 'src="'), fix, html)
    return _substitute(_SRCSET_ATTR, ('srcset="',), fix_set, with_urls)


def _substitute(
    pattern: re.Pattern[str],
    starts: tuple[str, ...],
    replace: Callable[[re.Match[str]], str],
    html: str,
) -> str:
    """``pattern.sub(replace, html)``, for a pattern each of whose matches begins with one of
    the words ``starts``: those are found by plain string search, and the pattern is tried
    only where one is. A regular expression starting with ``\\b`` and a choice of words is
    searched for a character at a time, ten times slower on a page of formulas."""
    found = sorted(at for word in starts for at in occurrences(html, word))
    pieces: list[str] = []
    end = 0
    for at in found:
        if at < end:
            continue  # inside the last match, which a search would have gone past
        if match := pattern.match(html, at):
            pieces += (html[end:at], replace(match))
            end = match.end()
    if not pieces:
        return html
    pieces.append(html[end:])
    return "".join(pieces)


def occurrences(text: AnyStr, word: AnyStr) -> Iterator[int]:
    """Where ``word`` is in ``text`` (text or bytes), overlapping ones included, in order."""
    at = text.find(word)
    while at != -1:
        yield at
        at = text.find(word, at + 1)
