"""Excerpts for lists and feeds: a post's opening text, flattened and cut with care.

The opening prose of a post (headings, paragraphs, list items, quotes) is flattened into one
run of text and cut after about ``limit`` units, where a CJK character is one unit and a Latin
word two, at the last clause or sentence boundary (``。！？；，`` or a space between Latin
words) before the limit, and ended with "…". A formula, a code span or a link is one piece
that is never cut. Inline formulas keep their typeset KaTeX; display formulas, code blocks,
images, tables, raw HTML and the labels of callouts, toggles and tabs are left out. A
heading ends its own sentence, so it never runs into the next one. With a "more" marker on
its own line (Hexo's ``<!-- more -->``, Hugo's ``<!--more-->``), everything before it is
taken, uncut.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from inkstone.markup.formula_text import formula_line

MORE_MARKER = re.compile(r"<!--\s*more\s*-->", re.IGNORECASE)
"""Where a post's excerpt ends, written as Hexo (``<!-- more -->``) or Hugo
(``<!--more-->``) does."""
ELLIPSIS = "…"
SKIPPED_BLOCKS = {"fence", "code_block", "math_block", "math_block_label", "html_block", "hr"}
SKIPPED_CONTAINERS = {
    "table_open": "table_close",
    "footnote_block_open": "footnote_block_close",
    # the labels of callouts, toggles and tabs ("注意", "点击展开", "PyTorch") are chrome
    "callout_title_open": "callout_title_close",
    "details_summary_open": "details_summary_close",
    "tab_label_open": "tab_label_close",
}
_SEGMENTS = re.compile(
    r"([\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]+)"  # 1: CJK, a piece a character
    r"|([A-Za-z0-9\u00c0-\u024f'’\-_]+)"  # 2: a Latin word
    r"|(\s+)"  # 3
    r"|(.)"  # 4: anything else
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
CLAUSE_ENDS = set("。！？；，、：.!?;,:")
SENTENCE_ENDS = set("。！？.!?")


@dataclass
class Piece:
    """A unit of the flattened text that is never split."""

    html: str
    text: str
    """Plain text of the piece (a formula's TeX), to decide on separators."""
    units: int
    boundary: bool = False
    """A cut may come right after this piece."""
    reads: str | None = None
    """What a reader reads, when it differs from ``text`` (a link's text with its formulas
    as text)."""
    reads_html: bool = False
    """What a reader reads is the text of ``html`` (a formula: its MathML read as one line,
    :func:`~inkstone.markup.formula_text.formula_line`), worked out only for the pieces an
    excerpt keeps."""

    @property
    def plain(self) -> str:
        """The piece as plain text, for descriptions."""
        if self.reads_html:
            return formula_line(self.html)
        return self.text if self.reads is None else self.reads


@dataclass
class Excerpt:
    """A post's excerpt."""

    html: str
    cut: bool
    """True when the text was cut (and ends with "…")."""
    text: str = ""
    """The same excerpt as plain text (formulas as one line of text: ``gₜ²``, ``α=10⁻³``),
    for descriptions."""


InlineMath = Callable[[Token], str]
"""Renders one ``math_inline`` token to HTML (the Markdown stage's own renderer)."""


def make_excerpt(tokens: Sequence[Token], limit: int, inline_math: InlineMath) -> Excerpt:
    """The excerpt of a parsed document."""
    more = next(
        (
            i
            for i, t in enumerate(tokens)
            if t.type == "html_block" and MORE_MARKER.fullmatch(t.content.strip())
        ),
        None,
    )
    if more is not None:
        pieces = _flatten(tokens[:more], inline_math, None)
        return Excerpt(_join(pieces), False, _text(pieces))
    return _cut(_flatten(tokens, inline_math, limit), limit)


def _flatten(tokens: Sequence[Token], inline_math: InlineMath, limit: int | None) -> list[Piece]:
    """The pieces of the prose of ``tokens``. With a ``limit``, they end soon after the
    first piece past ``limit`` units, where :func:`_cut` stops reading: the rest is not
    made (nor its formulas typeset)."""
    pieces: list[Piece] = []
    skip_until: str | None = None
    in_heading = False
    units = 0
    for token in tokens:
        if limit is not None and units > limit:
            break
        if skip_until is not None:
            if token.type == skip_until:
                skip_until = None
            continue
        if token.type in SKIPPED_CONTAINERS:
            skip_until = SKIPPED_CONTAINERS[token.type]
        elif token.type == "heading_open":
            in_heading = True
        elif token.type == "inline":
            block = _inline_pieces(
                token.children or [],
                inline_math,
                budget=None if limit is None else 2 * limit - units,
                room=None if limit is None else limit - units,
            )
            block_units = sum(p.units for p in block)
            if not block_units:
                continue
            _separate(pieces, block)
            pieces.extend(block)
            units += block_units
            if in_heading:
                _end_sentence(pieces)
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "list_item_close":
            _end_clause(pieces)
    return pieces


def _inline_pieces(
    children: Sequence[Token], inline_math: InlineMath, budget: int | None, room: int | None
) -> list[Piece]:
    """The pieces of one inline run. Outside links, they end with the first piece past
    ``room`` units counting no spaces (pieces whose text is a space, which :func:`_trim` may
    drop): that piece is past the limit, so no excerpt reaches what would follow. They also
    end before a child once past ``budget`` units, spaces included, where excerpts have
    always stopped: that comes first only in a run with blank code spans (`` ` ` ``) worth
    more units than the limit."""
    pieces: list[Piece] = []
    link: list[Piece] | None = None
    units = solid = 0  # of the pieces so far (outside links); of those that are not spaces
    for child in children:
        if link is None and (
            (budget is not None and units > budget) or (room is not None and solid > room)
        ):
            break
        kind = child.type
        if kind == "text":
            if link is not None:
                link.extend(_text_pieces(child.content, None)[0])
                continue
            words, text_units = _text_pieces(child.content, None if room is None else room - solid)
            pieces.extend(words)
            units += text_units
            solid += text_units  # a space in text weighs nothing
            continue
        if kind in ("softbreak", "hardbreak"):
            piece = Piece(" ", " ", 0, boundary=True)
        elif kind == "code_inline":
            code = html.escape(child.content)
            piece = Piece(f"<code>{code}</code>", child.content, max(1, len(child.content) // 4))
        elif kind == "math_inline":
            piece = Piece(inline_math(child), child.content, 2, reads_html=True)
        elif kind == "link_open":
            link = []
            continue
        elif kind == "link_close" and link is not None:
            inner = "".join(p.html for p in link)
            text = "".join(p.text for p in link)
            reads = "".join(p.plain for p in link)
            piece = Piece(inner, text, sum(p.units for p in link), reads=reads)
            link = None
        else:
            continue
        if link is not None:
            link.append(piece)
        else:
            pieces.append(piece)
            units += piece.units
            if piece.text != " ":
                solid += piece.units
    return _trim(pieces)


def _text_pieces(text: str, room: int | None) -> tuple[list[Piece], int]:
    """The pieces of ``text`` and their units, up to the first past ``room`` units."""
    out: list[Piece] = []
    units = 0
    for match in _SEGMENTS.finditer(text):
        kind = match.lastindex
        seg = match.group()
        if kind == 1:
            if room is not None and units + len(seg) > room:
                seg = seg[: room - units + 1]
            out.extend([Piece(char, char, 1) for char in seg])
            units += len(seg)
        elif kind == 3:
            out.append(Piece(" ", " ", 0, boundary=True))
        elif len(seg) > 1 or seg.isalnum():
            out.append(Piece(html.escape(seg) if "'" in seg else seg, seg, 2))
            units += 2
        else:
            out.append(Piece(html.escape(seg), seg, 0, boundary=seg in CLAUSE_ENDS))
        if room is not None and units > room:
            break
    return out, units


def _trim(pieces: list[Piece]) -> list[Piece]:
    while pieces and pieces[0].text == " ":
        pieces.pop(0)
    while pieces and pieces[-1].text == " ":
        pieces.pop()
    return pieces


def _last_char(pieces: list[Piece]) -> str:
    return pieces[-1].text[-1:] if pieces and pieces[-1].text else ""


def _separate(pieces: list[Piece], following: list[Piece]) -> None:
    """A space between blocks when either side is Latin; nothing between CJK."""
    if not pieces:
        return
    before, after = _last_char(pieces), following[0].text[:1]
    if not (_CJK.match(before) or before in "。！？；，：") or not _CJK.match(after):
        pieces.append(Piece(" ", " ", 0, boundary=True))


def _end_sentence(pieces: list[Piece]) -> None:
    last = _last_char(pieces)
    if last in SENTENCE_ENDS or last in "：:":
        pieces[-1].boundary = True
        return
    mark = "。" if _mostly_cjk(pieces) else "."
    pieces.append(Piece(mark, mark, 0, boundary=True))


def _mostly_cjk(pieces: list[Piece]) -> bool:
    return bool(_CJK.search("".join(p.text for p in pieces[-8:])))


def _end_clause(pieces: list[Piece]) -> None:
    if not pieces:
        return
    last = _last_char(pieces)
    if last in CLAUSE_ENDS:
        pieces[-1].boundary = True
        return
    mark = "；" if _mostly_cjk(pieces) else ";"
    pieces.append(Piece(mark, mark, 0, boundary=True))


def _cut(pieces: list[Piece], limit: int) -> Excerpt:
    total = 0
    last_boundary = -1
    last_sentence = -1
    for i, piece in enumerate(pieces):
        total += piece.units
        if total > limit:
            cut_at = last_boundary if last_boundary >= 0 else max(i - 1, 0)
            if last_sentence >= 0 and _units(pieces[: last_sentence + 1]) >= limit * 0.6:
                cut_at = last_sentence
            kept = _trim(list(pieces[: cut_at + 1]))
            while kept and (kept[-1].text in CLAUSE_ENDS or kept[-1].text == " "):
                kept.pop()
            return Excerpt(_join(kept) + ELLIPSIS, True, _text(kept) + ELLIPSIS)
        if piece.boundary:
            last_boundary = i
        if piece.text and piece.text[-1] in SENTENCE_ENDS:
            last_sentence = i
    return Excerpt(_join(pieces), False, _text(pieces))


def _units(pieces: list[Piece]) -> int:
    return sum(p.units for p in pieces)


def _join(pieces: list[Piece]) -> str:
    return "".join(p.html for p in pieces).strip()


def _text(pieces: list[Piece]) -> str:
    return " ".join("".join(p.plain for p in pieces).split())
