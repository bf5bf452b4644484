"""``code_html`` must write exactly what Pygments' ``HtmlFormatter`` writes.

``_highlight`` is compared with the implementation it replaced (``pygments.highlight`` with
the ``HtmlFormatter`` inkstone used to build), reproduced below, on every option inkstone
uses; ``code_html`` is also compared with ``HtmlFormatter`` on made-up token streams, and
``lex`` with ``Lexer.get_tokens``.

Pygments 2.21 stopped escaping quotes in a token's text, which inkstone still writes as
``&quot;`` and ``&#39;`` (Pygments 2.20's escaping): Pygments' HTML is compared with its
text's quotes written that way (:func:`quotes_escaped`), on every version.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator

import pygments
import pytest
from pygments.filters import KeywordCaseFilter
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.lexers.python import PythonLexer
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    String,
    Text,
    Token,
    Whitespace,
    _TokenType,
)

from inkstone.markup import code_html as code_html_module
from inkstone.markup import highlight
from inkstone.markup.code_html import code_html, lex
from inkstone.markup.highlight import FenceInfo
from tests.test_fast_lexing import NASTY, SAMPLES, fenced_blocks, spliced

# (line numbers, highlighted lines): off, on, line 1, lines beyond the end, line 0, many,
# repeated
OPTIONS: list[tuple[bool, tuple[int, ...]]] = [
    (False, ()),
    (True, ()),
    (False, (1,)),
    (True, (1,)),
    (False, (2, 3, 999)),
    (True, (0, 1, 3, 5, 8, 13, 21, 100, 101, 1000)),
    (True, (3, 3, 1, 1, -1)),  # repeated and negative: FenceInfo takes any tuple
]

EDGE_CASES: dict[str, str] = {
    "empty": "",
    "newline": "\n",
    "newlines": "\n\n\n",
    "no trailing newline": "x = 1\ny = 2",
    "one line": "print('hi')\n",
    "one line, no newline": "print('hi')",
    "crlf": "a = 1\r\nb = '<x>'\r\n\r\nc = 3\r\n",
    "lone cr": "a = 1\rb = 2\r\rc",
    "cr and crlf": "a\r\r\nb\n\rc\r\n",
    "bom": "\ufeffimport os\n",
    "bom, crlf": "\ufeffx = 1\r\ny = 2\r\n",
    "two boms": "\ufeff\ufeffx = 1\n",
    "bom inside": "x = '\ufeff'\n",
    "tabs": "def f():\n\treturn 1\n\tif x:\n\t\tpass\t# tab\n",
    "html specials": "s = '<&>\"\\''  # <b>&amp;</b>\nprint(\"<&>\", '\\'', a < b > c & d)\n",
    "chinese": "# 中文注释：归一化\n变量 = '日本語' + \"注意力\"  // 🎉\n",
    "docstring": 'def f():\n    """First line.\n\n    More <text> & "quotes".\n    """\n    return 1\n',
    "multi-line comment": "/* a comment\n * over <three>\n   lines */\nint x = 1; /**/\n",
    "multi-line string": 'x = """\nline1\n\n  line3 <tag>\n"""\n',
    "trailing spaces": "x = 1   \n    \n\t\n  ",
    "leading blank lines": "\n\n  x = 1\n\n\n",
    "error tokens": "x = $ ? ` 1\n@@@\n\\\n",
    "control characters": "\x00\x01\x7f\x0b\x0c\x85\u2028\n",
    "long line": "x = [" + ", ".join(f"'{i}<&>'" for i in range(300)) + "]\n",
    "many lines": "".join(f"v{i} = {i}  # line {i}\n" for i in range(120)),
}

EDGE_LANGUAGES = [
    "python",
    "Python",
    "py",
    "pycon",
    "javascript",
    "c",
    "c++",
    "php",
    "json",
    "yaml",
    "ruby",
    "bash",
    "console",
    "html",
    "latex",
    "diff",
    "rust",
    "sql",
    "text",
    "nosuchlang",
    "",
]
"""RegexLexers, and lexers that are not: ExtendedRegexLexer (yaml, ruby), a plain Lexer
(json), get_tokens_unprocessed overridden (c, c++, php), DelegatingLexer-style (pycon,
console, php's html), and the plain-text path for an unknown or no language."""


_TEXT = re.compile(r">([^<]+)<")


def quotes_escaped(html: str) -> str:
    """``html`` (a ``HtmlFormatter``'s) with the quotes of its text escaped as Pygments 2.20
    and inkstone escape them; the same HTML when they already are."""
    return _TEXT.sub(lambda m: ">" + m[1].replace('"', "&quot;").replace("'", "&#39;") + "<", html)


def test_quotes_escaped() -> None:
    raw = '<div class="x"><span class="s">\'a\' "b"</span>\n</div>'
    escaped = '<div class="x"><span class="s">&#39;a&#39; &quot;b&quot;</span>\n</div>'
    assert quotes_escaped(raw) == escaped
    assert quotes_escaped(escaped) == escaped


def old_highlight(code: str, info: FenceInfo, default_line_numbers: bool) -> str:
    """``highlight._highlight`` as it was before ``code_html`` (its block is the same)."""
    lexer = highlight._lexer(info.language.lower())
    numbers = info.line_numbers or default_line_numbers
    if lexer is None:
        body = f'<div class="highlight"><pre><code>{highlight._plain(code, numbers)}</code></pre></div>'
    else:
        formatter = HtmlFormatter(
            cssclass="highlight",
            linenos="inline" if numbers else False,
            hl_lines=list(info.highlight_lines),
            wrapcode=True,
        )
        body = quotes_escaped(pygments.highlight(code, lexer, formatter))
    return highlight.code_block(body, info)


def assert_same_html(language: str, code: str, title: str | None = None) -> None:
    for default in (False, True):
        for numbers, lines in OPTIONS:
            info = FenceInfo(language, title, numbers, lines)
            new = highlight._highlight(code, info, default)
            assert new == old_highlight(code, info, default), (language, numbers, lines, code)


def sample_cases() -> list[tuple[str, str]]:
    return [(lang, text) for lang, texts in SAMPLES.items() for text in texts]


def test_the_formatter_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """``_highlight`` no longer goes through ``HtmlFormatter`` for lexed code."""

    def fail(*args: object) -> None:
        raise AssertionError("HtmlFormatter.format was called")

    monkeypatch.setattr(HtmlFormatter, "format_unencoded", fail)
    out = highlight._highlight("x = 1\n", FenceInfo("python", None, True, (1,)), False)
    assert out.startswith('<div class="code-block" data-lang="python">')
    assert '<span class="hll"><span class="linenos">1</span><span class="n">x</span>' in out


@pytest.mark.parametrize("language", sorted(SAMPLES))
def test_samples(language: str) -> None:
    for lang, text in sample_cases():
        if lang == language:
            assert_same_html(language, text)
            assert_same_html(language, text, title='a<b>"c".py')


def test_repository_fenced_code() -> None:
    blocks = fenced_blocks()
    assert sum(lang == "python" for lang, _ in blocks) >= 20
    for lang, code in blocks:
        assert_same_html(lang, code)


@pytest.mark.parametrize("name", sorted(EDGE_CASES))
def test_edge_cases(name: str) -> None:
    for language in EDGE_LANGUAGES:
        assert_same_html(language, EDGE_CASES[name])


def test_nasty_inputs() -> None:
    for language in ("python", "c", "json", "yaml", "php", "html", "markdown"):
        for text in NASTY:
            assert_same_html(language, text)


@pytest.mark.parametrize("language", ["python", "javascript", "c", "php", "json", "yaml", "bash"])
def test_random_mutations(language: str) -> None:
    """Random slices and splices of all samples (any language) through one lexer."""
    rng = random.Random(f"code-html-{language}")
    pool = [text for _, text in sample_cases()] + [t for t in EDGE_CASES.values() if t]
    extras = ["\n", "\r\n", "\r", "\ufeff", "\t", "'", '"', '"""', "`", "#", "/*", "*/", "<", "&"]
    extras += ["中", "  \n", "\n\n"]
    for _ in range(40):
        code = spliced(rng, pool, extras, 0.4)
        numbers, lines = rng.choice(OPTIONS)
        default = rng.random() < 0.3
        info = FenceInfo(language, None, numbers, lines)
        assert highlight._highlight(code, info, default) == old_highlight(code, info, default)


# code_html on made-up token streams, against HtmlFormatter


TYPES = [
    Token,  # class ""
    Text,  # class ""
    Whitespace,
    Error,
    Keyword,
    Name,
    Name.Builtin.Pseudo,
    Name.Made.Up,  # not standard: "n-Made-Up n-Made n"
    Token.Custom,  # not standard, below Token: "-Custom"
    Token.Custom.Deeper,
    String.Doc,
    Comment.Multiline,
]
VALUES = [
    "",
    "\n",
    "\n\n",
    "x",
    "  ",
    "<&>\"'",
    "a\nb",
    "\nlead",
    "trail\n",
    "中文",
    "\t",
    "a\n\nb\n",
]


def formatter_html(
    tokens: list[tuple[_TokenType, str]], numbers: bool, lines: tuple[int, ...], css: str
) -> str:
    formatter = HtmlFormatter(
        cssclass=css, linenos="inline" if numbers else False, hl_lines=list(lines), wrapcode=True
    )
    return quotes_escaped(str(pygments.format(tokens, formatter)))


def assert_same_stream(tokens: list[tuple[_TokenType, str]], css: str = "highlight") -> None:
    for numbers, lines in OPTIONS:
        triples = [(0, ttype, value) for ttype, value in tokens]
        new = code_html(triples, css, numbers, lines)
        assert new == formatter_html(tokens, numbers, lines, css), (tokens, numbers, lines)


def random_streams(seed: str, count: int) -> Iterator[list[tuple[_TokenType, str]]]:
    rng = random.Random(seed)
    for _ in range(count):
        yield [(rng.choice(TYPES), rng.choice(VALUES)) for _ in range(rng.randint(0, 30))]


def test_token_streams() -> None:
    assert_same_stream([])
    assert_same_stream([(Text, "")])
    assert_same_stream([(Name, "a"), (Name, "b"), (Name.Made.Up, "c"), (Token, "d")])
    assert_same_stream([(Comment.Multiline, "/* a\n\n b */"), (Comment.Multiline, "\n")])
    assert_same_stream([(Keyword, "if"), (Text, "\n"), (Keyword, "\nelse"), (Text, "x\n")])
    for tokens in random_streams("streams", 400):
        assert_same_stream(tokens)


def test_css_class_is_written_as_html_formatter_writes_it() -> None:
    for css in ("highlight", "", 'a"b<c>', "code hl"):
        for tokens in random_streams(f"css-{css}", 5):
            assert_same_stream(tokens, css)


def test_escape_cache_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Long token texts are not kept, and the cache starts again when full."""
    monkeypatch.setattr(code_html_module, "_ESCAPED_LIMIT", 3)
    monkeypatch.setattr(code_html_module, "_ESCAPED_LONGEST", 4)
    monkeypatch.setattr(code_html_module, "_ESCAPED", {})
    for tokens in random_streams("cache", 50):
        assert_same_stream([*tokens, (String, "<long & text>" * 3)])
        assert len(code_html_module._ESCAPED) <= 3
        assert all(len(key) <= 4 for key in code_html_module._ESCAPED)


# lex: the tokens of Lexer.get_tokens


def unprocessed_used(tokens: object) -> bool:
    """Whether ``lex`` called ``get_tokens_unprocessed`` itself (no ``get_tokens``)."""
    return getattr(tokens, "gi_code", None) is not None and (
        tokens.gi_code.co_name != "_with_offsets"  # type: ignore[attr-defined]
    )


LEX_TEXTS = [
    *EDGE_CASES.values(),
    *NASTY,
    "\ufeff\r\n\r\n  x\t= 1  \r\n\n",
    "\n\n  padded \n\n",
]


@pytest.mark.parametrize("language", ["python", "c", "php", "json", "yaml", "pycon", "text"])
def test_lex_takes_the_shortcut_for_inkstones_lexers(language: str) -> None:
    lexer = highlight._lexer(language)
    assert lexer is not None
    for text in LEX_TEXTS:
        tokens = lex(lexer, text)
        assert unprocessed_used(tokens)
        assert [(t, v) for _, t, v in tokens] == list(lexer.get_tokens(text))


@pytest.mark.parametrize(
    "options",
    [
        {},  # Pygments' defaults: stripnl and ensurenl
        {"stripnl": True, "ensurenl": False},
        {"stripnl": False, "ensurenl": True},
        {"stripnl": False, "ensurenl": False, "stripall": True},
        {"stripnl": False, "ensurenl": False, "tabsize": 4},
        {"stripnl": False, "ensurenl": False, "filters": [KeywordCaseFilter(case="upper")]},
        {"stripnl": False, "ensurenl": False, "encoding": "latin1"},
    ],
)
def test_lex_is_get_tokens_for_any_options(options: dict[str, object]) -> None:
    for language in ("python", "json", "yaml", "c"):
        lexer = get_lexer_by_name(language, **options)
        shortcut = set(options) <= {"stripnl", "ensurenl", "encoding"} and (
            options.get("stripnl") is options.get("ensurenl") is False
        )
        for text in LEX_TEXTS:
            tokens = lex(lexer, text)
            assert unprocessed_used(tokens) == shortcut
            assert [(t, v) for _, t, v in tokens] == list(lexer.get_tokens(text))
            numbers, lines = OPTIONS[len(text) % len(OPTIONS)]
            expected = formatter_html(list(lexer.get_tokens(text)), numbers, lines, "highlight")
            assert code_html(lex(lexer, text), "highlight", numbers, lines) == expected


def test_lex_goes_through_an_overridden_get_tokens() -> None:
    class Stripping(PythonLexer):
        def get_tokens(
            self, text: str, unfiltered: bool = False
        ) -> Iterator[tuple[_TokenType, str]]:
            return super().get_tokens(text.strip(), unfiltered)

    lexer: Lexer = Stripping(stripnl=False, ensurenl=False)
    tokens = lex(lexer, "\n\nx = 1\n\n")
    assert not unprocessed_used(tokens)
    assert [(t, v) for _, t, v in tokens] == list(lexer.get_tokens("x = 1"))
