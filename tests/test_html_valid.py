"""Every page inkstone writes is valid HTML, by the Nu Html Checker (``vnu``, the W3C's
checker; the npm ``vnu-jar`` package at the version ``package.json`` pins, run by Java).

The demo is checked in both themes, with its stylesheets and SVG files, and so are two sites
written below for what the demo lacks. An error or a warning fails the test; the checker's
informational notes (such as ``<br />``'s slash having no effect) do not. Its warnings
include a long page whose text reads as another language than its ``lang``: the demo's
English posts were flagged until they said ``lang: en``, and the Chinese posts of a folder
without settings until inkstone read the language of each page.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.sites import DEMO, REPO, build_site, demo_in_theme

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

EDGE_CASES = """
-- site.toml --
title = "边角"
language = "zh"
-- content/posts/formulas.md --
---
title: 公式的边角
date: 2025-03-01
tags: [数学]
---
学习率上限 $\\eta_{\\max}$ 与下限 $\\lambda_{\\min}^{2}$，定义 $a \\mathrel{\\vcenter{:}}= b$，
以及 $\\underset{\\max}{x}$ 和 $a \\overset{!}{=} b$。这些公式在 KaTeX 的 MathML 里原本不合规[^1]。

$$
\\theta_j = 10000^{-2j/d} \\tag{2.1}
$$

| | 训练 | 推理 |
|---|---|---|
| 显存 | 高 | 低 |

- [x] 已完成的任务
- [ ] 未完成的任务

[^1]: 见 KaTeX 的问题列表。
-- content/posts/english.md --
---
title: An English post on a Chinese site
lang: en
date: 2025-03-02
---
This post is written in English, so its page says so, while the site's navigation stays in
Chinese. Its footnote section is headed for screen readers in English too.[^note]

[^note]: A note, in English.
"""

ATTENTION = """
自注意力的计算量随序列长度平方增长。对长度为 $n$ 的序列，每个位置都要和其余所有位置计算一次
相似度，得到一个 $n \\times n$ 的矩阵，再按行做归一化。这就是为什么长文本的推理既慢又占显存。

线性注意力的想法是先把键和值相乘，再与查询相乘：矩阵乘法满足结合律，先算右边的乘积，
代价就从平方降到了线性。代价是注意力不再是一个真正的概率分布，模型的表达能力会有所下降。

实际工程里，更常见的做法是分块计算并把中间结果留在片上缓存里，这样既不改变结果，
又能把显存的读写次数降下来。这也是许多推理框架默认采用的方式。
"""
ADAM = """
Adam keeps a running average of the gradient and of its square. At the first steps both
averages are computed from very few samples, so the second one is a poor estimate and the
update can be far too large. A learning-rate warm-up keeps those first steps small.

The bias correction divides each average by one minus the decay rate to the power of the
step, which makes the estimates unbiased but does nothing for their variance. That is why
a short warm-up still helps, even with the correction in place.
"""
NO_SETTINGS = f"""
-- attention.md --
---
title: 注意力机制的复杂度
date: 2025-03-01
---
{ATTENTION * 8}
-- adam.md --
---
title: Why Adam needs a warm-up
date: 2025-03-02
---
{ADAM * 8}
"""
"""A folder with no ``site.toml`` and no ``lang`` anywhere: each page says the language it
is written in, and the site takes the one most of them are in. The posts are long: the
checker reads the language of pages of 512 characters or more, and is sure of this Chinese
one only from about 2,000."""


def check(*folders: Path) -> list[str]:
    """What the checker finds wrong in every HTML, CSS and SVG file under ``folders``."""
    java = shutil.which("java")
    assert java, "Java 17 or later runs the checker: apt-get install -y default-jre-headless"
    assert VNU.is_file(), "the checker is an npm devDependency: run `npm ci`"
    command = [java, "-jar", str(VNU), "--format", "json", "--skip-non-html"]
    command += ["--also-check-css", "--also-check-svg", *map(str, folders)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = json.loads(done.stderr)["messages"]
    return [
        f"{m.get('url', '').removeprefix('file:')}:{m.get('lastLine', '?')}: {m['message']}"
        for m in found
        if m["type"] != "info" or m.get("subType") == "warning"
    ]


@pytest.fixture(scope="module")
def built_sites(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The demo in its own theme and in the minimal one, and the sites above."""
    root = tmp_path_factory.mktemp("valid")
    minimal = demo_in_theme(root / "demo-minimal", "minimal")
    outputs: list[Path] = []
    sites = [(DEMO, None), (minimal, None), (root / "edges", EDGE_CASES)]
    for source, text in [*sites, (root / "no-settings", NO_SETTINGS)]:
        report, out = build_site(source, text, out_dir=root / f"out-{len(outputs)}")
        assert not report.problems, [str(p) for p in report.problems]
        outputs.append(out)
    return outputs


def test_every_page_of_the_demo_and_of_its_edge_cases_is_valid(built_sites: list[Path]) -> None:
    assert check(*built_sites) == []
    pages = sum(1 for out in built_sites for _ in out.rglob("*.html"))
    assert pages > 150  # every page was there to be checked


def test_the_checker_finds_what_is_wrong(tmp_path: Path) -> None:
    """The checker runs, reads the pages, and reports what the test above forbids."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
        "<body><section><p>No heading.</p></section>"
        "<math><msub><mi>x</mi><mi>max</mi><mo>\u2061</mo></msub></math></body></html>",
        encoding="utf-8",
    )
    problems = check(tmp_path)
    assert any("Section lacks heading" in p for p in problems), problems
    assert any("“mo” not allowed as child of element “msub”" in p for p in problems), problems
