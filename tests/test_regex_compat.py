"""inkstone's regular expressions mean the same on every Python it supports (3.11 and later).

Python 3.11.0 to 3.11.4 match a possessive repeat of a group wrongly when the group can
backtrack inside (CPython gh-106052, fixed in 3.11.5): ``(?:\\n(?!…)[^\\n]*+)*+``, which
read a fenced code block a line at a time, ran on past its closing fence there, and related
posts were ranked on half a post's words (Debian 12's Python is 3.11.2). The same repeat
written as an atomic group, ``(?>(?:…)*)``, is matched right by all of them; a possessive
repeat of one character (``[^\\n]*+``) always was.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterator
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

import inkstone
from inkstone.site.related import extract_terms

_ONE_CHARACTER = {C.LITERAL, C.NOT_LITERAL, C.IN, C.ANY, C.CATEGORY}


def _patterns(value: object, depth: int = 0) -> Iterator[re.Pattern[Any]]:
    if isinstance(value, re.Pattern):
        yield value
    elif isinstance(value, (tuple, list, frozenset, set)) and depth < 3:
        for item in value:
            yield from _patterns(item, depth + 1)
    elif isinstance(value, dict) and depth < 3:
        for item in value.values():
            yield from _patterns(item, depth + 1)


def _module_patterns() -> Iterator[tuple[str, re.Pattern[Any]]]:
    for module_info in pkgutil.walk_packages(inkstone.__path__, "inkstone."):
        module = importlib.import_module(module_info.name)
        for name, value in vars(module).items():
            for pattern in _patterns(value):
                yield f"{module_info.name}.{name}", pattern


def _possessive_groups(tree: Any) -> Iterator[str]:
    """The possessive repeats in a parsed pattern whose subpattern is more than one
    character item."""
    for op, argument in tree:
        if op is C.POSSESSIVE_REPEAT:
            sub = argument[2]
            if len(sub) != 1 or sub[0][0] not in _ONE_CHARACTER:
                yield str(sub)
        for inner in _subpatterns(argument):
            yield from _possessive_groups(inner)


def _subpatterns(argument: object) -> Iterator[Any]:
    """The subpatterns an item's argument holds, however deep in its tuples and lists (a
    group's, a branch's, a repeat's, an assertion's, an atomic group's own)."""
    if isinstance(argument, _parser.SubPattern):
        yield argument
    elif isinstance(argument, (tuple, list)):
        for part in argument:
            yield from _subpatterns(part)


def test_the_check_finds_a_possessive_group() -> None:
    assert list(_possessive_groups(_parser.parse(r"(?:\n(?!x)[^\n]*+)*+")))
    assert list(_possessive_groups(_parser.parse(r"<(a(?:bc|d)++)>")))
    assert list(_possessive_groups(_parser.parse(r"(?>x(?:ab|c)*+)")))
    assert not list(_possessive_groups(_parser.parse(r"(?>(?:\n(?!x)[^\n]*+)*)[^<]*+\s++")))


def test_no_pattern_repeats_a_group_possessively() -> None:
    patterns = list(_module_patterns())
    assert len(patterns) > 50  # the walk reaches the modules
    offending = [
        (name, pattern.pattern)
        for name, pattern in patterns
        if list(_possessive_groups(_parser.parse(pattern.pattern, pattern.flags)))
    ]
    assert offending == []


def test_a_fenced_block_ends_at_its_closing_fence() -> None:
    body = "前言 讲 梯度\n\n```python\nx = 1\n\ny = 2\n```\n\n梯度 下降 梯度 下降\n"
    terms = dict(extract_terms("", body))
    assert terms["梯度"] == 3 and terms["下降"] == 2
    assert "python" not in terms and "x" not in terms
