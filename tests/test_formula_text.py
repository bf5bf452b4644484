"""A typeset formula read as one line of text, for descriptions: what its layout means is
kept (a script, a fraction, a root), never the TeX, never the MathML's letters run together."""

from __future__ import annotations

from pathlib import Path

import pytest

from inkstone.markup.formula_text import formula_line, formula_text
from inkstone.markup.markdown import RenderContext, render_markdown
from inkstone.markup.math import engine


def text_of(tex: str) -> str | None:
    return formula_text(engine().render(tex, False).html)


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        # scripts: Unicode's letters when the whole script has them, else _x or ^(…)
        (r"g_t=\nabla_\theta f_t(\theta_{t-1})", "gₜ=∇_θ fₜ(θₜ₋₁)"),
        (r"\alpha=10^{-3}", "α=10⁻³"),
        ("g_t^2", "gₜ²"),
        (r"\beta_1,\beta_2\in[0,1)", "β₁,β₂∈[0,1)"),
        ("QK^\\top", "QKᵀ"),
        ("f'(x)", "f′(x)"),
        (r"\sum_{i=1}^N a_i", "∑ᵢ₌₁ᴺ aᵢ"),
        (r"e^{z_i}/\sum_j e^{z_j}", "e^(zᵢ)/∑ⱼ e^(zⱼ)"),
        (r"W_q \in \mathbb{R}^{d \times d_k}", "W_q∈ℝ^(d×dₖ)"),
        (r"D_{\mathrm{KL}}(q \| p)", "D_(KL) (q∥p)"),  # the bracket is not the script's
        (r"\pi_\theta(a_t|s_t)", "π_θ(aₜ∣sₜ)"),  # a one-character script needs no space
        (r"\mathcal{L}_{\text{CE}}", "ℒ_(CE)"),
        (r"\mathbb{E}_{x \sim p_\theta}[\log q(x)]", "𝔼_(x∼p_θ) [log q(x)]"),
        (r"x^{(l)}_i", "xᵢ⁽ˡ⁾"),
        ("(a+b)^2", "(a+b)²"),
        (r"\overbrace{a+b}^{n}", "(a+b)ⁿ"),
        # fractions, roots, accents
        (r"\hat{x}_i = \frac{x_i-\mu}{\sigma}", "x̂ᵢ=(xᵢ−μ)/σ"),
        (r"\frac{1}{\sqrt{d_k}}", "1/√dₖ"),
        (r"x_{t-1} = \frac{1}{\sqrt{\alpha_t}}(x_t - \dots)", "xₜ₋₁=(1/√αₜ)(xₜ−…)"),
        (r"\frac{a}{b} + c", "a/b+c"),
        (r"\left(\frac{1}{2}\right)^n", "(1/2)ⁿ"),
        (r"\sqrt{d_k}", "√dₖ"),
        (r"\sqrt{a+b}", "√(a+b)"),
        (r"\sqrt[3]{x}", "³√x"),
        (r"\bar{\alpha}_t = \prod_{s=1}^{t} \alpha_s", "\u1fb1ₜ=∏ₛ₌₁ᵗ αₛ"),  # ᾱ, composed (NFC)
        (r"\vec{v}\cdot\bar{x}", "v⃗⋅x̄"),
        (r"\underline{x}", "x"),
        # function names, spaces, matrices
        (r"\arg\max_a Q(s,a)", "arg maxₐ Q(s,a)"),
        (r"\log 3", "log 3"),
        (r"\max(0, x)", "max(0,x)"),
        (r"\lim_{n\to\infty} x_n", "lim_(n→∞) xₙ"),
        (r"\eta_{\max} = 3", "ηₘₐₓ=3"),  # the script is one group in the MathML too
        (r"\lambda_{\min}(A)^{\top}", "λₘᵢₙ(A)ᵀ"),
        (r"a \bmod b", "a mod b"),
        (r"a\;b\,c", "a b c"),
        (r"\operatorname{softmax}\!\left(x\right)", "softmax(x)"),  # \! is no space
        (r"x \quad y", "x y"),
        (r"\begin{pmatrix}a&b\\c&d\end{pmatrix}", "(a, b; c, d)"),
        (r"\begin{aligned}a&=b,\\c&=d.\end{aligned}", "a=b, c=d."),
        (r"\text{softmax}(z)_i", "softmax(z)ᵢ"),
    ],
)
def test_a_formula_reads_as_it_is_typeset(tex: str, text: str) -> None:
    assert text_of(tex) == text


@pytest.mark.parametrize(
    ("tex", "text"),
    [
        (r"a=b, \tag{2}", "a=b,"),
        (r"\begin{aligned}a&=b\\c&=d\end{aligned}\tag{R}", "a=b; c=d"),
    ],
)
def test_an_equations_number_is_left_out(tex: str, text: str) -> None:
    html = engine().render(tex, True).html
    assert "(2)" in html or "(R)" in html
    assert formula_text(html) == text


def test_html_without_mathml_is_left_to_the_caller() -> None:
    assert formula_text('<span class="katex">x</span>') is None
    assert formula_text("<math><mi>x</mi><!-- a comment --></math>") is None
    assert formula_text("<math><mi>x</mo></math>") is None


def test_a_formula_line_falls_back_to_the_mathml_text() -> None:
    """What descriptions and the search index use: the formula's text where it can be read,
    else the plain text of its MathML (never nothing, never KaTeX's HTML twin)."""
    assert formula_line(engine().render("g_t^2", False).html) == "gₜ²"
    katex = (
        '<span class="katex"><span class="katex-mathml"><math><msub><mi>g</mi><mi>t</mi></msub>'
        '<!-- a comment --></math></span><span class="katex-html" aria-hidden="true">'
        '<span class="mord">twin</span></span></span>'
    )
    assert formula_text(katex) is None
    assert formula_line(katex) == "gt"


def test_a_description_reads_its_formulas() -> None:
    body = (
        "给定学习率 $\\alpha=10^{-3}$ 和梯度 $g_t^2$，更新需要 $O(n^2 d)$ 的计算，"
        "其中缩放因子是 $\\frac{1}{\\sqrt{d_k}}$。"
    )
    rendered = render_markdown(body, RenderContext(Path("x.md")))
    assert rendered.excerpt_text == (
        "给定学习率 α=10⁻³ 和梯度 gₜ²，更新需要 O(n²d) 的计算，其中缩放因子是 1/√dₖ。"
    )


def test_a_fraction_before_a_term_is_bracketed_whole() -> None:
    assert text_of(r"\frac{(a+b)}{c}x") == "((a+b)/c)x"
