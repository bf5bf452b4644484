"""Code blocks highlighted at build time with Pygments, as CSS classes.

The fence info string reads ``LANG [title="file.py"] [linenos] [hl_lines="2 3"]``; an
unknown language is shown as plain text with its label kept.
"""

from __future__ import annotations

import html
import re
import shlex
from dataclasses import dataclass, field
from functools import lru_cache

import pygments
from pygments.formatters import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

from inkstone.cache import fingerprint, fragments
from inkstone.markup.code_html import code_html, lex
from inkstone.version import code_version

CSS_CLASS = "highlight"


@dataclass(frozen=True)
class FenceInfo:
    """What a fence's info string asks for."""

    language: str = ""
    title: str | None = None
    line_numbers: bool = False
    highlight_lines: tuple[int, ...] = field(default_factory=tuple)


def parse_info(info: str) -> FenceInfo:
    """Read ``python title="a.py" linenos hl_lines="2 3"``, also Hugo's
    ``python {linenos=true,hl_lines=[2,"4-6"]}`` form; ``1-3`` is a range of lines."""
    info = info.strip()
    if not info:
        return FenceInfo()
    if info.startswith("{") and info.endswith("}"):  # pandoc: {.python linenos=false}
        info = info[1:-1].strip()
    language, _, rest = info.partition(" ")
    language = language.strip("{}.")
    rest = rest.strip()
    if rest.startswith("{") and rest.endswith("}"):
        rest = _hugo_options(rest[1:-1])
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    title: str | None = None
    line_numbers = False
    lines: tuple[int, ...] = ()
    for word in words:
        key, eq, value = word.partition("=")
        key = key.strip().lower()
        if key in ("title", "file", "filename"):
            title = value
        elif key in ("linenos", "linenums", "line-numbers", "showlinenumbers"):
            line_numbers = not eq or value.lower() not in ("false", "0", "no", "none")
        elif key in ("hl_lines", "hl-lines", "highlight"):
            lines = _line_set(value)
    return FenceInfo(language, title, line_numbers, lines)


def _hugo_options(text: str) -> str:
    """``linenos=true,hl_lines=[2,"4-6"]`` → ``linenos=true hl_lines="2 4-6"``."""
    out, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            out.append(current.strip())
            current = ""
        else:
            current += ch
    out.append(current.strip())
    words = []
    for item in filter(None, out):
        key, _, value = item.partition("=")
        value = re.sub(r'[\[\]"]', " ", value).replace(",", " ").strip()
        words.append(f'{key.strip()}="{value}"' if value else key.strip())
    return " ".join(words)


def _line_set(value: str) -> tuple[int, ...]:
    lines: list[int] = []
    for start, end in re.findall(r"(\d+)(?:\s*-\s*(\d+))?", value):
        lines.extend(range(int(start), int(end or start) + 1))
    return tuple(dict.fromkeys(lines))


@lru_cache(maxsize=256)
def _lexer(language: str) -> Lexer | None:
    from inkstone.markup.fast_lexing import fast_lexer  # same tokens, fewer regex tries

    if not language:
        return None
    try:
        return fast_lexer(get_lexer_by_name(language, stripnl=False, ensurenl=False))
    except ClassNotFound:
        return None


def highlight_code(code: str, info: FenceInfo, default_line_numbers: bool = False) -> str:
    """The HTML of one code block: a header with language and title, then the code
    (from the render cache when this block was highlighted before)."""
    key = fingerprint(
        "code", code_version(), pygments.__version__, code, info, default_line_numbers
    )
    return fragments().get_or_make(
        "code", key, lambda: _highlight(code, info, default_line_numbers)
    )


def _highlight(code: str, info: FenceInfo, default_line_numbers: bool) -> str:
    lexer = _lexer(info.language.lower())
    numbers = info.line_numbers or default_line_numbers
    if lexer is None:
        body = f'<div class="{CSS_CLASS}"><pre><code>{_plain(code, numbers)}</code></pre></div>'
    else:
        # what Pygments' highlight() writes with HtmlFormatter(cssclass=CSS_CLASS,
        # linenos="inline" if numbers, hl_lines=..., wrapcode=True), faster (see code_html)
        body = code_html(lex(lexer, code), CSS_CLASS, numbers, info.highlight_lines)
    return code_block(body, info)


def code_block(body: str, info: FenceInfo) -> str:
    """The highlighted ``body`` in its block: a header with the language and the title.
    Its ``<pre>`` gets ``tabindex="0"``: the Tab key reaches it, and the arrow keys scroll
    a line wider than the column."""
    body = body.replace("<pre>", '<pre tabindex="0">', 1)
    label = html.escape(info.language) if info.language else ""
    header = ""
    if label or info.title:
        title = f'<span class="code-title">{html.escape(info.title)}</span>' if info.title else ""
        lang = f'<span class="code-lang">{label}</span>' if label else ""
        header = f'<div class="code-header">{title}{lang}</div>'
    data = f' data-lang="{label}"' if label else ""
    return f'<div class="code-block"{data}>{header}{body}</div>\n'


def _plain(code: str, numbers: bool) -> str:
    if not numbers:
        return html.escape(code)
    lines = code.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    width = len(str(len(lines)))
    return (
        "\n".join(
            f'<span class="linenos">{n:>{width}}</span>{html.escape(line)}'
            for n, line in enumerate(lines, 1)
        )
        + "\n"
    )


def stylesheet(light: str, dark: str) -> str:
    """CSS for both Pygments styles: light by default, dark under ``[data-theme="dark"]``
    and ``prefers-color-scheme: dark`` (unless the reader chose light)."""
    light_css = str(HtmlFormatter(style=light).get_style_defs(f".{CSS_CLASS}"))  # type: ignore[no-untyped-call]
    dark_rules = str(HtmlFormatter(style=dark).get_style_defs(f".{CSS_CLASS}"))  # type: ignore[no-untyped-call]
    forced = _prefix(dark_rules, ':root[data-theme="dark"] ')
    auto = _prefix(dark_rules, ':root:not([data-theme="light"]) ')
    return f"{light_css}\n{forced}\n@media (prefers-color-scheme: dark) {{\n{auto}\n}}\n"


def _prefix(css: str, prefix: str) -> str:
    out = []
    for line in css.splitlines():
        if line.startswith(f".{CSS_CLASS}") or line.startswith("pre"):
            selectors, _, rest = line.partition("{")
            line = ", ".join(prefix + s.strip() for s in selectors.split(",")) + " {" + rest
            out.append(line)
        elif line.startswith("td.linenos") or line.startswith("span.linenos"):
            continue
    return "\n".join(out)
