"""Mermaid diagrams and bookmark cards in a real browser, on the demo's toolbox post.

The diagram is drawn by the Mermaid script the site ships (nothing is fetched from
elsewhere), in the colours of the page's theme; without JavaScript its source is shown.
Bookmark cards stay inside a 320 px screen and their text meets WCAG AA contrast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from .conftest import ServedSite
from .test_math_pages import open_ok
from .test_theme import CONTRAST_JS, new_page

pytestmark = pytest.mark.browser

TOOLBOX = "posts/notes-toolbox/"
"""The demo post with a Mermaid diagram and bookmark cards."""
PLAIN_POST = "posts/td-learning/"
"""A demo post without a diagram."""
DIAGRAM_LABEL = "KaTeX 排版"
"""Text of a node of the toolbox post's diagram."""

DIAGRAM_STATE_JS = """() => Array.from(document.querySelectorAll('pre.mermaid'), (el) => {
  const svg = el.querySelector('svg');
  const node = svg && svg.querySelector('.node rect, .node polygon');
  const box = svg ? svg.getBoundingClientRect() : null;
  return {
    text: svg ? svg.textContent : '',
    width: box ? box.width : 0,
    height: box ? box.height : 0,
    nodeFill: node ? getComputedStyle(node).fill : '',
  };
})"""


def diagrams(page: Page) -> list[dict[str, Any]]:
    page.wait_for_selector("pre.mermaid svg")
    state: list[dict[str, Any]] = page.evaluate(DIAGRAM_STATE_JS)
    return state


def test_diagram_is_drawn_from_the_sites_own_script(site: ServedSite, page: Page) -> None:
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    open_ok(page, site.url(TOOLBOX))
    drawn = diagrams(page)
    page.wait_for_load_state("networkidle")
    assert drawn and all(d["width"] > 100 and d["height"] > 50 for d in drawn), drawn
    assert DIAGRAM_LABEL in drawn[0]["text"]
    assert site.url("assets/mermaid/mermaid.min.js") in requests
    outside = [
        url
        for url in requests
        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"
    ]
    assert outside == []
    assert errors == []


def test_mermaid_is_loaded_only_where_there_is_a_diagram(site: ServedSite, page: Page) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    for path in ("", PLAIN_POST):
        open_ok(page, site.url(path))
        page.wait_for_load_state("networkidle")
    assert not [url for url in requests if "mermaid" in url]


def test_diagram_follows_the_page_theme(browser: Browser, site: ServedSite) -> None:
    fills = {}
    for scheme in ("light", "dark"):
        with new_page(browser, color_scheme=scheme) as page:
            open_ok(page, site.url(TOOLBOX))
            fills[scheme] = diagrams(page)[0]["nodeFill"]
            if scheme == "dark":
                # the toggle switches to light: the diagram is drawn again in light colours
                page.click(".theme-toggle")
                page.wait_for_function(
                    "(dark) => { const n = document.querySelector("
                    "'pre.mermaid svg .node rect, pre.mermaid svg .node polygon');"
                    " return n && getComputedStyle(n).fill !== dark; }",
                    arg=fills["dark"],
                )
                assert diagrams(page)[0]["nodeFill"] == fills["light"]
    assert fills["light"] and fills["dark"] and fills["light"] != fills["dark"]


def test_without_javascript_the_source_is_shown(browser: Browser, site: ServedSite) -> None:
    with new_page(browser, java_script_enabled=False) as page:
        open_ok(page, site.url(TOOLBOX))
        block = page.locator("pre.mermaid").first
        assert block.is_visible()
        assert "A[读取 Markdown] --> B{有公式吗?}" in block.inner_text()


def test_cards_and_diagram_fit_a_small_screen(browser: Browser, site: ServedSite) -> None:
    with new_page(browser, 320) as page:
        open_ok(page, site.url(TOOLBOX))
        diagrams(page)
        overflowing = page.evaluate(
            """() => Array.from(document.querySelectorAll('.bookmark, pre.mermaid'))
                 .filter((el) => el.getBoundingClientRect().right > innerWidth + 0.5)
                 .map((el) => el.className)"""
        )
        assert page.locator(".bookmark").count() >= 2
        assert overflowing == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_card_text_meets_wcag_aa(
    browser: Browser, site: ServedSite, artifacts: Path, scheme: str
) -> None:
    with new_page(browser, 375, color_scheme=scheme) as page:
        open_ok(page, site.url(TOOLBOX))
        diagrams(page)
        selectors = [".bookmark-title", ".bookmark-site", ".bookmark-path"]
        low = []
        for item in page.evaluate(CONTRAST_JS, selectors):
            assert not item.get("missing"), f"nothing matches {item['sel']}"
            if item["ratio"] < 4.5:
                low.append(f"{item['sel']}: {item['ratio']:.2f}")
        assert low == []
        target = artifacts / f"toolbox-cards-{scheme}.png"
        page.locator(".bookmark").first.scroll_into_view_if_needed()
        page.screenshot(path=str(target), full_page=True, animations="disabled")
        assert target.stat().st_size > 10_000
