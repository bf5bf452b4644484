"""Every page of the demo checked by axe-core, in the states a reader sees it in.

axe-core (the npm package, at the version ``package.json`` pins) runs every rule it has
that is not experimental: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and its best
practices. Each page is checked in the light and the dark scheme, wide and on a phone
(where formulas, tables and code scroll sideways), with its Mermaid diagrams drawn and, on
the search page and in the search dialog, with results shown. A violation fails the test
whatever its impact; there is no list of rules let off.

The keyboard tests below check what axe cannot: that the Tab key really reaches a block
that scrolls and the arrow keys scroll it, and that a formula leaves the tab order again
once the window is wide enough for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.sites import REPO, demo_in_theme

from .conftest import ServedSite, serve_built
from .test_theme import new_page

pytestmark = pytest.mark.browser

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"

RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.flatMap((rule) => rule.nodes.map((node) =>
    `${rule.id} [${rule.impact}] ${node.target.join(" ")}: ` +
    (node.failureSummary || rule.help).replace(/\\s+/g, " ")));
}"""
"""Each violation as ``rule [impact] target: what to fix``."""

SCHEMES = ["light", "dark"]
PHONE = 375
WIDE_FORMULAS = "posts/ddpm/"
"""A post whose display formulas are wider than a phone's column."""
WIDE_CODE = "posts/adam/"
"""A post with a code block wider than the column even on a wide screen."""


def page_paths(site: ServedSite) -> list[str]:
    """Every page of the built site (``""`` for the home page), the 404 page, the search
    index's files and the pages at old addresses (which send the reader on at once to a
    page checked here) aside."""
    pages = (
        index.parent.relative_to(site.root).as_posix()
        for index in site.root.rglob("index.html")
        if "pagefind" not in index.parts and REDIRECT not in index.read_text(encoding="utf-8")
    )
    return sorted("" if path == "." else path + "/" for path in pages)


REDIRECT = '<meta http-equiv="refresh"'


def ready(page: Page, url: str) -> None:
    """Open ``url`` and wait for what scripts draw after the load: Mermaid's diagrams."""
    page.goto(url, wait_until="load")
    diagrams = page.locator("pre.mermaid")
    for n in range(diagrams.count()):
        expect(diagrams.nth(n).locator("svg")).to_be_attached()


def violations(page: Page) -> list[str]:
    """What axe finds wrong with the page as it now is."""
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    found: list[str] = page.evaluate(RUN_AXE)
    return found


def show_results(page: Page, site: ServedSite, query: str = "梯度") -> None:
    """Open the search page with ``query`` and wait for its results."""
    page.goto(site.url(f"search/?q={query}"))
    box = page.locator(".search-page [data-search]")
    expect(box).to_have_attribute("data-searched", query)
    expect(box.locator(".search-result").first).to_be_visible()


def check_pages(browser: Browser, site: ServedSite, paths: list[str], **options: Any) -> None:
    assert AXE.is_file(), f"{AXE.relative_to(REPO)} is missing: run `npm ci`"
    found: list[str] = []
    with new_page(browser, **options) as page:
        for path in paths:
            ready(page, site.url(path))
            found += [f"/{path} {problem}" for problem in violations(page)]
    assert found == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_every_page_passes_axe(browser: Browser, site: ServedSite, scheme: str) -> None:
    paths = page_paths(site)
    assert len(paths) > 40 and "" in paths and "search/" in paths, paths
    check_pages(browser, site, [*paths, "404.html"], color_scheme=scheme)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_posts_pass_axe_on_a_phone(browser: Browser, site: ServedSite, scheme: str) -> None:
    check_pages(browser, site, ["", *site.post_paths()], width=PHONE, color_scheme=scheme)


@pytest.fixture(scope="module")
def minimal_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The demo in the minimal theme: a copy of it whose ``site.toml`` names that theme."""
    source = demo_in_theme(tmp_path_factory.mktemp("demo-minimal") / "demo", "minimal")
    with serve_built(source / "public", "/", source) as served:
        yield served


@pytest.mark.parametrize("scheme", SCHEMES)
def test_the_minimal_theme_passes_axe(
    browser: Browser, minimal_site: ServedSite, scheme: str
) -> None:
    paths = ["", "archives/", "tags/", WIDE_FORMULAS, WIDE_CODE, "posts/notes-toolbox/"]
    for width in (1280, PHONE):
        check_pages(browser, minimal_site, paths, width=width, color_scheme=scheme)
    with new_page(browser, color_scheme=scheme) as page:
        show_results(page, minimal_site)
        assert violations(page) == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_search_with_results_passes_axe(browser: Browser, site: ServedSite, scheme: str) -> None:
    found: list[str] = []
    with new_page(browser, color_scheme=scheme) as page:
        show_results(page, site)
        found += [f"search page: {problem}" for problem in violations(page)]

        ready(page, site.url("posts/rope/"))
        page.locator("[data-search-open]").first.click()
        dialog = page.locator("#search-dialog")
        expect(dialog).to_have_attribute("open", "")
        page.keyboard.type("attention")
        expect(dialog.locator("[data-search]")).to_have_attribute("data-searched", "attention")
        expect(dialog.locator(".search-result").first).to_be_visible()
        found += [f"search dialog: {problem}" for problem in violations(page)]
    assert found == []


RING_INSIDE_BLOCK = """(el) => {
  const style = getComputedStyle(el);
  const grow = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth);
  const ring = el.getBoundingClientRect();
  const block = el.closest(".code-block").getBoundingClientRect();  // overflow: hidden
  return style.outlineStyle !== "none" && ring.left - grow >= block.left
    && ring.right + grow <= block.right && ring.bottom + grow <= block.bottom;
}"""
"""Whether the focused element's outline is drawn where its code block does not clip it."""


def test_tab_reaches_a_wide_code_block_and_arrows_scroll_it(
    browser: Browser, site: ServedSite
) -> None:
    with new_page(browser, width=PHONE) as page:
        ready(page, site.url(WIDE_CODE))
        code = page.locator(".code-block pre").first
        assert code.evaluate("(el) => el.scrollWidth > el.clientWidth"), "the block fits"
        for _ in range(200):
            page.keyboard.press("Tab")
            if code.evaluate("(el) => el === document.activeElement"):
                break
        else:
            pytest.fail("Tab never reached the code block")
        assert code.evaluate(RING_INSIDE_BLOCK), "the focus ring is clipped or missing"
        page.keyboard.press("ArrowRight")
        page.wait_for_function("(el) => el.scrollLeft > 0", arg=code.element_handle())


def test_a_formula_is_in_the_tab_order_only_while_it_overflows(
    browser: Browser, site: ServedSite
) -> None:
    overflowing = """() => Array.from(document.querySelectorAll('.math-display'), (el) =>
      [el.scrollWidth > el.clientWidth, el.getAttribute('tabindex')])"""
    with new_page(browser, width=PHONE) as page:
        ready(page, site.url(WIDE_FORMULAS))
        narrow = page.evaluate(overflowing)
        assert any(wide for wide, _ in narrow), "no formula is wider than a phone"
        assert all((index == "0") == wide for wide, index in narrow), narrow

        page.set_viewport_size({"width": 1280, "height": 900})
        page.wait_for_function(
            "() => !document.querySelector('.math-display[tabindex]')"
            " || Array.from(document.querySelectorAll('.math-display[tabindex]'))"
            ".every((el) => el.scrollWidth > el.clientWidth)"
        )
        wide_screen = page.evaluate(overflowing)
        assert all((index == "0") == wide for wide, index in wide_screen), wide_screen
        assert sum(wide for wide, _ in wide_screen) < sum(wide for wide, _ in narrow)
