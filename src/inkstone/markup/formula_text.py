"""A typeset formula as one line of plain text, for places that cannot show KaTeX: a post's
description, which is its ``<meta name="description">``, its link preview
(``og:description``) and its JSON Feed summary, what search engines and feed readers show.

The text is read from the formula's MathML, keeping what its layout means: ``g_t^2`` is
``gₜ²`` and ``\\alpha = 10^{-3}`` is ``α=10⁻³`` (the MathML's text alone would read
``gt2`` and ``10−3``, another number). Scripts use Unicode's sub- and superscript letters
when every character of the script has one (and it holds no word of four letters or
more); otherwise they are written ``_x`` or ``^(…)``.
Fractions are ``a/b`` (with parentheses around an operand of more than one term), roots
``√x``, accents combining marks (``x̂``), ``\\mathbb`` and ``\\mathcal`` letters their
Unicode letters (``ℝ``, ``ℒ``), matrices and aligned rows ``(a, b; c, d)``.

Only KaTeX's MathML is read (simple, well-formed tags); for anything else
:func:`formula_text` returns None and the caller falls back to the plain text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape

from inkstone.html_text import SIMPLE_ATTRIBUTE, SIMPLE_TAG, plain_text

_SUPERSCRIPTS = dict(
    zip(
        "0123456789+−-=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ′*∗⊤T",
        "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡ′**ᵀᵀ",
        strict=True,
    )
)
_SUBSCRIPTS = dict(
    zip(
        "0123456789+−-=()aehijklmnoprstuvxβγρφχ",
        "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
        strict=True,
    )
)
_ACCENTS = {
    "^": "\u0302",
    "ˆ": "\u0302",
    "~": "\u0303",
    "˜": "\u0303",
    "ˉ": "\u0304",
    "‾": "\u0305",
    "¯": "\u0304",
    "˙": "\u0307",
    "¨": "\u0308",
    "˚": "\u030a",
    "ˇ": "\u030c",
    "˘": "\u0306",
    "´": "\u0301",
    "`": "\u0300",
    "⃗": "\u20d7",
    "→": "\u20d7",
}
"""What KaTeX writes over a letter for ``\\hat``, ``\\tilde``, ``\\bar``, ``\\vec``…, and
the combining mark that puts it over a letter in text."""

_DOUBLE_STRUCK = {"C": "ℂ", "H": "ℍ", "N": "ℕ", "P": "ℙ", "Q": "ℚ", "R": "ℝ", "Z": "ℤ"}
_SCRIPT = {"B": "ℬ", "E": "ℰ", "F": "ℱ", "H": "ℋ", "I": "ℐ", "L": "ℒ", "M": "ℳ", "R": "ℛ"}
_SCRIPT.update({"e": "ℯ", "g": "ℊ", "o": "ℴ"})
_FRAKTUR = {"C": "ℭ", "H": "ℌ", "I": "ℑ", "R": "ℜ", "Z": "ℨ"}
_ALPHABET_STARTS = {
    "double-struck": (0x1D538, 0x1D552, _DOUBLE_STRUCK),
    "script": (0x1D49C, 0x1D4B6, _SCRIPT),
    "fraktur": (0x1D504, 0x1D51E, _FRAKTUR),
}
"""Where each mathematical alphabet's capitals and small letters start in Unicode, and the
letters it has elsewhere (the holes of the block are older characters)."""

_FUNCTION_APPLICATION = "\u2061"
"""What KaTeX puts after ``log``, ``max`` and the like; a space in the text, unless a
bracket follows."""
_JOINED_ON = re.compile(f"{_FUNCTION_APPLICATION}+(?=[\\s(\\[{{|]|$)")
_SCRIPT_END = "\ue000"
"""Put after a script written ``^(…)`` or ``_(…)``: a space where a letter or a bracket
follows (``D_(KL) (q∥p)``, so that the bracket does not read as part of the script),
nothing elsewhere."""
_CHARACTER_SCRIPT_END = "\ue001"
"""Put after a script of one character written ``_x``: a space where a letter follows
(``∇_θ J``), nothing elsewhere (``μ_θ(xₜ,t)``)."""
_SPACED_SCRIPT_END = re.compile(f"{_SCRIPT_END}(?=[\\w(\\[{{])|{_CHARACTER_SCRIPT_END}(?=\\w)")
_SCRIPT_ENDS = _SCRIPT_END + _CHARACTER_SCRIPT_END
_WITHOUT_SCRIPT_ENDS = dict.fromkeys(map(ord, _SCRIPT_ENDS))
_INNER_SPACE = re.compile(r"(?<=[(\[{]) | (?=[)\]},])")
"""A space just inside a bracket or before a comma."""
_WORD = re.compile(r"[a-zA-Z]{4}")
"""A word in a script, which reads better as ``_(simple)`` than in small letters."""
_INVISIBLE = dict.fromkeys(map(ord, "\u2062\u2063\u2064"))
_NEGATIVE_SPACE = re.compile("\\s\u2063")
"""How KaTeX's MathML writes ``\\!`` and the other negative spaces: a space, then an
invisible separator. Nothing in the text."""
_BIG_OPERATORS = set("∑∏∐∫∬∭∮⋃⋂⨁⨂⋁⋀")
_OPERATORS = set("+−-=×·⋅/<>≤≥≈≠∼∝→←↦∈∉⊂⊆∪∩∣|,;:∧∨⊕⊗∘ ") | _BIG_OPERATORS
_DECORATIONS = set("⏞⏟︷︸_‾¯←→↔⟵⟶")
"""Drawn over or under a formula by ``\\overbrace``, ``\\underline``, ``\\overrightarrow``…:
left out of the text."""


@dataclass
class _Node:
    tag: str
    attributes: dict[str, str]
    children: list[_Node | str] = field(default_factory=list)


def formula_text(html: str) -> str | None:
    """The text of the formula KaTeX rendered as ``html`` (its MathML read as the module
    says), or None when ``html`` holds no MathML this can read."""
    start = html.find("<math")
    end = html.find("</math>", start)
    if start == -1 or end == -1:
        return None
    return _mathml_text(html[start : end + len("</math>")])


def formula_line(html: str) -> str:
    """The formula KaTeX rendered as ``html`` as one line of text: :func:`formula_text`, or,
    where that cannot read it, the plain text of its MathML."""
    text = formula_text(html)
    return plain_text(html) if text is None else text


@lru_cache(maxsize=4096)
def _mathml_text(mathml: str) -> str | None:
    tree = _parse(mathml)
    if tree is None:
        return None
    text = _text(tree)
    text = _JOINED_ON.sub("", text).replace(_FUNCTION_APPLICATION, " ")
    text = _SPACED_SCRIPT_END.sub(" ", text).translate(_WITHOUT_SCRIPT_ENDS)
    text = _INNER_SPACE.sub("", " ".join(text.split()))
    # an accent is a combining mark after its letter: ᾱ, not α and U+0304
    return unicodedata.normalize("NFC", text)


def _parse(mathml: str) -> _Node | None:
    """The element tree of well-formed MathML, read tag by tag with
    :data:`~inkstone.html_text.SIMPLE_TAG`; None if it is not made of such tags, or does
    not balance. Each match takes one ``<``, so the tags were all read, back to back, when
    there are as many matches as ``<`` and the MathML ends with a tag."""
    tags = SIMPLE_TAG.findall(mathml)
    if len(tags) != mathml.count("<") or not mathml.endswith(">"):
        return None  # a comment or anything else this does not read
    root = _Node("", {})
    stack = [root]
    for text, name, attributes, self_closing, end_name in tags:
        if text:
            stack[-1].children.append(unescape(text) if "&" in text else text)
        if end_name:
            if len(stack) == 1 or stack[-1].tag != end_name:
                return None
            stack.pop()
            continue
        node = _Node(name, dict(SIMPLE_ATTRIBUTE.findall(attributes)) if attributes else {})
        stack[-1].children.append(node)
        if not self_closing:
            stack.append(node)
    if len(stack) != 1 or not root.children:
        return None
    first = root.children[0]
    return first if isinstance(first, _Node) else None


def _text(node: _Node | str) -> str:
    if isinstance(node, str):
        if "\u2063" in node:
            node = _NEGATIVE_SPACE.sub("", node)
        return node.translate(_INVISIBLE)
    tag = node.tag
    if tag in ("mi", "mn", "mo", "mtext", "ms"):
        text = "".join(_text(c) for c in node.children)  # "\ " is a space in an <mtext>
        return _letters(text, node.attributes.get("mathvariant")) if tag == "mi" else text
    children = [c for c in node.children if isinstance(c, _Node) or c.strip()]
    if tag == "semantics":
        return _text(children[0]) if children else ""
    if tag in ("annotation", "annotation-xml", "mphantom", "none", "mprescripts"):
        return ""
    if tag == "mspace":
        return " " if _em(node.attributes.get("width", "")) >= 0.25 else ""  # \; and wider
    if tag in ("msub", "munder") and len(children) == 2:
        return _scripted(node, children[0], under=children[1])
    if tag in ("msup", "mover") and len(children) == 2:
        return _scripted(node, children[0], over=children[1])
    if tag in ("msubsup", "munderover") and len(children) == 3:
        return _scripted(node, children[0], under=children[1], over=children[2])
    if tag == "mfrac" and len(children) == 2:
        top, bottom = _text(children[0]), _text(children[1])
        if node.attributes.get("linethickness", "").rstrip("px") == "0":
            return f"{top} {bottom}"  # \binom: its parentheses are around it
        return f"{_grouped(top)}/{_grouped(bottom)}"
    if tag == "msqrt":
        return "√" + _grouped("".join(_text(c) for c in children))
    if tag == "mroot" and len(children) == 2:
        return _script(_text(children[1]), _SUPERSCRIPTS, "^") + "√" + _grouped(_text(children[0]))
    if tag == "mtable":
        return _table(node)
    return _row(children)


def _row(children: list[_Node | str]) -> str:
    """Children one after the other; a fraction followed by a term is put in parentheses,
    so that ``1/√αₜ`` times ``(xₜ−…)`` does not read as one fraction."""
    texts = [_text(c) for c in children]
    for i, child in enumerate(children[:-1]):
        fraction = isinstance(child, _Node) and child.tag == "mfrac"
        if fraction and _starts_a_term(texts[i + 1]) and not _bracketed(texts[i]):
            texts[i] = f"({texts[i]})"
    return "".join(texts)


def _starts_a_term(text: str) -> bool:
    text = text.lstrip(_SCRIPT_ENDS)
    return bool(text) and (text[0].isalnum() or text[0] in "([{√∑∏∫")


def _scripted(
    node: _Node,
    base: _Node | str,
    under: _Node | str | None = None,
    over: _Node | str | None = None,
) -> str:
    """A base with a subscript or limit below (``under``) and a superscript, limit or accent
    above (``over``)."""
    text = _text(base)
    applied = text.endswith(_FUNCTION_APPLICATION)  # max⁡ with its limit: the space after
    text = text.rstrip(_FUNCTION_APPLICATION)
    big_operator = text.strip() in _BIG_OPERATORS
    if not applied:
        text = _grouped(text)  # (a+b)ⁿ
    accent = node.attributes.get("accent") == "true"
    accent_under = node.attributes.get("accentunder") == "true"
    if under is not None and not accent_under:
        below = _text(under)
        if below.strip() not in _DECORATIONS:
            text += _script(below, _SUBSCRIPTS, "_")
    if over is not None:
        above = _text(over).strip()
        if accent and above in _ACCENTS and len(text) == 1:
            text += _ACCENTS[above]
        elif not accent and above not in _DECORATIONS:
            text += _script(above, _SUPERSCRIPTS, "^")
    if applied:
        text += _FUNCTION_APPLICATION
    elif big_operator:
        text += " "
    return text


def _script(text: str, letters: dict[str, str], mark: str) -> str:
    text = text.strip().rstrip(_FUNCTION_APPLICATION)  # x_{\max}: xₘₐₓ
    if text and all(c in letters for c in text) and not _WORD.search(text):
        return "".join(letters[c] for c in text)
    if len(text) <= 1:
        return mark + text + _CHARACTER_SCRIPT_END
    if _bracketed(text):
        return mark + text + _SCRIPT_END
    return f"{mark}({text}){_SCRIPT_END}"


def _grouped(text: str) -> str:
    """``text`` as one operand: in parentheses unless it is one term already."""
    text = text.strip()
    if len(text) <= 1 or not any(c in _OPERATORS for c in text) or _bracketed(text):
        return text
    return f"({text})"


def _bracketed(text: str) -> bool:
    """Whether ``text`` is in one pair of brackets: the one it opens with closes at its end."""
    if not text or text[0] not in "([{":
        return False
    depth = 0
    for i, c in enumerate(text):
        depth += (c in "([{") - (c in ")]}")
        if depth == 0:
            return i == len(text) - 1
    return False


def _table(node: _Node) -> str:
    """Rows joined by ``; `` (by a space after a row ending in ``,``, ``;`` or ``.``, as
    aligned equations often do); the cells of a matrix or of cases by ``, ``, those of
    aligned equations (right- and left-aligned in turn) run together. An equation's number
    is left out, as a description or a search excerpt has no use for it."""
    aligned = node.attributes.get("columnalign", "").startswith("right left")
    tagged = node.attributes.get("width") == "100%"
    rows: list[str] = []
    for row in node.children:
        if not isinstance(row, _Node):
            continue
        columns = [cell for cell in row.children if isinstance(cell, _Node)]
        if row.tag == "mlabeledtr":
            columns = columns[1:]  # the equation's number
        elif tagged and len(columns) == 4 and not columns[0].children + columns[2].children:
            columns = columns[1:2]  # \tag: spacer, equation, spacer, number
        cells = [_text(cell).strip() for cell in columns]
        rows.append("".join(cells) if aligned else _joined(cells, ", ", (",", ";")))
    return _joined(filter(None, rows), "; ", (",", ";", "."))


def _joined(parts: Iterable[str], separator: str, ends: tuple[str, ...]) -> str:
    """``parts`` one after the other, with ``separator`` between two, or a space after a
    part that ends in one of ``ends`` (cases: ``x, x>0``; rows: ``a=b, c=d``)."""
    text = ""
    for part in parts:
        if text:
            text += " " if text.endswith(ends) else separator
        text += part
    return text


def _letters(text: str, variant: str | None) -> str:
    """``text`` in the mathematical alphabet ``variant`` (``double-struck``, ``script``,
    ``fraktur``); other variants (bold, italic…) are left as plain letters."""
    if variant not in _ALPHABET_STARTS:
        return text
    capitals, small, elsewhere = _ALPHABET_STARTS[variant]
    out = []
    for c in text:
        if c in elsewhere:
            out.append(elsewhere[c])
        elif "A" <= c <= "Z":
            out.append(chr(capitals + ord(c) - ord("A")))
        elif "a" <= c <= "z":
            out.append(chr(small + ord(c) - ord("a")))
        else:
            out.append(c)
    return "".join(out)


def _em(width: str) -> float:
    """A width such as ``1em`` or ``0.1667em`` in em (0 for other units)."""
    if width.endswith("em"):
        try:
            return float(width[:-2])
        except ValueError:
            return 0.0
    return 0.0
