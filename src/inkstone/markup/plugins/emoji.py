"""Emoji shortcodes: ``:bulb:`` → 💡, ``:white_check_mark:`` → ✅.

Names are GitHub's and Slack's aliases, as the ``emoji`` package knows them
(``language="alias"``). Only prose text is read: code, formulas, raw HTML and the text of
a bare URL (``https://x.org/:bulb:/``) are separate tokens or skipped, so they keep their
colons. A shortcode must not touch a Latin letter or digit on either side, so times
(``12:30:45``) and ``host:port:`` stay as written; an unknown name (``:foo:``) stays too.
``\\:bulb:`` writes the shortcode itself.
"""

from __future__ import annotations

import re

import emoji
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

SHORTCODE = re.compile(r"(?<![A-Za-z0-9]):[A-Za-z0-9_+\-]+:(?![A-Za-z0-9])")
"""A ``:name:`` not glued to a Latin letter or digit."""
URL_WORD = re.compile(r"\S*://\S*|www\.\S+")
"""A run of text that is a URL linkify did not turn into a link."""
URL_LINKS = ("linkify", "autolink")
"""``link_open.markup`` of links whose text is the URL itself."""


def emoji_plugin(md: MarkdownIt) -> None:
    """Register the rule before ``text_join``, while a backslash escape (``\\:``) is still
    a token of its own, so an escaped colon never starts a shortcode."""
    md.core.ruler.before("text_join", "emoji", _replace_shortcodes)


def emojize(text: str) -> str:
    """``text`` with every known shortcode outside URLs replaced by its emoji."""
    if ":" not in text:
        return text
    urls = [match.span() for match in URL_WORD.finditer(text)]

    def replace(match: re.Match[str]) -> str:
        if any(start <= match.start() < end for start, end in urls):
            return match.group(0)
        return emoji.emojize(match.group(0), language="alias")

    return SHORTCODE.sub(replace, text)


def _replace_shortcodes(state: StateCore) -> None:
    for block in state.tokens:
        if block.type == "inline" and block.children:
            _replace_in(block.children)


def _replace_in(children: list[Token]) -> None:
    in_url = False
    for child in children:
        if child.type == "link_open":
            in_url = child.markup in URL_LINKS
        elif child.type == "link_close":
            in_url = False
        elif child.type == "text" and not in_url:
            child.content = emojize(child.content)
        elif child.type == "image" and child.children:
            _replace_in(child.children)
