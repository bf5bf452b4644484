"""The demo's figure in Chromium, under the ``/blog/`` base path: its box is reserved before
the image loads (the page does not jump), the browser picks the resized copy that fits the
screen from ``srcset``, and nothing overflows a 320 px screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from .conftest import ServedSite
from .test_math_pages import open_ok

pytestmark = pytest.mark.browser

TOOLBOX = "posts/notes-toolbox/"
FIGURE_IMG = ".post-content figure.figure img[src$='lr-schedules.png']"


@pytest.mark.parametrize(
    ("scale", "copy"), [(1, "lr-schedules-704w.webp"), (2, "lr-schedules-1408w.webp")]
)
def test_figure_reserves_its_box_and_loads_the_copy_that_fits(
    blog_site: ServedSite, browser: Browser, scale: int, copy: str
) -> None:
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, device_scale_factor=scale
    )
    try:
        page = context.new_page()
        open_ok(page, blog_site.url(TOOLBOX))
        image = page.locator(FIGURE_IMG)
        assert image.count() == 1
        before = image.evaluate(
            "(img) => ({w: img.clientWidth, h: img.clientHeight, done: img.complete && img.naturalWidth > 0})"
        )
        assert not before["done"], "the figure is below the fold: lazy, not loaded yet"
        assert before["w"] == 704 and abs(before["h"] - 704 * 900 / 1600) <= 1, before
        image.scroll_into_view_if_needed()
        page.wait_for_function(
            "(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle()
        )
        loaded = image.evaluate(
            "(img) => ({src: img.currentSrc, natural: img.naturalWidth, h: img.clientHeight})"
        )
        assert loaded["src"] == blog_site.url("images/" + copy), loaded
        pixels = int(copy.split("-")[-1].split("w")[0])
        assert loaded["natural"] * scale == pixels, "the copy's density-corrected width"
        assert loaded["h"] == before["h"], "the box did not change when the image arrived"
        caption = page.locator(".post-content figure.figure figcaption").first
        assert caption.inner_text().startswith("图 1")
        assert caption.locator(".katex").count() == 1, "math in the caption is typeset"
    finally:
        context.close()


def test_figure_fits_a_narrow_screen(blog_site: ServedSite, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        open_ok(page, blog_site.url(TOOLBOX))
        image = page.locator(FIGURE_IMG)
        image.scroll_into_view_if_needed()
        box = image.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 320, box
        assert abs(box["height"] - box["width"] * 900 / 1600) <= 1, box
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    finally:
        context.close()
