"""Excerpts: the opening text, flattened, cut at a clause boundary, math typeset."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it.token import Token

from inkstone.content.model import Rendered
from inkstone.html_text import plain_text
from inkstone.markup.excerpt import InlineMath, make_excerpt
from inkstone.markup.markdown import RenderContext, parser, render_markdown


def excerpt(body: str, length: int = 160) -> Rendered:
    return render_markdown(body, RenderContext(Path("x.md"), excerpt_length=length))


def visible(html: str) -> str:
    """What a reader sees: KaTeX's MathML copy is hidden, its HTML part shown."""
    html = re.sub(r'<span class="katex-mathml">.*?</math></span>', "", html, flags=re.S)
    return re.sub(r"<[^>]+>", "", html)


LONG_ZH = (
    "## 1. 符号约定\n\n"
    "设输入序列为 $x_1, \\dots, x_n$，每个位置的向量维度为 $d$。"
    "自注意力的计算复杂度是 $O(n^2 d)$，这在长序列上很昂贵；线性注意力把它降到 $O(n d^2)$。\n\n"
    "$$\nA = QK^\\top\n$$\n\n```python\nprint('code')\n```\n\n"
    "| a | b |\n|---|---|\n| 表格 | 内容 |\n\n![图](x.png)\n\n"
    "后面还有很多内容，我们继续讨论 `torch.einsum` 的用法和 [RoPE 位置编码](rope.md) 的关系，"
    "以及它们在长上下文里的表现。"
)


def test_inline_math_is_typeset_never_raw_tex_or_placeholders() -> None:
    result = excerpt(LONG_ZH, 60)
    assert result.excerpt_html.count('class="katex"') >= 3
    text = visible(result.excerpt_html)
    for forbidden in ("$", "\\(", "\\frac", "[公式]", "[Math]", "[代码]"):
        assert forbidden not in text


def test_display_math_code_tables_and_images_are_left_out() -> None:
    html = excerpt(LONG_ZH, 1000).excerpt_html
    assert "katex-display" not in html and "QK" not in plain_text(html)
    assert "print" not in html and "表格" not in html and "<img" not in html


def test_heading_ends_its_own_sentence() -> None:
    html = excerpt(LONG_ZH, 1000).excerpt_html
    assert html.startswith("1. 符号约定。设输入序列为")


def test_cut_at_a_clause_boundary_with_an_ellipsis() -> None:
    result = excerpt(LONG_ZH, 40)
    assert result.excerpt_cut
    assert result.excerpt_html.endswith("…")
    text = plain_text(result.excerpt_html)
    before = text[:-1]
    assert before[-1] not in "，。；", "the boundary punctuation is dropped before …"
    assert LONG_ZH.replace("## ", "").find("很昂贵") > 0
    assert before.endswith(("很昂贵", "维度为 d", "O(n2d)")), before


def test_never_cut_inside_a_formula_code_span_or_link() -> None:
    for length in range(5, 140, 3):
        html = excerpt(LONG_ZH, length).excerpt_html
        assert html.count('<span class="katex">') == html.count('<span class="katex-mathml">')
        assert html.count("<code>") == html.count("</code>")
        assert "RoPE 位" not in plain_text(html) or "RoPE 位置编码" in plain_text(html)


def test_latin_text_is_cut_between_words() -> None:
    body = (
        "The attention mechanism computes a weighted average of values for every query, "
        "and its cost grows quadratically with the sequence length, which is why so many "
        "papers propose linear alternatives based on kernels and low-rank projections."
    )
    result = excerpt(body, 30)
    text = plain_text(result.excerpt_html)
    assert text.endswith("…")
    words = text[:-1].split()
    assert all(w.strip(",.") in body.split() or w in body for w in words)
    assert len(words) <= 15


def test_short_post_is_not_cut() -> None:
    result = excerpt("短文。只有两句。", 160)
    assert result.excerpt_html == "短文。只有两句。"
    assert not result.excerpt_cut


@pytest.mark.parametrize("marker", ["<!-- more -->", "<!--more-->", "<!--  More -->"])
def test_more_marker_overrides_the_length(marker: str) -> None:
    """Hexo's marker and Hugo's (no spaces) both end the excerpt, wherever the length is."""
    body = f"第一段有 $x$。\n\n第二段。\n\n{marker}\n\n第三段不在摘要里。"
    result = excerpt(body, 3)
    assert "第二段" in result.excerpt_html and "第三段" not in result.excerpt_html
    assert not result.excerpt_cut


def test_a_comment_that_is_not_the_marker_does_not_end_the_excerpt() -> None:
    body = "第一段。\n\n<!-- more to come -->\n\n第二段。"
    assert "第二段" in excerpt(body, 160).excerpt_html


def test_list_items_are_separated() -> None:
    assert excerpt("- 第一项\n- 第二项\n", 160).excerpt_html == "第一项；第二项；"


@pytest.mark.parametrize(
    "marker", ["[TOC]", "@[TOC](这里写目录标题)", "[[toc]]", "${toc}", "* TOC\n{:toc}"]
)
def test_a_table_of_contents_marker_never_opens_the_excerpt(marker: str) -> None:
    result = excerpt(f"{marker}\n\n旋转位置编码把相对位置写进内积。")
    assert visible(result.excerpt_html) == "旋转位置编码把相对位置写进内积。"
    assert (result.cjk_chars, result.latin_words) == (15, 0), "nor counts as words"


def test_word_count_and_reading_time_are_cjk_aware() -> None:
    body = (
        "中" * 800
        + "\n\n"
        + " ".join(["word"] * 460)
        + "\n\n```python\n"
        + "x = 1\n" * 500
        + "```\n"
    )
    result = excerpt(body)
    assert (result.cjk_chars, result.latin_words) == (800, 460)


def test_labels_of_callouts_toggles_and_tabs_are_left_out_their_bodies_kept() -> None:
    body = (
        "> [!NOTE] 先看结论\n> 注意力的复杂度是 $O(n^2)$。\n\n"
        '!!! tip "小技巧"\n    用 $\\sqrt{d}$ 缩放。\n\n'
        "<details><summary>点击展开</summary>\n隐藏的内容。\n</details>\n\n"
        '=== "PyTorch"\n    代码在这里。\n\n'
        "正文从这里开始。"
    )
    text = excerpt(body).excerpt_text
    for label in ("先看结论", "小技巧", "点击展开", "PyTorch", "注意。", "提示"):
        assert label not in text
    for kept in ("注意力的复杂度是", "缩放", "隐藏的内容", "代码在这里", "正文从这里开始"):
        assert kept in text


FORMULA = (
    '<span class="katex"><span class="katex-mathml"><math><semantics><mrow><mi>x</mi>'
    "<mo>&lt;</mo><mn>2</mn></mrow><annotation>x &lt; 2</annotation></semantics></math></span>"
    '<span class="katex-html" aria-hidden="true"><span class="base"><span class="mord">x'
    '<svg><path d="M0 0"/></svg></span><span class="mrel">&lt;</span><br>'
    '<span class="mord">2</span></span></span></span>'
)


@pytest.mark.parametrize(
    ("html", "text"),
    [
        (FORMULA, "x<2"),
        (f"<p>若 {FORMULA}，则\n  成立</p>", "若 x<2，则 成立"),
        ('<SPAN ARIA-HIDDEN="true">hidden</SPAN>shown', "shown"),
        ('<span aria-hidden="true" aria-hidden="false">shown</span>', "shown"),
        (
            '<span aria-hidden="&#116;rue">hidden</span><span aria-hidden="false">shown</span>',
            "shown",
        ),
        ('<span aria-hidden="true"/>shown<img src="a"><br/>too', "showntoo"),
        ("a &amp;<b>b</b>&#x41;&nbsp;z", "a &bA z"),
        ("&am<b></b>p; &lt", "&amp; <"),
        ("<!-- note -->a <b>b</b>", "a b"),  # not simple HTML: read by the parser
        ("<script>x < y</script>z", "z"),
        ("1 < 2 <i>x</i>", "1 < 2 x"),
        ("<span aria-hidden='true'>hidden</span>x", "x"),
        ('<p>unclosed <span aria-hidden="true">hidden', "unclosed"),
    ],
)
def test_plain_text_reads_what_a_reader_reads(html: str, text: str) -> None:
    assert plain_text(html) == text


def _counting_math(typeset: list[str]) -> InlineMath:
    def render(token: Token) -> str:
        typeset.append(token.content)
        return f'<span class="katex">{token.content}</span>'

    return render


def test_formulas_past_the_cut_are_not_typeset() -> None:
    body = "前面" * 10 + "$a$ 中间" + "很长的文字" * 40 + " $b$ 末尾。\n\n第二段 $c$。"
    typeset: list[str] = []
    result = make_excerpt(parser().parse(body, {}), 30, _counting_math(typeset))
    assert typeset == ["a"]
    assert result.cut and result.html == "前面" * 10 + '<span class="katex">a</span>…'


def test_a_cut_inside_a_long_run_of_text() -> None:
    tokens = parser().parse("一二三四五六七八九十。" * 3 + "\n\n第二段。", {})
    cuts = {limit: make_excerpt(tokens, limit, _counting_math([])) for limit in (9, 12, 30, 33)}
    assert cuts[9].text == "一二三四五六七八九…"  # no boundary yet: cut before the 10th
    assert cuts[12].text == "一二三四五六七八九十…"
    assert cuts[30].text == "一二三四五六七八九十。" * 2 + "一二三四五六七八九十…"
    assert not cuts[33].cut and cuts[33].text == "一二三四五六七八九十。" * 3 + "第二段。"
