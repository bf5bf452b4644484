"""Callouts, admonitions, toggles and content tabs beyond the golden fixtures: labels in
Chinese, the ``tabs`` page feature, the kinds table, and warnings placed in a real site."""

from __future__ import annotations

import re
from pathlib import Path

from inkstone.markup.markdown import RenderContext, render_markdown
from inkstone.markup.plugins.callouts import EMOJI_KINDS, ICONS, KINDS
from tests.sites import build_site, messages, read


def _render(body: str, zh: bool = False) -> tuple[str, RenderContext]:
    ctx = RenderContext(path=Path("post.md"), zh=zh)
    return render_markdown(body, ctx).html, ctx


def _titles(html: str) -> list[str]:
    return re.findall(r'<span class="callout-title-text">(.*?)</span>', html)


def test_github_kinds_are_labelled_in_chinese_on_a_chinese_page() -> None:
    body = "\n\n".join(f"> [!{k}]\n> x" for k in ("NOTE", "TIP", "IMPORTANT", "WARNING", "CAUTION"))
    html, _ = _render(body, zh=True)
    assert _titles(html) == ["注意", "提示", "重要", "警告", "危险"]
    english, _ = _render(body)
    assert _titles(english) == ["Note", "Tip", "Important", "Warning", "Caution"]


def test_untitled_admonition_and_toggle_follow_the_page_language() -> None:
    body = "!!! warning\n    x\n\n??? question\n    y\n\n<details>\nz\n</details>\n"
    html, _ = _render(body, zh=True)
    assert _titles(html) == ["警告", "问题"]
    assert '<summary class="toggle-title">详情</summary>' in html


def test_an_authors_title_is_kept_whatever_the_language() -> None:
    html, _ = _render('> [!tip] Use logs\n> x\n\n!!! note "My title"\n    y\n', zh=True)
    assert _titles(html) == ["Use logs", "My title"]


def test_page_with_tabs_has_the_tabs_feature() -> None:
    ctx = RenderContext(path=Path("post.md"))
    with_tabs = render_markdown('=== "A"\n    a\n\n=== "B"\n    b\n', ctx)
    assert with_tabs.features == ["tabs"]
    without = render_markdown("> [!NOTE]\n> x\n\n<details>\ny\n</details>\n", ctx)
    assert "tabs" not in without.features


def test_every_kind_has_an_icon_and_both_labels() -> None:
    for kind in KINDS.values():
        assert kind.look in ICONS, kind.name
        assert kind.en and kind.zh, kind.name
    assert set(EMOJI_KINDS.values()) <= set(KINDS)


def test_each_look_draws_its_own_icon() -> None:
    html, _ = _render("\n\n".join(f"> [!{name}]\n> x" for name in ICONS))
    icons = re.findall(r'<svg class="callout-icon"[^>]*aria-hidden="true"[^>]*>(.*?)</svg>', html)
    assert icons == list(ICONS.values())


def test_warnings_name_the_source_line_in_a_site(tmp_path: Path) -> None:
    report, out = build_site(
        tmp_path,
        """-- site.toml --
title = "t"
language = "zh"
-- content/posts/notes.md --
---
title: 笔记
date: 2025-01-02
---

> [!warnign]
> 正文 $x$

=== "空"
没有缩进

<details>
<summary>未闭合</summary>
""",
    )
    assert sorted(messages(report), key=lambda m: int(m.split(":")[1])) == [
        "content/posts/notes.md:6: unknown callout kind `warnign`, shown as a note "
        "(did you mean `warning`?)",
        'content/posts/notes.md:9: tab "空" has no content '
        "(indent the tab's content by 4 spaces under its `===` line)",
        "content/posts/notes.md:12: `<details>` is never closed: it ends with its container "
        "(add `</details>` on a line of its own where the toggle ends)",
    ]
    page = read(out, "posts/notes/index.html")
    assert '<aside class="callout callout-note">' in page
    assert '<span class="callout-title-text">注意</span>' in page
    assert 'class="katex"' in page
