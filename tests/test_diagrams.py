"""Mermaid diagrams in whole sites: the script is copied and loaded only where a page has a
diagram, in both built-in themes; a missing Mermaid package is a warning, not a failure."""

from __future__ import annotations

from pathlib import Path

import pytest

from inkstone.output import assets
from tests.sites import build_site, messages, read

SCRIPT = "assets/mermaid/mermaid.min.js"

SITE = """
-- site.toml --
title = "t"
base_url = "https://example.org/blog/"
THEME
-- content/posts/flow.md --
---
title: 流程
date: 2025-01-02
---
```mermaid
graph LR
  A[开始] --> B{x < 1?}
```
-- content/posts/plain.md --
---
title: 普通
date: 2025-01-01
---
Only text and `code`.
"""


@pytest.mark.parametrize("theme", ["transmission", "minimal"])
def test_mermaid_is_copied_and_loaded_only_on_pages_with_a_diagram(
    tmp_path: Path, theme: str
) -> None:
    report, out = build_site(tmp_path, SITE.replace("THEME", f'theme = "{theme}"'))
    assert not report.problems, messages(report)
    assert (out / SCRIPT).stat().st_size > 100_000
    flow = read(out, "posts/flow/index.html")
    assert '<script src="/blog/assets/mermaid/mermaid.min.js" defer></script>' in flow
    assert "mermaid.run(" in flow
    assert (
        '<pre class="mermaid" tabindex="0">graph LR\n  A[开始] --&gt; B{x &lt; 1?}\n</pre>' in flow
    )
    for page in ("posts/plain/index.html", "index.html", "archives/index.html"):
        assert "mermaid" not in read(out, page), page


def test_a_diagram_alone_does_not_load_the_code_stylesheet(tmp_path: Path) -> None:
    _, out = build_site(tmp_path, SITE.replace("THEME", ""))
    assert "highlight.css" not in read(out, "posts/flow/index.html")


def test_no_diagram_no_mermaid_files(tmp_path: Path) -> None:
    site = '-- site.toml --\ntitle = "t"\n-- content/posts/a.md --\n---\ndate: 2025-01-01\n---\nx\n'
    report, out = build_site(tmp_path, site)
    assert not report.problems
    assert not (out / "assets" / "mermaid").exists()


def test_missing_mermaid_is_a_warning_and_the_site_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(assets, "find_dist", lambda *args: None)
    report, out = build_site(tmp_path, SITE.replace("THEME", ""))
    assert messages(report) == [
        "Mermaid is not installed: diagrams are shown as their source (run `npm ci` in the "
        "inkstone checkout (or set INKSTONE_MERMAID_DIR to a mermaid/dist folder))"
    ]
    assert not (out / SCRIPT).exists()
    assert '<pre class="mermaid" tabindex="0">' in read(out, "posts/flow/index.html")
