"""Content tabs, written as in MkDocs Material (``pymdownx.tabbed``)::

    === "PyTorch"

        body, indented by 4 spaces: code, formulas, lists …

    === "JAX"

        another body

Consecutive ``===`` blocks (blank lines between them allowed) form one tab set; ``===!``
starts a new set right after another, ``===+`` marks the tab shown first. The label is
inline Markdown in double quotes. A tab whose body is not indented gets an empty panel and
a warning (its text follows the tab set as an ordinary paragraph).

The HTML works without JavaScript, every panel shown under its own label::

    <div class="tabs">
    <div class="tab-panel"><p class="tab-label">PyTorch</p> … </div>
    <div class="tab-panel" data-selected><p class="tab-label">JAX</p> … </div>
    </div>

(``data-selected``: written ``===+``.) The theme's script turns each set into an ARIA tab
list (``role=tablist/tab/tabpanel``), which is why a page with tabs has the feature ``tabs``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from inkstone.markup.plugins.containers import (
    BODY_INDENT,
    fixed_html,
    indented_body_end,
    is_blank,
    line_break_before,
    line_text,
    tokenize_body,
    warn,
)

_MARKER = re.compile(r'===([!+]?)[ \t]+"(.*\S.*)"[ \t]*')
_UNQUOTED = re.compile(r'===[!+]?[ \t]+[^"\s].*')
FEATURE = "tabs"
"""Added to ``env["features"]`` by a page that has tabs."""


@dataclass
class _Tab:
    """One ``===`` block of a tab set."""

    line: int
    """The marker line."""
    label: str
    selected: bool
    body_end: int
    """The line after its body."""


def tabs_plugin(md: MarkdownIt) -> None:
    """Register the block rule (before fenced code) and the ``tabs_*`` render rules."""
    md.block.ruler.before(
        "fence", "tabs", _tabs, {"alt": ["paragraph", "reference", "blockquote", "list"]}
    )
    md.add_render_rule("tabs_open", _render_tabs_open)
    md.add_render_rule("tabs_close", fixed_html("</div>\n"))
    md.add_render_rule("tab_open", _render_tab_open)
    md.add_render_rule("tab_close", fixed_html("</div>\n"))
    md.add_render_rule("tab_label_open", fixed_html('<p class="tab-label">'))
    md.add_render_rule("tab_label_close", fixed_html("</p>\n"))


def _tabs(state: StateBlock, start: int, end: int, silent: bool) -> bool:
    if state.is_code_block(start):
        return False
    text = line_text(state, start)
    first = _MARKER.fullmatch(text)
    if first is None:
        if not silent and _UNQUOTED.fullmatch(text):
            warn(
                state.env,
                start,
                f"`{text}` is not a tab: its label is not in double quotes",
                'write `=== "LABEL"`',
            )
        return False
    if silent:
        return True

    tabs: list[_Tab] = []
    line, marker = start, first
    while True:
        indent = state.sCount[line] + BODY_INDENT
        body_end = indented_body_end(state, line + 1, end, indent)
        tabs.append(_Tab(line, marker.group(2), marker.group(1) == "+", body_end))
        following = body_end
        while following < end and is_blank(state, following):
            following += 1
        if following >= end or state.sCount[following] != state.sCount[start]:
            break
        next_marker = _MARKER.fullmatch(line_text(state, following))
        if next_marker is None or next_marker.group(1) == "!":
            break
        line, marker = following, next_marker

    features = state.env.get("features")
    if isinstance(features, set):
        features.add(FEATURE)
    tab_set = state.push("tabs_open", "div", 1)
    tab_set.map = [start, tabs[-1].body_end]
    for tab in tabs:
        panel = state.push("tab_open", "div", 1)
        panel.map, panel.meta = [tab.line, tab.body_end], {"selected": tab.selected}
        state.push("tab_label_open", "p", 1)
        label = state.push("inline", "", 0)
        label.content, label.map, label.children = tab.label, [tab.line, tab.line + 1], []
        state.push("tab_label_close", "p", -1)
        if tab.body_end == tab.line + 1:
            warn(
                state.env,
                tab.line,
                f'tab "{tab.label}" has no content',
                "indent the tab's content by 4 spaces under its `===` line",
            )
        tokenize_body(state, tab.line + 1, tab.body_end, state.sCount[tab.line] + BODY_INDENT)
        state.push("tab_close", "div", -1)
    state.push("tabs_close", "div", -1)
    state.line = tabs[-1].body_end
    return True


def _render_tabs_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return line_break_before(tokens, idx) + '<div class="tabs">\n'


def _render_tab_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    selected = " data-selected" if tokens[idx].meta.get("selected") else ""
    return f'<div class="tab-panel"{selected}>\n'
