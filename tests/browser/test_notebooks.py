"""The demo's Jupyter notebook in a real browser: plot loaded, table shown, outputs readable."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.sites import DEMO

from .conftest import ServedSite
from .test_math_pages import open_ok
from .test_theme import fonts_ready, new_page

pytestmark = pytest.mark.browser

NOTEBOOK = DEMO / "content" / "posts" / "softmax-temperature.ipynb"
NOTEBOOK_POST = "posts/softmax-temperature/"


def _outputs(path: Path) -> list[dict[str, Any]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [output for cell in cells for output in cell.get("outputs", [])]


def _html_table_rows(path: Path) -> int:
    """Rows of the table the notebook's ``text/html`` output holds."""
    html = next(
        "".join(o["data"]["text/html"]) for o in _outputs(path) if "text/html" in o.get("data", {})
    )
    return len(re.findall(r"<tr[\s>]", html))


# Contrast of an element's text on its own (possibly translucent) background, colours
# normalised through a canvas so that any CSS colour syntax (color-mix, color()) is read.
CONTRAST_JS = """(selector) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = (css) => {
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b, a] = ctx.getImageData(0, 0, 1, 1).data;
    return {r, g, b, a: a / 255};
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a),
    g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c.a > 0) layers.push(c);
      if (c.a >= 1) break;
    }
    let colour = {r: 255, g: 255, b: 255, a: 1};
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const lum = ({r, g, b}) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const el = document.querySelector(selector);
  if (!el) return null;
  const bg = background(el);
  const fg = lum(over(rgba(getComputedStyle(el).color), bg));
  const back = lum(bg);
  return (Math.max(fg, back) + 0.05) / (Math.min(fg, back) + 0.05);
}"""


def test_notebook_page_shows_the_plot_and_the_table(site: ServedSite, page: Page) -> None:
    open_ok(page, site.url(NOTEBOOK_POST))
    plot = page.locator(".nb-image img").first
    plot.scroll_into_view_if_needed()
    plot.wait_for(state="visible")
    loaded = plot.evaluate("(img) => img.complete && img.naturalWidth > 0 && img.naturalHeight > 0")
    assert loaded, "the plot image did not load"
    box = plot.bounding_box()
    assert box is not None and box["width"] > 100 and box["height"] > 50

    table = page.locator(".nb-html table")
    assert table.is_visible()
    assert table.locator("tr").count() == _html_table_rows(NOTEBOOK)
    assert table.locator("th").first.is_visible()


def test_hidden_input_opens_on_click_and_errors_read_well(site: ServedSite, page: Page) -> None:
    open_ok(page, site.url(NOTEBOOK_POST))
    folded = page.locator(".nb-hidden-input details")
    code = folded.locator(".code-block")
    assert folded.count() == 1 and not code.is_visible()
    folded.locator("summary").click()
    assert code.is_visible()
    error = page.locator("pre.nb-error")
    assert error.is_visible() and "ZeroDivisionError" in error.inner_text()
    assert "\x1b" not in error.inner_text()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_notebook_outputs_meet_contrast(browser: Browser, site: ServedSite, scheme: str) -> None:
    with new_page(browser, color_scheme=scheme) as page:
        open_ok(page, site.url(NOTEBOOK_POST))
        for selector in ("pre.nb-error", "pre.nb-stream", ".nb-html td", ".nb-hidden summary"):
            ratio = page.evaluate(CONTRAST_JS, selector)
            assert ratio is not None, f"nothing matches {selector}"
            assert ratio >= 4.5, f"{scheme} {selector}: {ratio:.2f}"


def test_wide_outputs_scroll_in_their_own_box_at_320px(browser: Browser, site: ServedSite) -> None:
    with new_page(browser, 320) as page:
        open_ok(page, site.url(NOTEBOOK_POST))
        fonts_ready(page)
        page_width = page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= 320
        table_box = page.locator(".nb-output.nb-html").evaluate(
            "(el) => ({scroll: el.scrollWidth, client: el.clientWidth,"
            " overflow: getComputedStyle(el).overflowX})"
        )
        assert table_box["scroll"] > table_box["client"], "the table fits: nothing was checked"
        assert table_box["overflow"] == "auto"
