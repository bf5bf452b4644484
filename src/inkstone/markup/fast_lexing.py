"""A faster ``RegexLexer.get_tokens_unprocessed`` with the same output: first-character dispatch.

At each position Pygments tries every rule of the current state in order until one matches
(the Python lexer's ``root`` has 54 rules), which makes highlighting the largest CPU cost of a
post. Most rules cannot match at all given the character at that position: ``#.*$`` needs a
``#``, ``\\d+`` a digit. So for every rule we work out, from its regex's parse tree, a
conservative test of which characters a match can begin with, and at each position try only
the rules that pass it, in their original order, caching that list per (state, character).

Why the token stream is the same: a rule dropped from the list cannot match at ``pos``, so
the first rule that matches among the candidates is the first that matches among all rules,
and the loop below is Pygments' own, candidate list aside. The test of a character is made
of the regex's own first items (a literal, a class's literals, ranges and ``\\d``-like
categories), each compiled on its own with the flags in force where it stands, so Python's
matching decides, case folding included. It errs only one way: any construct not fully
understood (``.``, ``[^...]``, backreferences, the locale flag, unknown opcodes) or a regex
that can match the empty string makes its rule a candidate everywhere; zero-width items
(anchors, lookarounds) are skipped, which only widens what a rule may start with. At the
end of the text every rule is tried.
"""

from __future__ import annotations

import re
import types
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from re import _constants as C  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

from pygments.lexer import Lexer, RegexLexer
from pygments.token import Error, Whitespace, _TokenType

Rule = tuple[Callable[[str, int], re.Match[str] | None], Any, Any]
StartTest = Callable[[str], bool]

_CATEGORIES = {
    C.CATEGORY_DIGIT: r"\d",
    C.CATEGORY_NOT_DIGIT: r"\D",
    C.CATEGORY_SPACE: r"\s",
    C.CATEGORY_NOT_SPACE: r"\S",
    C.CATEGORY_WORD: r"\w",
    C.CATEGORY_NOT_WORD: r"\W",
}
_REPEATS = {C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, "POSSESSIVE_REPEAT", C.MAX_REPEAT)}
_ZERO_WIDTH = {C.AT, C.ASSERT, C.ASSERT_NOT}
_CHAR_FLAGS = re.IGNORECASE | re.ASCII | re.UNICODE
"""The flags that change which single character an item matches."""


class Unknown(Exception):
    """The rule's first character can't be bounded; ``args[0]`` names the reason."""


def fast_lexer(lexer: Lexer) -> Lexer:
    """Give ``lexer`` the dispatching ``get_tokens_unprocessed`` when its class uses
    ``RegexLexer``'s own; return any other lexer unchanged. Returns the same instance."""
    eligible = (
        isinstance(lexer, RegexLexer)
        and type(lexer).get_tokens_unprocessed is RegexLexer.get_tokens_unprocessed
        and isinstance(getattr(lexer, "_tokens", None), dict)
    )
    if eligible:
        states = _States(lexer._tokens)  # type: ignore[attr-defined]
        method = types.MethodType(_dispatching(states), lexer)
        lexer.get_tokens_unprocessed = method  # type: ignore[method-assign]
    return lexer


def start_test(rule: Rule) -> StartTest | None:
    """A test ``ch -> bool`` that is False only for characters the rule's match cannot
    start with; ``None`` when the rule is a candidate everywhere."""
    try:
        return _start_test(rule)
    except Unknown:
        return None


def _start_test(rule: Rule) -> StartTest:
    pattern = getattr(rule[0], "__self__", None)
    if not isinstance(pattern, re.Pattern) or getattr(rule[0], "__name__", "") != "match":
        raise Unknown("not a compiled pattern's match")
    if not isinstance(pattern.pattern, str):
        raise Unknown("bytes pattern")
    tree = _parser.parse(pattern.pattern, pattern.flags)
    if tree.state.flags & re.LOCALE:
        raise Unknown("LOCALE")
    found: set[tuple[str, int]] = set()
    if _first(tree, found, tree.state.flags & _CHAR_FLAGS):
        raise Unknown("matches empty")
    # the items as character classes, one for each set of flags in force where they stand:
    # Python's own matching decides, case folding (IGNORECASE) included
    by_flags: dict[int, list[str]] = {}
    for item, flags in found:
        by_flags.setdefault(flags, []).append(item)
    items = [_one_of(tuple(sorted(parts)), flags) for flags, parts in sorted(by_flags.items())]

    def test(ch: str) -> bool:
        return any(item(ch) for item in items)

    return test


@lru_cache(maxsize=4096)
def _one_of(parts: tuple[str, ...], flags: int) -> Callable[[str], re.Match[str] | None]:
    """The ``match`` of the character class made of ``parts``, compiled with ``flags``."""
    return re.compile("[" + "".join(parts) + "]", flags).match


def _first(items: Sequence[tuple[Any, Any]], found: set[tuple[str, int]], flags: int) -> bool:
    """Add to ``found`` what a match of the sequence ``items`` can start with, as parts of
    a character class with their flags; return whether the sequence can match the empty
    string."""
    for op, av in items:
        if op is C.LITERAL:
            found.add((re.escape(chr(av)), flags))
        elif op is C.IN:
            for kind, value in av:
                if kind is C.LITERAL:
                    found.add((re.escape(chr(value)), flags))
                elif kind is C.RANGE:
                    low, high = (re.escape(chr(code)) for code in value)
                    found.add((f"{low}-{high}", flags))
                elif kind is C.CATEGORY and value in _CATEGORIES:
                    found.add((_CATEGORIES[value], flags))
                else:
                    raise Unknown(f"{kind} in a class")
        elif op is C.BRANCH:
            nullable = [_first(branch, found, flags) for branch in av[1]]
            if not any(nullable):
                return False
            continue
        elif op is C.SUBPATTERN:
            if _first(av[3], found, _scoped(flags, av[1], av[2])):
                continue
        elif op is C.ATOMIC_GROUP:
            if _first(av, found, flags):
                continue
        elif op in _REPEATS:
            if _first(av[2], found, flags) or av[0] == 0:
                continue
        elif op in _ZERO_WIDTH:
            continue
        else:
            raise Unknown(str(op))
        return False
    return True


def _scoped(flags: int, add: int, remove: int) -> int:
    """The flags inside a group ``(?add-remove:...)``."""
    if add & re.LOCALE:
        raise Unknown("scoped LOCALE")
    if add & re.ASCII:
        flags &= ~re.UNICODE
    if add & re.UNICODE:
        flags &= ~re.ASCII
    return (flags | add) & ~remove & _CHAR_FLAGS


class _Candidates(dict[str, list[Rule]]):
    """One state's rules, and per character the rules that can match there."""

    def __init__(self, rules: list[Rule]) -> None:
        super().__init__()
        self.rules = rules
        self.tests = [start_test(rule) for rule in rules]

    def __missing__(self, ch: str) -> list[Rule]:
        pairs = zip(self.rules, self.tests, strict=True)
        found = self[ch] = [rule for rule, test in pairs if test is None or test(ch)]
        return found


class _States(dict[str, _Candidates]):
    """The dispatch tables of one lexer's states, built when a state is first entered."""

    def __init__(self, tokendefs: dict[str, list[Rule]]) -> None:
        super().__init__()
        self.tokendefs = tokendefs

    def __missing__(self, state: str) -> _Candidates:
        table = self[state] = _Candidates(self.tokendefs[state])
        return table


def _dispatching(
    states: _States,
) -> Callable[[RegexLexer, str, Sequence[str]], Iterator[tuple[int, Any, str]]]:
    def get_tokens_unprocessed(
        self: RegexLexer, text: str, stack: Sequence[str] = ("root",)
    ) -> Iterator[tuple[int, Any, str]]:
        """Pygments' ``RegexLexer.get_tokens_unprocessed`` (2.20), trying at each
        position only the rules that can start with the character there."""
        pos = 0
        end = len(text)
        statestack = list(stack)
        table = states[statestack[-1]]
        while 1:
            statetokens = table[text[pos]] if pos < end else table.rules
            for rexmatch, action, new_state in statetokens:
                m = rexmatch(text, pos)
                if m:
                    if action is not None:
                        if type(action) is _TokenType:
                            yield pos, action, m.group()
                        else:
                            yield from action(self, m)
                    pos = m.end()
                    if new_state is not None:
                        # state transition
                        if isinstance(new_state, tuple):
                            for state in new_state:
                                if state == "#pop":
                                    if len(statestack) > 1:
                                        statestack.pop()
                                elif state == "#push":
                                    statestack.append(statestack[-1])
                                else:
                                    statestack.append(state)
                        elif isinstance(new_state, int):
                            # pop, but keep at least one state on the stack
                            if abs(new_state) >= len(statestack):
                                del statestack[1:]
                            else:
                                del statestack[new_state:]
                        elif new_state == "#push":
                            statestack.append(statestack[-1])
                        else:
                            raise AssertionError(f"wrong state def: {new_state!r}")
                        table = states[statestack[-1]]
                    break
            else:
                # no rule matched
                if pos >= end:
                    break
                if text[pos] == "\n":
                    # at EOL, reset state to "root"
                    statestack = ["root"]
                    table = states["root"]
                    yield pos, Whitespace, "\n"
                    pos += 1
                    continue
                yield pos, Error, text[pos]
                pos += 1

    return get_tokens_unprocessed
