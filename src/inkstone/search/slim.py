"""A page cut down to what Pagefind indexes, so that it does not parse what it then skips.

Called by the search step on each page before Pagefind sees it. A math-heavy post is mostly
KaTeX's markup (a formula's MathML and its HTML twin: 25 formulas make some 70 KB of a
100 KB page), which the index excludes anyway; parsing it is a third of Pagefind's time.

:func:`slim_page` keeps the ``<html>`` start tag (its ``lang``), the ``<title>`` and every
element marked ``data-pagefind-body`` as it is, except that each ``<span class="katex">``
subtree (inline math; display math is one inside a ``katex-display`` span, which stays)
becomes the formula's one line of text (:func:`formula_words`: ``α=10⁻³``, ``1/√dₖ``). So
the index holds what a reader reads: a search finds ``MSA`` where a post only has it in
``\\operatorname{MSA}``, and an excerpt reads "矩阵就有 32×8192²×2 bytes=4 GiB", neither
"矩阵就有这也是…" with the formula left out nor KaTeX's ``mord mathnormal``.
Pagefind reads a few things even from what it does not index, and those stay as they are:
a formula inside an element with an ``id`` (the anchor's text, a heading's, includes it)
or holding an ``id``, an image or a ``data-pagefind-`` attribute; and a page holding,
outside its bodies, a ``data-pagefind-`` attribute (metadata and filters count anywhere),
an ``<h1>`` (the default title) or an image (the default image) is given whole, with only
its math made text. So is a page without a body, or whose elements do not balance.

Code blocks lose their highlighting (:func:`plain_code`): Pygments wraps each token in a
``<span class="…">``, half the bytes of a slimmed post, and a span is not a word boundary
for Pagefind, so the text it indexes is the same.

:func:`page_digest` hashes what Pagefind reads of a page, less the ``data-pagefind-ignore``
elements it reads nothing from (:func:`without_ignored`): the search step compares digests
to tell whether a shard of the index must be made again when some of its pages changed.

The scanning is by string search, not an HTML parser: a parser costs about what Pagefind
does. It is sound for KaTeX's output, whose text and attribute values are escaped (no raw
``<``), and for inkstone's templates; a ``<`` in a page's own text is always escaped.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_left
from collections.abc import Iterable
from functools import lru_cache
from html import escape
from typing import AnyStr

from inkstone.html_text import formula_end, occurrences, span_end
from inkstone.markup.formula_text import formula_line
from inkstone.markup.math import MathResult

_MATH = b'<span class="katex">'
"""KaTeX's outermost element of a formula (``renderToString``'s output starts with it)."""

_BODY = b"data-pagefind-body"
_ID = b"id="
_START_TAG = re.compile(rb"<([a-zA-Z][a-zA-Z0-9-]*)\s[^<>]*")
"""A start tag up to its ``>``; group 1 is its name."""

_HTML = re.compile(rb"<html(?=[\s>])[^<>]*>", re.IGNORECASE)
_TITLE = re.compile(rb"<title[\s>].*?</title\s*>", re.IGNORECASE | re.DOTALL)
_ATTRIBUTE = b"data-pagefind-"
_MARKS = (b" id=", b"<img", _ATTRIBUTE)
"""What Pagefind reads even from an excluded element: an ``id``, an image, a
``data-pagefind-`` attribute. (KaTeX writes none of it in a formula unless trusted with
``\\htmlId`` and the like.)"""
_IGNORE = b"data-pagefind-ignore"
_READ_WHEN_IGNORED = re.compile(rb"\sid\s*=|<img[\s/>]|<h1[\s/>]")
"""In a lower-cased ignored element: what Pagefind may read from it all the same."""


def slim_page(html: bytes) -> bytes:
    """``html`` (a whole page, UTF-8) as Pagefind needs it for the index; see the module."""
    return _slim(html, _read_bodies(html))


def slim_and_digest(
    html: bytes, body: bytes | None = None, search_body: bytes | None = None
) -> tuple[bytes, bytes]:
    """:func:`slim_page` and :func:`page_digest` of ``html``, finding its bodies once.

    ``body`` and ``search_body``: a post's rendered body, as the page holds it, and the
    same with its formulas as text (:func:`with_formulas_as_text`, which the render worker made
    while the formulas were at hand). The page is then slimmed with the one spliced in
    for the other, which gives the same bytes as slimming it whole in a fifth of the time,
    unless the body is not in the page as it is or an element with an ``id`` holds it
    (its formulas stay then: it is slimmed whole)."""
    bodies = _read_bodies(html)
    slimmed = None
    if body and search_body is not None:
        slimmed = _slim_spliced(html, body, search_body)
    return slimmed or _slim(html, bodies), _digest(html, bodies)


def _slim_spliced(html: bytes, body: bytes, search_body: bytes) -> bytes | None:
    at = _find(html, body)
    if at == -1:
        return None
    spliced = b"".join((html[:at], search_body, html[at + len(body) :]))
    bodies = _read_bodies(spliced)
    # the part slimmed with the body in it: its data-pagefind-body element, or the page
    start, end = next(((s, e) for s, e in bodies or () if s <= at < e), (0, len(spliced)))
    if any(first < at - start < last for first, last in _with_id(spliced[start:end])):
        return None
    return _slim(spliced, bodies)


def _find(html: AnyStr, part: AnyStr, start: int = 0) -> int:
    """``html.find(part, start)`` for a long ``part``: where its first 64 characters are and
    the rest follows. Searching for all of it first reads all of it (Python's two-way
    search), each time: a post's body, or each of its formulas, whose first characters are
    all alike (``<span class="katex"><span class="katex-mathml"><math …``), so that the
    first place found is the formula looked for, the next one."""
    prefix = part[:64]
    at = html.find(prefix, start)
    while at != -1 and not html.startswith(part, at):
        at = html.find(prefix, at + 1)
    return at


def with_formulas_as_text(body: str, formulas: Iterable[MathResult]) -> bytes:
    """``body`` (a post's rendered body), in UTF-8, with the formulas :func:`with_math_as_text`
    would take out of it as their one-line text, given ``formulas``: each as KaTeX typeset
    it, in the order they are in ``body``. Each is looked for from where the last one
    was found rather than counted out span by span: :func:`with_math_as_text` of the body when
    these are all its formulas. One not found is left to :func:`with_math_as_text` (it stays
    where this is used).

    The elements with an ``id`` (whose formulas stay) are found in the body with every
    formula made text, a fifth of its size: a formula, a whole element holding no ``id``,
    starts and ends no element, so each is inside the same elements there, at the point
    where it was taken out. Only that part is encoded, and a formula that stays."""
    cuts: list[tuple[int, int, MathResult]] = []  # each formula's <span class="katex">
    search = 0
    for formula in formulas:
        at = _find(body, formula.html, search)
        if at == -1:
            continue
        search = at + len(formula.html)
        inner = _formula_span(formula.html)
        if inner is not None:
            cuts.append((at + inner[0], at + inner[1], formula))
    if not cuts:
        return body.encode()
    pieces: list[bytes] = []  # the text around the formulas, and each formula's words
    points: list[int] = []  # where each formula's words are in the skeleton, in bytes
    pos = left = 0
    for start, end, formula in cuts:
        piece = body[pos:start].encode()
        words = _TYPESET_WORDS.get(formula.key)
        if words is None:
            words = _TYPESET_WORDS[formula.key] = formula_words(formula.html)
        pieces += (piece, words)
        left += len(piece)
        points.append(left)
        left += len(words)
        pos = end
    pieces.append(body[pos:].encode())
    skeleton = b"".join(pieces)
    kept = _with_id(skeleton)
    inside = [any(first <= at < last for first, last in kept) for at in points]
    if not any(inside):
        return skeleton
    for cut, ((start, end, _), stays) in enumerate(zip(cuts, inside, strict=True)):
        if stays:
            pieces[2 * cut + 1] = body[start:end].encode()
    return b"".join(pieces)


_TYPESET_WORDS: dict[str, bytes] = {}
""":func:`formula_words` of each formula this process typeset, by its render cache key
(:attr:`MathResult.key`): worked out once per formula, 100 bytes or so each, where a cache
keyed by the formula's HTML would hold on to kilobytes."""


def formula_words(formula: str) -> bytes:
    """What the index reads in place of a formula taken out (``formula``: KaTeX's HTML of
    it): its one line of text (:func:`~inkstone.markup.formula_text.formula_line`,
    ``α=10⁻³``), escaped, in UTF-8. Search finds the words of a formula (``softmax`` in
    ``\\operatorname{softmax}``), and its excerpts read as the post does (``一个 n×n 的矩阵``,
    not ``一个的矩阵``)."""
    return escape(formula_line(formula), quote=False).encode()


_MATH_TEXT = _MATH.decode()
_DISPLAY_TEXT = '<span class="katex-display">'
_MARKS_TEXT = tuple(mark.decode() for mark in _MARKS)


@lru_cache(maxsize=1024)
def _formula_span(formula: str) -> tuple[int, int] | None:
    """Where the ``<span class="katex">`` element is in ``formula`` (KaTeX's HTML of one
    formula: display math wraps it in a ``katex-display`` span, which stays); None when
    there is none or Pagefind reads something inside it (see :func:`with_math_as_text`). KaTeX
    writes a formula as one element, so an inline one is its element whole, and a display
    one that element inside its ``katex-display`` span; any other shape is counted out.
    Remembered for the formulas seen last: most of a blog's are seen again (``$x$``)."""
    if formula.startswith(_MATH_TEXT) and formula.endswith("</span>"):
        start, end = 0, len(formula)
    elif formula.startswith(_DISPLAY_TEXT + _MATH_TEXT) and formula.endswith("</span></span>"):
        start, end = len(_DISPLAY_TEXT), len(formula) - len("</span>")
    else:
        start = formula.find(_MATH_TEXT)
        found = span_end(formula, start) if start != -1 else None
        if found is None:
            return None
        end = found
    if any(formula.find(mark, start, end) != -1 for mark in _MARKS_TEXT):
        return None
    return start, end


def _slim(html: bytes, bodies: list[tuple[int, int]] | None) -> bytes:
    if bodies:
        parts = [with_math_as_text(html[start:end]) for start, end in bodies]
        if all(part is not None for part in parts):
            return plain_code(_page(html, [part for part in parts if part is not None]))
    return plain_code(with_math_as_text(html) or html)


_CLASSED_SPAN = re.compile(rb'<span class="[\w -]*">')
"""A ``<span>`` start tag as Pygments writes them: a class and no other attribute."""


_PRE_TAG = re.compile(rb"<pre[ >]")
"""A ``<pre>`` start tag, with attributes (``tabindex``) or without."""


def plain_code(html: bytes) -> bytes:
    """``html`` with the ``<span>`` tags inside each ``<pre>`` taken out, their text kept:
    a highlighted code block as plain code. A block with any other span (one with an
    ``id``, or the line numbers, which the index leaves out) stays as it is."""
    pieces: list[bytes] = []
    pos = 0
    while (found := _PRE_TAG.search(html, pos)) is not None:
        start = found.start()
        end = html.find(b"</pre>", start)
        if end == -1:
            break
        end += len(b"</pre>")
        pieces += (html[pos:start], _plain_block(html[start:end]))
        pos = end
    if not pieces:
        return html
    pieces.append(html[pos:])
    return b"".join(pieces)


def _plain_block(code: bytes) -> bytes:
    if b"linenos" in code:
        return code
    without, classed = _CLASSED_SPAN.subn(b"", code)
    if classed + code.count(b"<span>") != code.count(b"<span"):
        return code  # a span with other attributes
    return without.replace(b"<span>", b"").replace(b"</span>", b"")


def page_digest(html: bytes) -> bytes:
    """A digest of what Pagefind makes the index entry of page ``html`` from: its
    ``<html>`` start tag, ``<title>`` and bodies as :func:`slim_page` keeps them (the whole
    page when it keeps it whole), less what :func:`without_ignored` drops. Math is not made
    text, which would take four times as long: the digest changes with a formula's markup
    (a new KaTeX option, say) even where its text, and so the index, does not."""
    return _digest(html, _read_bodies(html))


def _digest(html: bytes, bodies: list[tuple[int, int]] | None) -> bytes:
    if bodies:
        html = _page(html, [html[start:end] for start, end in bodies])
    return hashlib.sha256(without_ignored(html)).digest()


def _read_bodies(html: bytes) -> list[tuple[int, int]] | None:
    """Where the ``data-pagefind-body`` elements are, when Pagefind reads nothing else of
    the page; None when it does (or there is no body)."""
    bodies = _bodies(html)
    if bodies:
        edges = [0, *(edge for body in bodies for edge in body), len(html)]
        gaps = list(zip(edges[::2], edges[1::2], strict=True))
        if not any(_read_outside_bodies(html, *gap) for gap in gaps):
            return bodies
    return None


def without_ignored(html: bytes) -> bytes:
    """``html`` without the elements marked ``data-pagefind-ignore`` that Pagefind reads
    nothing from: none holding an ``id``, an image, an ``<h1>`` or another
    ``data-pagefind-`` attribute (metadata and filters count even there). What is left is
    what a page's entry in the index is made from, to tell whether it changed when the
    page did: a post's footer listing related posts, say, changes when another post is
    added, and its entry does not."""
    pieces: list[bytes] = []
    pos = search = 0
    while (at := html.find(_IGNORE, search)) != -1:
        search = at + len(_IGNORE)
        tag = _start_tag(html, at)
        if tag is None:
            continue
        end = _element_end(html, tag.group(1), tag.start())
        if end is None:
            break  # it does not close: the rest stays as it is
        if _read_when_ignored(html[tag.start() : end]):
            continue  # an element inside it may still go
        pieces.append(html[pos : tag.start()])
        pos = search = end
    pieces.append(html[pos:])
    return b"".join(pieces)


def _read_when_ignored(element: bytes) -> bool:
    """Whether Pagefind reads something from ``element`` though it is ignored."""
    lower = element.lower()
    if lower.count(_ATTRIBUTE) != lower.count(_IGNORE):
        return True
    return _READ_WHEN_IGNORED.search(lower) is not None


def with_math_as_text(html: bytes) -> bytes | None:
    """``html`` with its ``<span class="katex">`` elements made text (:func:`formula_words`),
    except those Pagefind reads something from although it excludes them: one inside an
    element with an ``id`` (the text of a heading is the text of its anchor, formulas and
    all) and one holding an ``id``, an image or a ``data-pagefind-`` attribute. None if one
    does not close."""
    if html.find(_MATH) == -1:
        return html
    kept = _with_id(html)
    marks = _marks_read_inside(html)
    pieces: list[bytes] = []
    pos = search = 0
    while (start := html.find(_MATH, search)) != -1:
        search = formula_end(html, start) or -1
        if search == -1:
            return None
        if any(first <= start < last for first, last in kept):
            continue
        if (at := bisect_left(marks, start)) < len(marks) and marks[at] < search:
            continue  # Pagefind reads something inside it
        pieces += (html[pos:start], formula_words(html[start:search].decode()))
        pos = search
    if not pieces:
        return html
    pieces.append(html[pos:])
    return b"".join(pieces)


def _read_outside_bodies(html: bytes, start: int, end: int) -> bool:
    """Whether ``html[start:end]``, outside the bodies, holds what Pagefind reads even
    there: metadata, filters and sort keys, and the first ``<h1>`` and the first image
    after it (the default title and image)."""
    if html.count(_ATTRIBUTE, start, end) != html.count(_IGNORE, start, end):
        return True
    return any(html.find(tag, start, end) != -1 for tag in (b"<img", b"<IMG", b"<h1", b"<H1"))


def _marks_read_inside(html: bytes) -> list[int]:
    """Where, in order, ``html`` holds one of :data:`_MARKS`."""
    return sorted(at for mark in _MARKS for at in occurrences(html, mark))


def _with_id(html: bytes) -> list[tuple[int, int]]:
    """Where the elements with an ``id`` attribute are (to the end of ``html`` when one
    does not close)."""
    found: list[tuple[int, int]] = []
    pos = 0
    while (at := html.find(_ID, pos)) != -1:
        pos = at + len(_ID)
        tag = _start_tag(html, at)
        if tag is not None:
            found.append((tag.start(), _element_end(html, tag.group(1), tag.start()) or len(html)))
    return found


def _start_tag(html: bytes, at: int) -> re.Match[bytes] | None:
    """The start tag holding the attribute whose name begins at ``at``, if it is one."""
    tag = _START_TAG.match(html, max(html.rfind(b"<", 0, at), 0))
    if tag and tag.end() > at and html[at - 1 : at].isspace():
        return tag
    return None  # the words, not an attribute


def _bodies(html: bytes) -> list[tuple[int, int]] | None:
    """Where the ``data-pagefind-body`` elements are (outermost ones, in order); None when
    there is none or one does not close."""
    found: list[tuple[int, int]] = []
    pos = 0
    while (at := html.find(_BODY, pos)) != -1:
        pos = at + len(_BODY)
        tag = _start_tag(html, at)
        after = html[pos : pos + 1]
        if tag is None or not (after in (b"=", b">", b"/") or after.isspace()):
            continue
        end = _element_end(html, tag.group(1), tag.start())
        if end is None:
            return None
        found.append((tag.start(), end))
        pos = end
    return found or None


def _element_end(html: bytes, tag: bytes, start: int) -> int | None:
    """Where the element whose start tag ``<tag`` is at ``start`` ends (just past its end
    tag), counting the same tag's nesting; None if it does not close. Tags are named as
    ``tag`` is spelled (case and all): a start tag is ``<tag`` then a space, ``/`` or
    ``>``, an end tag ``</tag``, spaces, ``>``. Found by ``bytes.find``, several times
    faster than a regular expression over a post's 100 KB."""
    opening, closing = b"<" + tag, b"</" + tag
    depth = 0
    pos = start
    while (close := html.find(closing, pos)) != -1:
        after = _END_TAG_REST.match(html, close + len(closing))
        if after is None:  # </tagname…, another tag
            pos_in_tag = close + len(closing)
            depth += _start_tags(html, opening, pos, pos_in_tag)
            pos = pos_in_tag
            continue
        depth += _start_tags(html, opening, pos, close) - 1
        pos = after.end()
        if depth == 0:
            return pos
    return None


_END_TAG_REST = re.compile(rb"\s*>")
_AFTER_TAG_NAME = frozenset(b" \t\n\r\f\v/>")
"""What follows a tag's name in a start tag (``\\s``, ``/``, ``>``)."""


def _start_tags(html: bytes, opening: bytes, start: int, end: int) -> int:
    """How many start tags ``opening`` (``<tag``) are in ``html[start:end]``, each with the
    character after its name."""
    count = 0
    at = html.find(opening, start, end)
    while at != -1:
        follows = at + len(opening)
        if follows < end and html[follows] in _AFTER_TAG_NAME:
            count += 1
        at = html.find(opening, follows, end)
    return count


def _page(html: bytes, bodies: list[bytes]) -> bytes:
    """A page of ``html``'s ``<html>`` start tag and ``<title>`` around ``bodies``."""
    start = _HTML.search(html)
    title = _TITLE.search(html)
    return b"".join(
        (
            b"<!doctype html>\n",
            start.group(0) if start else b"<html>",
            b'<head><meta charset="utf-8">',
            title.group(0) if title else b"",
            b"</head><body>\n",
            b"\n".join(bodies),
            b"\n</body></html>\n",
        )
    )
