"""Content tabs and toggles of the demo's notes-toolbox post in Chromium, with and without
JavaScript: tabs switch by click and by keyboard, every panel shows when there is no script,
and the three kinds of toggle open and close with their Markdown and math rendered."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Locator, Page

from .conftest import ServedSite
from .test_math_pages import open_ok

pytestmark = pytest.mark.browser

TOOLBOX = "posts/notes-toolbox/"
TAB_LABELS = ["PyTorch", "JAX"]
TOGGLE_SUMMARY = "点击展开"
TOGGLES = (
    "details.toggle",  # <details><summary>…
    "details.callout",  # > [!tip]- …
    "details.callout",  # ??? tip "…"
)


@contextmanager
def toolbox(browser: Browser, javascript: bool, width: int = 1280) -> Iterator[Page]:
    """The notes-toolbox post, loaded in a fresh context."""
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        yield page
    finally:
        context.close()


def _tab_set(page: Page) -> Locator:
    tab_set = page.locator(".post-content .tabs").filter(has_text="PyTorch")
    assert tab_set.count() == 1, "the demo post has one PyTorch/JAX tab set"
    return tab_set


def _state(tab_set: Locator) -> dict[str, object]:
    """Which tab is selected, which panels are visible, and where the focus is."""
    result = tab_set.evaluate(
        """(set) => {
          const tabs = [...set.querySelectorAll(':scope > [role=tablist] > [role=tab]')];
          const panels = [...set.querySelectorAll(':scope > .tab-panel')];
          return {
            selected: tabs.filter((t) => t.getAttribute('aria-selected') === 'true')
                          .map((t) => t.textContent.trim()),
            tabindex: tabs.map((t) => t.tabIndex),
            visible: panels.map((p) => p.getBoundingClientRect().height > 0),
            focused: tabs.indexOf(document.activeElement),
            controls: tabs.map((t) => document.getElementById(t.getAttribute('aria-controls'))
                                      === panels[tabs.indexOf(t)]),
            labelled: panels.map((p, i) => p.getAttribute('aria-labelledby') === tabs[i].id
                                          && p.getAttribute('role') === 'tabpanel'),
          };
        }"""
    )
    assert isinstance(result, dict)
    return result


def test_tabs_switch_by_click_with_javascript(browser: Browser, site: ServedSite) -> None:
    with toolbox(browser, javascript=True) as page:
        open_ok(page, site.url(TOOLBOX))
        tab_set = _tab_set(page)
        tabs = tab_set.get_by_role("tab")
        assert tabs.all_inner_texts() == TAB_LABELS
        assert tab_set.get_by_role("tablist").count() == 1
        state = _state(tab_set)
        assert state["selected"] == ["PyTorch"]
        assert state["visible"] == [True, False]
        assert state["tabindex"] == [0, -1]
        assert state["controls"] == [True, True] and state["labelled"] == [True, True]
        # the panel's own label is shown by the tab now, not twice
        assert not tab_set.locator(".tab-label").first.is_visible()

        tabs.nth(1).click()
        state = _state(tab_set)
        assert state["selected"] == ["JAX"]
        assert state["visible"] == [False, True]
        assert state["tabindex"] == [-1, 0]
        jax = tab_set.get_by_role("tabpanel", name="JAX")
        assert jax.is_visible()
        assert jax.locator(".katex").first.is_visible(), "the formula in the JAX tab"
        assert "jax.nn.softmax" in jax.inner_text()

        tabs.nth(0).click()
        assert _state(tab_set)["visible"] == [True, False]


def test_tabs_switch_by_keyboard(browser: Browser, site: ServedSite) -> None:
    with toolbox(browser, javascript=True) as page:
        open_ok(page, site.url(TOOLBOX))
        tab_set = _tab_set(page)
        tab_set.get_by_role("tab", name="PyTorch").focus()
        steps = [
            ("ArrowRight", "JAX", 1),
            ("ArrowRight", "PyTorch", 0),  # wraps around
            ("ArrowLeft", "JAX", 1),
            ("Home", "PyTorch", 0),
            ("End", "JAX", 1),
        ]
        for key, selected, index in steps:
            page.keyboard.press(key)
            state = _state(tab_set)
            assert state["selected"] == [selected], key
            assert state["focused"] == index, f"{key}: focus did not follow the selection"
            assert state["visible"] == [i == index for i in range(2)], key
        # Tab leaves the tab list for the visible panel (roving tabindex)
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('role')")
        assert focused == "tabpanel"


def test_all_tab_panels_show_without_javascript(browser: Browser, site: ServedSite) -> None:
    with toolbox(browser, javascript=False) as page:
        open_ok(page, site.url(TOOLBOX))
        tab_set = _tab_set(page)
        assert tab_set.get_by_role("tab").count() == 0
        panels = tab_set.locator(".tab-panel")
        assert panels.count() == len(TAB_LABELS)
        for i, label in enumerate(TAB_LABELS):
            panel = panels.nth(i)
            assert panel.is_visible()
            assert panel.locator(".tab-label").inner_text() == label
            assert panel.locator(".code-block").is_visible()
        assert panels.nth(1).locator(".katex-display").is_visible()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_toggles_open_and_close_with_markdown_and_math(
    browser: Browser, site: ServedSite, javascript: bool
) -> None:
    with toolbox(browser, javascript=javascript) as page:
        open_ok(page, site.url(TOOLBOX))
        toggles = page.locator(".post-content details").filter(
            has=page.locator(f"summary:has-text('{TOGGLE_SUMMARY}')")
        )
        assert toggles.count() == len(TOGGLES), "one 点击展开 toggle per syntax"
        for i, selector in enumerate(TOGGLES):
            toggle = toggles.nth(i)
            assert toggle.evaluate(f"(d) => d.matches('{selector}')"), (i, selector)
            summary = toggle.locator("summary")
            body = toggle.locator(".toggle-body, .callout-body").first
            assert toggle.get_attribute("open") is None
            assert not body.is_visible(), f"toggle {i} is open before it is clicked"
            # rendered while closed too: no raw Markdown or TeX in the page source
            assert toggle.locator(".katex").count() > 0, f"no typeset math in toggle {i}"
            assert "$" not in toggle.inner_text()

            summary.click()
            assert toggle.get_attribute("open") is not None
            assert body.is_visible()
            assert body.locator(".katex").first.is_visible()
            assert "**" not in body.inner_text()

            summary.click()
            assert toggle.get_attribute("open") is None
            assert not body.is_visible()
        first_body = toggles.nth(0).locator(".toggle-body")
        assert first_body.locator("strong").count() == 1, "Markdown right after </summary>"


def test_toggle_opens_from_the_keyboard(browser: Browser, site: ServedSite) -> None:
    with toolbox(browser, javascript=True) as page:
        open_ok(page, site.url(TOOLBOX))
        toggle = page.locator(".post-content details.toggle").first
        toggle.locator("summary").focus()
        page.keyboard.press("Enter")
        assert toggle.get_attribute("open") is not None
        page.keyboard.press("Space")
        assert toggle.get_attribute("open") is None


def test_callouts_and_tabs_fit_a_small_screen(browser: Browser, site: ServedSite) -> None:
    with toolbox(browser, javascript=True, width=320) as page:
        open_ok(page, site.url(TOOLBOX))
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"horizontal scroll at 320 px: {widths}"
        assert page.locator(".callout").first.is_visible()
