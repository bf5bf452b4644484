"""Bare URLs end at full-width punctuation.

linkify takes ``https://example.com/a，以及`` as one URL, because full-width characters may
appear in URLs; in Chinese prose a ``，`` or ``）`` right after a URL always ends it. This
core rule, run after linkify, cuts such links at the first full-width punctuation mark and
gives the rest back to the text. Chinese letters in a path (``/中文路径``) stay in the URL.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

FULL_WIDTH_PUNCTUATION = set("，。、；：！？（）【】「」『』《》〈〉“”‘’…—～·")


def linkify_cjk_plugin(md: MarkdownIt) -> None:
    """Register the rule after ``linkify``."""
    md.core.ruler.after("linkify", "linkify_cjk", _cut_links)


def _cut_links(state: StateCore) -> None:
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        i = 0
        while i + 2 < len(children):
            opening, text, closing = children[i], children[i + 1], children[i + 2]
            if (
                opening.type == "link_open"
                and opening.markup == "linkify"
                and text.type == "text"
                and closing.type == "link_close"
            ):
                cut = next(
                    (k for k, ch in enumerate(text.content) if ch in FULL_WIDTH_PUNCTUATION), -1
                )
                if cut > 0:
                    rest = Token("text", "", 0)
                    rest.content = text.content[cut:]
                    text.content = text.content[:cut]
                    opening.attrSet("href", state.md.normalizeLink(text.content))
                    children.insert(i + 3, rest)
            i += 1
