"""First-character dispatch must give exactly Pygments' own token stream and HTML."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from pygments.lexer import Lexer, RegexLexer
from pygments.lexers import get_lexer_by_name
from pygments.token import Text

from inkstone.markup import highlight
from inkstone.markup.fast_lexing import fast_lexer, start_test

ROOT = Path(__file__).resolve().parent.parent

SAMPLES: dict[str, list[str]] = {
    "python": [
        'import numpy as np\n\n\n@torch.no_grad()\ndef softmax(x: np.ndarray, t: float = 1.0) -> np.ndarray:\n    """Stable softmax."""\n    z = (x - x.max(axis=-1, keepdims=True)) / t\n    e = np.exp(z)\n    return e / e.sum(-1, keepdims=True)  # 归一化\n',
        "class Adam(Optimizer):\n    def step(self, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):\n        for p in self.params:\n            if p.grad is None:\n                continue\n            m = betas[0] * m + (1 - betas[0]) * p.grad\n            print(f\"{p.shape!r:>10} {lr:.2e} {{braces}}\", rb'\\x00', 0x1F, 0o17, 1_000j)\n        match cmd:\n            case [x, *rest] if x > 0:\n                pass\n            case _:\n                raise ValueError(r'bad \\d+')\n",
        "async def main():\n    async with session as s:\n        await s.get(url)\n    lam = lambda *a, **k: ...\n    return [i ** 2 for i in range(10) if i % 2 == 0 and not i]\n",
        "def (x): pass\n",  # only a default('#pop') rule (empty regex) leaves 'funcname'
        "from .models import (\n    Transformer,\n    RoPE as Rotary,\n)\nglobal 变量\n注意力 = Transformer(d_model=512)\n",
    ],
    "javascript": [
        "const add = (a, b) => a + b;\nlet re = /ab+c/gi, s = `x ${add(1, 2)} y`;\nclass A extends B { #p = 1; static get x() { return this.#p ?? null; } }\nasync function* gen() { yield await fetch('/api'); }\n// 注释\n/* block */\nexport default { a: 1, 'b': [0x10, 1e3, 10n] };\n"
    ],
    "typescript": [
        "interface Point<T extends number = number> { x: T; readonly y?: T }\ntype U = keyof Point | `prefix-${string}`;\nenum Color { Red = 1, Green }\nfunction f(this: Window, ...args: unknown[]): asserts args is string[] {}\n@Component({ selector: 'app' })\nexport class C implements I { private x!: number; }\n"
    ],
    "c": [
        "#include <stdio.h>\n#define SQ(x) ((x) * (x))\nstatic inline int f(const char *s, size_t n) {\n    /* comment */ int x = 0x7f; float y = 1.5e-3f;\n    for (size_t i = 0; i < n; ++i) x += s[i] == '\\n';\n    printf(\"%d\\n\", x); // done\n    return x;\n}\n"
    ],
    "cpp": [
        '#include <vector>\ntemplate <typename T>\nauto sum(const std::vector<T>& v) -> T {\n    T s{};\n    for (auto&& x : v) s += x;\n    return s;\n}\nint main() { auto s = R"(raw \\n string)"; std::cout << sum<int>({1, 2}) << std::endl; }\n'
    ],
    "rust": [
        "use std::collections::HashMap;\n#[derive(Debug, Clone)]\npub struct S<'a> { name: &'a str, n: u64 }\nimpl<'a> S<'a> {\n    pub fn new(name: &'a str) -> Self { Self { name, n: 0_u64 } }\n}\nfn main() { let v: Vec<i32> = (0..10).map(|x| x * 2).collect(); println!(\"{:?} {}\", v, r#\"raw\"#); }\n"
    ],
    "go": [
        'package main\n\nimport (\n\t"fmt"\n)\n\ntype T struct{ X int `json:"x"` }\n\nfunc (t *T) M(ch chan<- int) error {\n\tgo func() { ch <- t.X }()\n\tfmt.Printf("%v\\n", 0x1p-2)\n\treturn nil\n}\n'
    ],
    "java": [
        'package a.b;\nimport java.util.*;\n@FunctionalInterface\npublic final class Main<T extends Comparable<T>> {\n    private static final long N = 1_000L;\n    public static void main(String[] args) {\n        var list = List.of(1, 2); String s = """\n            text block""";\n        list.forEach(x -> System.out.println(x + \'c\'));\n    }\n}\n'
    ],
    "bash": [
        '#!/usr/bin/env bash\nset -euo pipefail\nfor f in *.md; do\n  echo "file: ${f%.md} $(wc -l < "$f")" >> out.txt\ndone\nif [[ -n "$HOME" && $# -gt 0 ]]; then export X=1; fi\ncat <<EOF\nheredoc $X\nEOF\npython -m pip install -U \'torch>=2\'  # 安装\n'
    ],
    "shell": ["$ ls -la | grep '^d' && cd ~/src || exit 1\narr=(a b c); echo ${arr[@]:1}\n"],
    "json": ['{"a": [1, 2.5e3, true, null], "b": {"c": "d\\u00e9\\n"}, "中文": "值"}\n'],
    "yaml": [
        "title: 'Hello'\ntags: [ml, rl]\ndate: 2024-01-02\nmath: true\nnested:\n  - name: x\n    value: |\n      multi\n      line\n# comment\nanchor: &a {k: v}\nref: *a\n"
    ],
    "toml": [
        '[project]\nname = "inkstone"\nversion = "0.1.0"\ndeps = ["a>=1", \'b\']\n[tool.x]\nn = 1_000\nf = 1e-3\nd = 1979-05-27T07:32:00Z\ninline = { a = true }\n[[arr]]\n'
    ],
    "sql": [
        "SELECT u.id, COUNT(*) AS n\nFROM users u LEFT JOIN posts p ON p.uid = u.id\nWHERE u.name LIKE 'a%' AND p.created > '2024-01-01' -- recent\nGROUP BY u.id HAVING n > 1 ORDER BY n DESC;\n/* block */ insert into t values (1, 'x''y', NULL);\n"
    ],
    "html": [
        '<!DOCTYPE html>\n<html lang="zh">\n<head><meta charset="utf-8"><title>标题</title>\n<style>body { color: #333; }</style>\n<script>const x = 1 < 2 && "a";</script></head>\n<body><!-- comment --><p class="a" data-x=\'1\'>Hi &amp; bye</p></body></html>\n'
    ],
    "css": [
        '@media (max-width: 600px) {\n  .a > b:hover::before, #id[data-x="y"] { color: rgba(0, 0, 0, .5) !important; margin: -1.5em auto 0; }\n}\n:root { --main: #fff; } /* 注释 */\n@import url("x.css");\n'
    ],
    "latex": [
        "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n% comment\nLet $x^2 + y_i = \\frac{a}{b}$ and\n\\begin{align}\n  E &= mc^2 \\\\\n  \\nabla \\cdot \\mathbf{E} &= \\rho / \\epsilon_0\n\\end{align}\n\\end{document}\n"
    ],
    "tex": ["\\def\\x#1{#1}\\x{中文} $$\\sum_{i=1}^n i$$\n"],
    "markdown": [
        "# Title\n\nSome *em* and **strong** and `code` and [link](http://x.y).\n\n- item\n  1. nested\n\n> quote\n\n```python\nprint('x')\n```\n\n| a | b |\n|---|---|\n"
    ],
    "diff": [
        "diff --git a/x.py b/x.py\nindex 83db48f..bf269f4 100644\n--- a/x.py\n+++ b/x.py\n@@ -1,3 +1,4 @@\n-old\n+new\n context\n\\ No newline at end of file\n"
    ],
    "dockerfile": [
        'FROM python:3.12-slim AS base\nARG X=1\nRUN apt-get update \\\n    && apt-get install -y git \\\n    && rm -rf /var/lib/apt/lists/*\nCOPY --chown=app:app . /app\nENV PATH="/app/bin:$PATH"\nCMD ["python", "-m", "app"]\n'
    ],
    "ini": [
        '; comment\n[section]\nkey = value\nother: "quoted"\n# hash\n[a.b]\nempty =\n',
        "key = continued \\\n",  # ends in a state whose rule matches the empty string
    ],
    "lua": [
        "local t = { a = 1, [\"b\"] = 2 }\nfunction t:m(...) return select('#', ...) end\n--[[ long\ncomment ]]\nfor i = 1, #t do print(i .. [[str]]) end\n"
    ],
    "kotlin": [
        'data class P(val x: Int, var y: String? = null)\nfun main() {\n    val s = "x=${P(1).x} $name"\n    listOf(1, 2).filter { it > 1 }.forEach(::println)\n    when (x) { in 1..10 -> {} else -> {} }\n}\n'
    ],
    "swift": [
        'import Foundation\nstruct S: Codable { let x: Int; var y: String? }\nfunc f(_ a: Int, b: inout [Int]) async throws -> Int {\n    guard let z = Optional(a) else { return 0 }\n    return "\\(z)".count\n}\n'
    ],
    "r": [
        'library(ggplot2)\nf <- function(x, ...) {\n  x %>% filter(a > 1) |> summary()  # comment\n}\ndf$col[1:3] <- c(1L, 2.5, NA, TRUE, "s")\n'
    ],
    "julia": [
        'using LinearAlgebra\nfunction f(x::Vector{Float64}; α=0.5)\n    y = x .^ 2 .+ α  # comment\n    return "$(sum(y)) done"\nend\n#= block\ncomment =#\nA = [1 2; 3 4]\' \\ b\n'
    ],
    "matlab": [
        "function y = f(x)\n% comment\n  y = x.^2 + 1; %{ block %}\n  A = [1, 2; 3, 4]';\n  s = 'str'; d = \"dq\";\n  for i = 1:numel(x), disp(i); end\nend\n"
    ],
}

NASTY = [
    "",
    "\n",
    "\n\n\n",
    "x",
    "x = 1",
    "\t\tindented\twith\ttabs\n",
    "line one\r\nline two\r\n",
    "lone\rcarriage",
    "'unterminated",
    '"unterminated\nnext line',
    "'''never closed\n",
    "/* open comment",
    "<!-- open",
    "`tpl ${",
    "变量 = 数据  # 这是中文注释\n",
    "naïve_ünïcode = 'é' + \"日本語\"  // 🎉\n",
    "\\",
    "\x00\x01\x7f",
    "{[(<",
    ")]}>",
    "# 标题\n> 引用",
]


def fenced_blocks() -> list[tuple[str, str]]:
    """The fenced code of the repository's own Markdown: test fixtures and examples."""
    fence = re.compile(r"^ *(`{3,}|~{3,})[ {.]*([\w+#-]+)[^\n]*\n(.*?)^ *\1", re.M | re.S)
    out = []
    for path in sorted([*ROOT.glob("tests/**/*.md"), *ROOT.glob("examples/**/*.md")]):
        for _, lang, code in fence.findall(path.read_text(encoding="utf-8")):
            out.append((lang.lower(), code))
    return out


def cases() -> list[tuple[str, str]]:
    found = [(lang, text) for lang, texts in SAMPLES.items() for text in texts]
    found += [(lang, text) for lang in SAMPLES for text in NASTY]
    found += [(lang, text) for lang, text in fenced_blocks() if highlight._lexer(lang)]
    return found


def spliced(rng: random.Random, pool: list[str], extras: list[str], chance: float) -> str:
    """One to four random slices of texts of ``pool``, each followed, with probability
    ``chance``, by one of ``extras``."""
    parts = []
    for _ in range(rng.randint(1, 4)):
        text = rng.choice(pool)
        start = rng.randrange(len(text))
        parts.append(text[start : start + rng.randint(0, 300)])
        if rng.random() < chance:
            parts.append(rng.choice(extras))
    return "".join(parts)


def lexers(lang: str) -> tuple[Lexer, Lexer]:
    """A plain Pygments lexer and a sped-up one, built as ``highlight._lexer`` builds it."""

    def make() -> Lexer:
        return get_lexer_by_name(lang, stripnl=False, ensurenl=False)

    return make(), fast_lexer(make())


def assert_same(plain: Lexer, fast: Lexer, text: str) -> None:
    assert list(fast.get_tokens_unprocessed(text)) == list(plain.get_tokens_unprocessed(text))
    assert list(fast.get_tokens(text)) == list(plain.get_tokens(text))


def test_repository_has_fenced_code() -> None:
    blocks = fenced_blocks()
    assert sum(lang == "python" for lang, _ in blocks) >= 20
    assert {"bash", "cpp", "html", "latex", "r"} <= {lang for lang, _ in blocks}


@pytest.mark.parametrize(
    "lang",
    ["python", "javascript", "typescript", "rust", "go", "java", "bash", "sql", "html", "css"],
)
def test_speed_up_is_applied(lang: str) -> None:
    lexer = highlight._lexer(lang)
    assert lexer is not None
    assert "get_tokens_unprocessed" in vars(lexer)


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_same_tokens(lang: str) -> None:
    plain, fast = lexers(lang)
    for case_lang, text in cases():
        if case_lang == lang:
            assert_same(plain, fast, text)


def test_same_tokens_for_fenced_code() -> None:
    for lang, text in fenced_blocks():
        if highlight._lexer(lang):
            assert_same(*lexers(lang), text)


@pytest.mark.parametrize("lang", sorted(SAMPLES))
def test_same_tokens_for_random_mutations(lang: str) -> None:
    """Random slices and splices of all samples (in any language) through one lexer."""
    rng = random.Random(f"fast-lexing-{lang}")
    pool = [text for _, text in cases() if text]
    plain, fast = lexers(lang)
    extras = ["\n", "\r\n", "\t", "'", '"', "`", "#", "/*", "{", "中"]
    for _ in range(60):
        assert_same(plain, fast, spliced(rng, pool, extras, 0.3))


def test_same_html(monkeypatch: pytest.MonkeyPatch) -> None:
    for lang, text in cases():
        info = highlight.FenceInfo(lang, line_numbers=len(text) % 2 == 0, highlight_lines=(1,))
        fast_html = highlight._highlight(text, info, False)
        with monkeypatch.context() as patch:
            plain = get_lexer_by_name(lang, stripnl=False, ensurenl=False)
            patch.setattr(highlight, "_lexer", lambda _, plain=plain: plain)
            assert highlight._highlight(text, info, False) == fast_html


@pytest.mark.parametrize(
    "lang",
    [
        "ruby",  # an ExtendedRegexLexer
        "yaml",  # an ExtendedRegexLexer
        "php",  # overrides get_tokens_unprocessed, calling RegexLexer's explicitly
        "cpp",  # CFamilyLexer overrides it too
        "pycon",  # a DelegatingLexer
        "json",  # a plain Lexer
        "text",
    ],
)
def test_ineligible_lexer_is_unchanged(lang: str) -> None:
    lexer = get_lexer_by_name(lang)
    before = dict(vars(lexer))
    assert fast_lexer(lexer) is lexer
    assert vars(lexer) == before
    assert type(lexer).get_tokens_unprocessed is not RegexLexer.get_tokens_unprocessed


def rule(pattern: str, flags: int = 0) -> tuple[object, None, None]:
    return (re.compile(pattern, flags).match, None, None)


def test_start_test() -> None:
    def starts(pattern: str, flags: int = 0) -> str | None:
        test = start_test(rule(pattern, flags))  # type: ignore[arg-type]
        return None if test is None else "".join(c for c in "#a_9٣ \n\t-'\"é中" if test(c))

    assert starts(r"#.*$") == "#"
    assert starts(r"\d+") == "9٣"
    assert starts(r"\d+", re.ASCII) == "9"
    assert starts(r"(?a)\D") == "#a_٣ \n\t-'\"é中"
    assert starts(r"\b(?:if|else)\b|'|[\"-]") == "-'\""
    assert starts(r"(?<=x)(?!y)[a-c]") == "a"
    assert starts(r"_?\w") == "a_9٣é中"
    assert starts(r"(?>a*)(b|9)") == "a9"
    assert starts(r"(?:a|)x") == "a"
    assert starts(r"[ \t]{0,2}\n") == " \n\t"
    for always in [
        "",
        r"a*",
        r"(?=a)",
        r"$",
        r".",
        r"[^a]",
        r"[^\S\n]",
        r"(a?)\1",
        r"(a)?(?(1)b|c)",
    ]:
        assert starts(always) is None, always
    assert starts(r"(a)\1") == "a"  # only what can come first matters
    assert starts(r"(?a:\W)") == "#٣ \n\t-'\"é中"  # ASCII: ٣, é and 中 are not word characters

    # case-insensitive items are matched with their flags, case folding and all
    def folds(pattern: str) -> str | None:
        test = start_test(rule(pattern))  # type: ignore[arg-type]
        return None if test is None else "".join(c for c in "aAkKsS\u212a\u017fx" if test(c))

    assert folds(r"(?i)k") == "kK\u212a"
    assert folds(r"(?i:s)|x") == "sS\u017fx"
    assert folds(r"(?i)[a-k]") == "aAkK\u212a"
    assert folds(r"(?ai)k") == "kK"
    assert start_test((lambda text, pos: None, Text, None)) is None
    assert start_test((re.compile("a").search, Text, None)) is None
