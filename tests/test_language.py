"""Each page says the language it is written in (``<html lang>``, which picks a screen
reader's voice), and a site whose ``site.toml`` names none takes its pages' language."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from inkstone.build import BuildMemory, BuildOptions, build
from inkstone.content.frontmatter import split_front_matter
from inkstone.content.language import page_language, site_language, text_language
from tests.sites import DEMO, build_site, messages, read

CHINESE = """
用 PyTorch 的 `DistributedDataParallel` 包装 model 之后，每个进程只负责一份数据；
反向传播时梯度在各个 GPU 之间做 all-reduce，$g = \\frac{1}{N}\\sum_i g_i$。
"""
ENGLISH = """
Rotary position embedding rotates each pair of query and key features by an angle that
grows with the position, so that the attention score depends only on the offset.
"""


@pytest.mark.parametrize(
    ("markdown", "language"),
    [
        (CHINESE, "zh"),
        (ENGLISH, "en"),
        ("The Chinese term 注意力 means attention; the rest of this page is English.", "en"),
        # code and formulas are not prose: a short Chinese note above a long listing
        (
            "题解如下。\n\n```python\n" + "def solve(nums): return sorted(nums)\n" * 30 + "```\n",
            "zh",
        ),
        ("$$\\mathrm{softmax}(QK^\\top / \\sqrt{d_k})\\,V$$\n\n注意力的定义。", "zh"),
        ("见 [the paper](https://arxiv.org/abs/1706.03762) 的第三节。", "zh"),
        ("トランスフォーマーの注意機構について説明します。", "ja"),
        ("트랜스포머의 어텐션 메커니즘을 설명합니다.", "ko"),
        ("```python\nprint(1)\n```\n\n$$x^2$$\n", None),
        ("", None),
    ],
)
def test_the_language_of_a_text_is_that_of_its_prose(markdown: str, language: str) -> None:
    assert text_language(markdown) == language


def test_a_long_listing_at_the_top_does_not_hide_the_prose_below() -> None:
    listing = "```python\n" + "x = compute(y)\n" * 200 + "```\n\n"
    assert text_language(listing + CHINESE) == "zh"


def test_a_page_takes_its_own_language_only_where_the_script_differs() -> None:
    assert page_language("fr", "zh", "zh") == "fr"  # the front matter wins
    assert page_language(None, "en", "zh-CN") == "en"
    assert page_language(None, "zh", "en") == "zh"
    assert page_language(None, "zh", "zh-TW") == "zh-TW"  # the site's tag is the finer one
    assert page_language(None, "ja", "zh") == "ja"
    assert page_language(None, "en", "fr") == "fr"  # French cannot be told from English
    assert page_language(None, None, "zh") == "zh"


def test_a_site_takes_the_language_most_pages_are_in() -> None:
    assert site_language(["zh", "zh", "en", None]) == "zh"
    assert site_language(["en", "zh"]) == "en"  # a tie
    assert site_language([None]) == "en"
    assert site_language([]) == "en"


def test_every_page_of_the_demo_is_found_in_the_language_it_declares() -> None:
    """The demo's English posts say ``lang: en``; they would be read as English without."""
    declared: dict[str, str] = {}
    for path in sorted((DEMO / "content").rglob("*.md")):
        front = split_front_matter(path.read_text(encoding="utf-8"), path)
        own = front.data.get("lang")
        declared[path.name] = page_language(None, text_language(front.body), "zh")
        assert declared[path.name] == (own or "zh"), path.name
    assert sorted(declared.values()).count("en") == 5


ZERO_CONFIG = f"""
-- ddp.md --
---
title: 分布式训练笔记
date: 2025-01-01
---
{CHINESE}
-- rope.md --
---
title: Rotary position embedding
date: 2025-01-02
---
{ENGLISH}
-- kv-cache.md --
---
title: KV cache 的显存
date: 2025-01-03
---
推理时缓存每一层的键和值，显存随序列长度线性增长。
-- greeting.md --
---
title: 你好
date: 2025-01-04
lang: en
---
这一页的正文是中文，但它的 front matter 说它是英文的：作者说了算。
"""


def test_a_folder_without_settings_is_built_in_the_language_of_its_posts(
    tmp_path: Path,
) -> None:
    report, out = build_site(tmp_path / "site", ZERO_CONFIG, out_dir=tmp_path / "out")
    assert report.errors == [], messages(report)
    home = read(out, "index.html")
    assert '<html lang="zh">' in home
    assert "最新更新" in home and "LATEST UPDATES" not in home
    assert '<html lang="zh">' in read(out, "ddp/index.html")
    rope = read(out, "rope/index.html")
    assert '<html lang="en">' in rope and 'content="en_US"' in rope
    assert '<html lang="en">' in read(out, "greeting/index.html")
    assert "<language>zh</language>" in read(out, "rss.xml")


def test_a_site_that_names_its_language_keeps_it_while_its_pages_say_theirs(
    tmp_path: Path,
) -> None:
    site = '-- site.toml --\nlanguage = "en"\n' + ZERO_CONFIG.replace("-- ", "-- content/posts/")
    report, out = build_site(tmp_path / "site", site, out_dir=tmp_path / "out")
    assert report.errors == [], messages(report)
    home = read(out, "index.html")
    assert '<html lang="en">' in home and "LATEST UPDATES" in home
    ddp = read(out, "posts/ddp/index.html")
    assert '<html lang="zh">' in ddp and 'content="zh_CN"' in ddp
    assert '<html lang="en">' in read(out, "posts/rope/index.html")


def test_a_notebook_shows_its_labels_in_the_language_of_its_prose(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "site.toml").write_text('language = "en"\n', encoding="utf-8")
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# 梯度检查\n\n先算一遍数值梯度，再和自动求导的结果比较。"),
            new_code_cell("print(1)", metadata={"tags": ["hide-input"]}),
        ],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    (site / "content" / "posts").mkdir(parents=True)
    nbformat.write(notebook, site / "content" / "posts" / "2025-01-01-grad.ipynb")
    report, out = build_site(site, out_dir=tmp_path / "out")
    assert report.errors == [], messages(report)
    page = read(out, "posts/grad/index.html")
    assert '<html lang="zh">' in page
    assert "显示代码</summary>" in page and "Show code" not in page


def test_the_dev_server_follows_a_site_whose_language_changes(tmp_path: Path) -> None:
    """A page with no prose of its own (a heading that is a formula) shows the site's
    labels; when most pages turn Chinese, it is rendered again with Chinese ones."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "formula.md").write_text(
        "---\ntitle: x\ndate: 2025-01-01\n---\n## $E = mc^2$\n", encoding="utf-8"
    )
    (site / "rope.md").write_text(
        f"---\ntitle: RoPE\ndate: 2025-01-02\n---\n{ENGLISH}", encoding="utf-8"
    )
    memory = BuildMemory()
    options = BuildOptions(out_dir=tmp_path / "out")
    assert build(site, options, memory).errors == []
    anchor = re.compile(r'class="heading-anchor"[^>]*aria-label="([^"]+)"')
    first = anchor.findall(read(tmp_path / "out", "formula/index.html"))
    assert first == ["Link to this section"]
    for name in ("a", "b"):
        (site / f"{name}.md").write_text(
            f"---\ntitle: 笔记 {name}\ndate: 2025-01-03\n---\n{CHINESE}", encoding="utf-8"
        )
    assert build(site, options, memory).errors == []
    page = read(tmp_path / "out", "formula/index.html")
    assert '<html lang="zh">' in page
    assert anchor.findall(page) == ["链接到本节"]


def test_a_broken_label_file_of_the_language_found_is_an_error_and_nothing_is_written(
    tmp_path: Path,
) -> None:
    site = ZERO_CONFIG + '-- i18n/zh.toml --\nhome = "首页\n'
    report, out = build_site(tmp_path / "site", site, out_dir=tmp_path / "out")
    assert [p.path.as_posix() for p in report.errors if p.path] == ["i18n/zh.toml"]
    assert not out.exists()
