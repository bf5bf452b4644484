"""Excerpts for lists and feeds: a post's opening text, flattened and cut with care.

The opening prose of a post (headings, paragraphs, list items, quotes) is flattened into one
run of text and cut after about ``limit`` units, where a CJK character is one unit and a Latin
word two, at the last clause or sentence boundary (``。！？；，`` or a space between Latin
words) before the limit, and ended with "…". A formula, a code span or a link is one piece
that is never cut. Inline formulas keep their typeset KaTeX; display formulas, code blocks,
images, tables, raw HTML and the labels of callouts, toggles and tabs are left out. A
heading ends its own sentence, so it never runs into the next one. With ``<!-- more -->``
everything before the marker is taken, uncut.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from inkstone.html_text import plain_text

MORE_MARKER = "<!-- more -->"
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
    r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]"  # one CJK character
    r"|[A-Za-z0-9\u00c0-\u024f'’\-_]+"  # a Latin word
    r"|\s+"
    r"|."
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
    as MathML text)."""
    reads_html: bool = False
    """What a reader reads is the text of ``html`` (a formula: its MathML text), worked out
    only for the pieces an excerpt keeps."""

    @property
    def plain(self) -> str:
        """The piece as plain text, for descriptions."""
        if self.reads_html:
            return plain_text(self.html)
        return self.text if self.reads is None else self.reads


@dataclass
class Excerpt:
    """A post's excerpt."""

    html: str
    cut: bool
    """True when the text was cut (and ends with "…")."""
    text: str = ""
    """The same excerpt as plain text (formulas as their MathML text), for descriptions."""


InlineMath = Callable[[Token], str]
"""Renders one ``math_inline`` token to HTML (the Markdown stage's own renderer)."""


def make_excerpt(tokens: Sequence[Token], limit: int, inline_math: InlineMath) -> Excerpt:
    """The excerpt of a parsed document."""
    more = next(
        (
            i
            for i, t in enumerate(tokens)
            if t.type == "html_block" and t.content.strip() == MORE_MARKER
        ),
        None,
    )
    pieces = _flatten(
        tokens[:more] if more is not None else tokens,
        inline_math,
        stop_after=None if more is not None else limit * 2,
    )
    if more is not None:
        return Excerpt(_join(pieces), False, _text(pieces))
    return _cut(pieces, limit)


def _flatten(
    tokens: Sequence[Token], inline_math: InlineMath, stop_after: int | None
) -> list[Piece]:
    pieces: list[Piece] = []
    skip_until: str | None = None
    in_heading = False
    units = 0
    for token in tokens:
        if stop_after is not None and units > stop_after:
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
            budget = None if stop_after is None else stop_after - units
            block = _inline_pieces(token.children or [], inline_math, budget)
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
    children: Sequence[Token], inline_math: InlineMath, budget: int | None
) -> list[Piece]:
    """The pieces of one inline run; once past ``budget`` units (outside a link) the rest
    is not looked at, since no excerpt could reach it."""
    pieces: list[Piece] = []
    link: list[Piece] | None = None
    units, counted = 0, 0
    for child in children:
        if link is None and budget is not None:
            units += sum(p.units for p in pieces[counted:])
            counted = len(pieces)
            if units > budget:
                break
        target = link if link is not None else pieces
        kind = child.type
        if kind == "text":
            target.extend(_text_pieces(child.content))
        elif kind in ("softbreak", "hardbreak"):
            target.append(Piece(" ", " ", 0, boundary=True))
        elif kind == "code_inline":
            code = html.escape(child.content)
            target.append(
                Piece(f"<code>{code}</code>", child.content, max(1, len(child.content) // 4))
            )
        elif kind == "math_inline":
            rendered = inline_math(child)
            target.append(Piece(rendered, child.content, 2, reads_html=True))
        elif kind == "link_open":
            link = []
        elif kind == "link_close" and link is not None:
            inner = "".join(p.html for p in link)
            text = "".join(p.text for p in link)
            reads = "".join(p.plain for p in link)
            pieces.append(Piece(inner, text, sum(p.units for p in link), reads=reads))
            link = None
    return _trim(pieces)


def _text_pieces(text: str) -> list[Piece]:
    out = []
    for match in _SEGMENTS.finditer(text):
        seg = match.group(0)
        if seg.isspace():
            out.append(Piece(" ", " ", 0, boundary=True))
        elif _CJK.fullmatch(seg):
            out.append(Piece(seg, seg, 1))
        elif len(seg) > 1 or seg.isalnum():
            out.append(Piece(html.escape(seg), seg, 2))
        else:
            out.append(Piece(html.escape(seg), seg, 0, boundary=seg in CLAUSE_ENDS))
    return out


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
