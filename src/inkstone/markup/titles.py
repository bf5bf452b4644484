"""Formulas in titles: ``为什么要除以 $\\sqrt{d_k}$`` is typeset wherever a page shows the
title (its heading, the lists, every link to it) and read as one line of text where only
text can go (``<title>``, feeds, the search index, JSON-LD): ``为什么要除以 √dₖ``. A front
matter ``summary`` is read the same way: typeset in the lists, text in the page's
description.

A title is read with the body's delimiters and rules (``$…$``, ``$$…$$``, ``\\(…\\)``,
``\\[…\\]``; ``花了 $5 和 $10`` stays money) and nothing else of Markdown: ``*``, ``_``
and backticks stay as written, as Hugo and Hexo print a title. Every formula is typeset
inline, ``$$…$$`` too: a title is one line.

Titles are typeset in the build's own process, each formula from the render cache when a
build before had it (:func:`inkstone.rendering.typeset_titles`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from inkstone.content.model import TypesetLine
from inkstone.markup.formula_text import formula_line
from inkstone.markup.math import engine
from inkstone.markup.plugins.mathdelims import mathdelims_plugin

_MATH_TOKENS = ("math_inline", "math_inline_double")


@dataclass(frozen=True)
class TypesetTitle(TypesetLine):
    """A title holding formulas, typeset: a formula KaTeX rejects is shown as its TeX, in
    the body's error style."""

    errors: tuple[str, ...] = ()
    """KaTeX's complaint about each formula it rejected."""


def may_hold_formula(title: str) -> bool:
    """Whether ``title`` has a math delimiter at all (most titles have none, and are
    never parsed)."""
    return "$" in title or "\\(" in title or "\\[" in title


def title_pieces(title: str) -> list[str | tuple[str]]:
    """``title`` as text (a ``str``) and formulas (the TeX, in a 1-tuple), in order."""
    if not may_hold_formula(title):
        return [title]
    tokens = _parser().parseInline(title)
    pieces: list[str | tuple[str]] = []
    for token in tokens[0].children or [] if tokens else []:
        if token.type in _MATH_TOKENS:
            pieces.append((token.content.strip(),))
        elif pieces and isinstance(pieces[-1], str):
            pieces[-1] += token.content
        else:
            pieces.append(token.content)
    return pieces


def title_formulas(title: str) -> list[str]:
    """The TeX of each formula in ``title``."""
    return [piece[0] for piece in title_pieces(title) if isinstance(piece, tuple)]


def typeset_title(title: str, macros_json: str = "{}") -> TypesetTitle | None:
    """``title`` with its formulas typeset (see the module), or None when it has none."""
    pieces = title_pieces(title)
    if all(isinstance(piece, str) for piece in pieces):
        return None
    markup: list[str] = []
    text: list[str] = []
    errors: list[str] = []
    for piece in pieces:
        if isinstance(piece, str):
            markup.append(html.escape(piece))
            text.append(piece)
            continue
        result = engine().render(piece[0], False, macros_json)
        if result.error is None:
            markup.append(result.html)
            text.append(formula_line(result.html))
            continue
        errors.append(result.error)
        written = f"${piece[0]}$"
        markup.append(
            f'<code class="math-error" title="{html.escape(result.error)}">'
            f"{html.escape(written)}</code>"
        )
        text.append(written)
    return TypesetTitle("".join(markup), " ".join("".join(text).split()), tuple(errors))


def formulas_of(titles: Iterable[str]) -> list[tuple[str, bool]]:
    """The formulas of ``titles`` as :meth:`~inkstone.markup.math.KatexEngine.prefetch`
    takes them (all inline)."""
    return [(tex, False) for title in titles for tex in title_formulas(title)]


@cache
def _parser() -> MarkdownIt:
    """Only text and formulas: the body's math rules on markdown-it's empty preset."""
    md = MarkdownIt("zero")
    md.use(dollarmath_plugin, allow_space=True, allow_digits=False, double_inline=True)
    md.use(mathdelims_plugin)
    md.inline.ruler.disable("text_eqref")  # `\eqref{x}` in a title is text
    return md
