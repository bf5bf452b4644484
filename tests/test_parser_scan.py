"""The parser's faster scans (:mod:`inkstone.markup.plugins.fast_scan`) give exactly what
markdown-it-py's own loops give: the same line marks, the same tokens."""

from __future__ import annotations

import random
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core.block import block as original_block
from markdown_it.rules_inline.text import text as original_text
from markdown_it.token import Token

from inkstone.markup.markdown import parser
from inkstone.markup.plugins import fast_scan
from inkstone.markup.plugins.fast_scan import LinesState, QuickLinkCheck

ROOT = Path(__file__).resolve().parent.parent
EDGES = [
    "a",
    "a\n",
    "\n",
    "\n\n",
    "  ",
    "a\n  ",
    "a\n  \n",
    " \t x\n\t\ty",
    "\t",
    "x\n\t",
    "中\n\n  文  ",
]


def _marks(state: StateBlock) -> tuple[object, ...]:
    return (
        state.bMarks,
        state.eMarks,
        state.tShift,
        state.sCount,
        state.bsCount,
        state.lineMax,
        state.line,
        state.blkIndent,
        state.parentType,
        state._code_enabled,
    )


def test_line_marks_equal_markdown_its_own() -> None:
    md = MarkdownIt()
    pick = random.Random(6)
    texts = EDGES + [
        "".join(pick.choice("ab \t\n中") for _ in range(pick.randint(1, 16))) for _ in range(5000)
    ]
    for text in texts:
        assert _marks(LinesState(text, md, {}, [])) == _marks(StateBlock(text, md, {}, [])), text


def _dump(tokens: list[Token]) -> list[MutableMapping[str, Any]]:
    """Every field of every token, children included."""
    return [token.as_dict() for token in tokens]


def test_tokens_equal_those_of_markdown_its_own_rules() -> None:
    """Every Markdown file of the fixtures and the demo parses to the same tokens."""
    sources = sorted((ROOT / "tests" / "fixtures").rglob("*.md"))
    sources += sorted((ROOT / "examples").rglob("*.md"))
    assert len(sources) > 20
    texts = [path.read_text(encoding="utf-8") for path in sources] + EDGES
    md = parser()
    assert md.linkify is not None
    quick_pretest, quick_test = md.linkify.pretest, md.linkify.test
    assert isinstance(quick_pretest, QuickLinkCheck) and isinstance(quick_test, QuickLinkCheck)
    fast = [_dump(md.parse(text, {})) for text in texts]
    try:
        md.inline.ruler.at("text", original_text)
        md.core.ruler.at("block", original_block)
        md.linkify.pretest, md.linkify.test = quick_pretest.check, quick_test.check
        slow = [_dump(md.parse(text, {})) for text in texts]
    finally:
        md.inline.ruler.at("text", fast_scan._text)
        md.core.ruler.at("block", fast_scan._block)
        md.linkify.pretest, md.linkify.test = quick_pretest, quick_test
    assert fast == slow


LINKISH = [
    "see https://example.com/a，以及",
    "HTTP://X.ORG",
    "mailto:a@b.cn",
    "//cdn.example.net/x.js",
    "ftp:files",
    "www.zhihu.com",
    "localhost:8000",
    "LOCALHOST",
    "LOCALHO\u017fT",  # long s: folds to "s" under IGNORECASE
    "\u212aatex.org",  # Kelvin sign: folds to "k"
    "10.0.0.1",
    "a@b",
    "v1.2 版本",
    "公式。见下文：",
    "无链接的中文段落，只有全角标点！",
    "$a_i*b_j$ and more",
    "",
]


def test_quick_link_checks_answer_as_linkify_it_does() -> None:
    """The shortcut answers False only where linkify-it's own ``pretest`` and ``test`` do,
    on linkish text and on random text over the characters links are made of."""
    md = parser()
    assert md.linkify is not None
    checks = [md.linkify.pretest, md.linkify.test]
    assert all(isinstance(check, QuickLinkCheck) for check in checks)
    schemes = {name for name in md.linkify._compiled if name}
    assert schemes == {"http:", "https:", "ftp:", "mailto:", "//"}, schemes
    pick = random.Random(7)
    alphabet = "aAcCfFhHiIkKlLmMoOpPsStTwWz0159.:/@ 中，。\u017f\u212a\u0130рф"
    texts = list(LINKISH)
    texts += [
        "".join(pick.choice(alphabet) for _ in range(pick.randint(0, 14))) for _ in range(6000)
    ]
    texts += [f"{pick.choice(['', 'x ', '中'])}{w}" for w in _LINKISH_WORDS for _ in range(3)]
    skipped = found = 0
    for text in texts:
        for check in checks:
            assert isinstance(check, QuickLinkCheck)
            assert check(text) == check.check(text), (check.check, text)
        skipped += not fast_scan._MAY_LINK.search(text)
        found += md.linkify.test(text)
    assert skipped > 1000 and found > 30  # the shortcut is taken, and links are still found


_LINKISH_WORDS = [
    "example.com", "EXAMPLE.COM", "a.io", "x.рф", "x.РФ", "xn--p1ai.xn--p1ai", "1.2.3.4",
    "192.168.0.1:80", "www.x", "WWW.X.org", "user@host.cn", "MAILTO:a@b.c", "Http://x",
    "ftp://f.org", "//cdn.net/a", "localhost:3000", "a.b", "e.g.", "v1.5", "x.\u212aR",
]  # fmt: skip


def _sources() -> list[str]:
    paths = sorted((ROOT / "tests" / "fixtures").rglob("*.md"))
    paths += sorted((ROOT / "examples").rglob("*.md"))
    return [path.read_text(encoding="utf-8") for path in paths] + EDGES


def test_blocks_tried_by_first_character_give_the_same_tokens() -> None:
    """Trying on a line only the block rules that may start with its first character
    (:class:`fast_scan.BlockDispatch`) gives the tokens that trying every rule gives."""
    md = parser()
    dispatch = md.block.tokenize
    assert isinstance(dispatch, fast_scan.BlockDispatch)
    texts = _sources()
    fast = [_dump(md.parse(text, {})) for text in texts]
    del md.block.tokenize  # markdown-it-py's own loop, every rule on every line
    try:
        slow = [_dump(md.parse(text, {})) for text in texts]
    finally:
        md.block.tokenize = dispatch  # type: ignore[method-assign]
    assert fast == slow


def test_block_rules_match_only_lines_starting_as_declared() -> None:
    """Each rule of :data:`fast_scan.FIRST_CHARACTERS` matches, whether asked to or asked
    whether it would (a paragraph asks, to know where it ends), only a line that starts
    with one of its characters; every rule is seen to match some line."""
    md = parser()
    dispatch = md.block.tokenize
    rules = {rule.name: (rule.fn, list(rule.alt)) for rule in md.block.ruler.__rules__}
    assert set(fast_scan.FIRST_CHARACTERS) <= set(rules)
    matched: dict[str, set[str]] = {name: set() for name in fast_scan.FIRST_CHARACTERS}

    def watched(name: str, rule: Any) -> Any:
        def watch(state: StateBlock, start: int, end: int, silent: bool) -> bool:
            result = rule(state, start, end, silent)
            if result:
                matched[name].add(state.src[state.bMarks[start] + state.tShift[start]])
            return bool(result)

        return watch

    extra = [
        "***\n",
        "- a\n- b\n\n1. c\n",
        "+ x\n",
        "[^1]: note\n\n[a]: https://example.com\n",
        "para\n> quote\n",
        "para\n$$\nx\n$$\n",
        "para\n\\[\nx\n\\]\n",
        "para\n\\begin{aligned}\na\n\\end{aligned}\n",
        'text\n=== "Tab"\n    body\n',
        'text\n!!! note "T"\n    body\n',
        "text\n<details>\n<summary>s</summary>\n\nb\n</details>\n",
        "~~~\ncode\n~~~\n",
    ]
    try:
        for name, (rule, alt) in rules.items():
            if name in fast_scan.FIRST_CHARACTERS:  # `at` takes the chains it ends anew
                md.block.ruler.at(name, watched(name, rule), {"alt": alt})
        del md.block.tokenize
        for text in _sources() + extra:
            md.parse(text, {})
    finally:
        for name, (rule, alt) in rules.items():
            md.block.ruler.at(name, rule, {"alt": alt})
        md.block.tokenize = dispatch  # type: ignore[method-assign]
    assert [(r.fn, r.alt) for r in md.block.ruler.__rules__] == list(rules.values())
    for name, starts in matched.items():
        assert starts, f"no line matched by {name}"
        assert starts <= set(fast_scan.FIRST_CHARACTERS[name]), (name, starts)
