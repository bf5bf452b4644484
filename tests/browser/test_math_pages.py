"""The demo site in a real browser: math typeset and laid out, links and assets resolve.

Every test loads pages of the demo (see conftest.py) in headless Chromium.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Page, Response

from .conftest import ServedSite, wait_for_fragment

pytestmark = pytest.mark.browser

MATH_POST = "posts/td-learning/"
"""A math-heavy post with numbered equations and ``\\eqref``."""
MIN_FORMULAS = 20
"""``MATH_POST`` has far more; fewer means math went missing."""

# One evaluation gathering everything the math checks need, after the fonts settled.
# Collapsed content (closed toggles, tab panels not shown) is opened first: a formula
# there has no box until the reader opens it. The table of contents is on the page twice,
# beside the text and above it, and the layout shows one: the other's formulas have no box.
MATH_STATE_JS = """
async () => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  document.querySelectorAll('.tab-panel[hidden]').forEach((p) => { p.hidden = false; });
  await document.fonts.ready;
  const shown = (el) => el.checkVisibility() || !el.closest('.toc-side, .toc-inline');
  const katex = Array.from(document.querySelectorAll('.katex'), (el) => el).filter(shown).map((el) => {
    const r = el.getBoundingClientRect();
    const tex = el.querySelector('annotation');
    return {w: r.width, h: r.height, tex: (tex ? tex.textContent : el.textContent).slice(0, 80)};
  });
  const mathml = Array.from(document.querySelectorAll('.katex-mathml'), (el) => {
    const r = el.getBoundingClientRect();
    return r.width * r.height;
  });
  const faces = [];
  document.fonts.forEach((f) => {
    faces.push({family: f.family.replace(/["']/g, ''), status: f.status});
  });
  return {
    katex,
    mathmlVisible: mathml.filter((area) => area > 1).length,
    errors: Array.from(document.querySelectorAll('.katex-error, .math-error'),
                       (el) => el.outerHTML.slice(0, 200)),
    faces,
  };
}
"""


def math_state(page: Page) -> dict[str, Any]:
    state: dict[str, Any] = page.evaluate(MATH_STATE_JS)
    return state


def math_problems(state: dict[str, Any]) -> list[str]:
    """Everything wrong with the math on one page (empty when it is fine)."""
    problems = [f"error element: {html}" for html in state["errors"]]
    problems += [
        f"zero-size .katex ({box['w']}x{box['h']}): {box['tex']!r}"
        for box in state["katex"]
        if not (box["w"] > 0 and box["h"] > 0)
    ]
    if state["mathmlVisible"]:
        # KaTeX's CSS hides the MathML copy; if it shows, katex.min.css did not apply.
        problems.append(f"{state['mathmlVisible']} .katex-mathml elements are visible")
    katex_faces = [f for f in state["faces"] if f["family"].startswith("KaTeX_")]
    if failed := sorted({f["family"] for f in katex_faces if f["status"] == "error"}):
        problems.append(f"KaTeX fonts failed to load: {failed}")
    if state["katex"] and not katex_fonts_loaded(state):
        problems.append(f"no KaTeX_* font loaded ({len(katex_faces)} KaTeX faces declared)")
    return problems


def katex_fonts_loaded(state: dict[str, Any]) -> list[str]:
    return sorted(
        {
            f["family"]
            for f in state["faces"]
            if f["family"].startswith("KaTeX_") and f["status"] == "loaded"
        }
    )


def open_ok(page: Page, url: str) -> Response:
    response = page.goto(url, wait_until="load")
    assert response is not None, url
    assert response.status == 200, f"{url}: HTTP {response.status}"
    return response


def test_math_post_is_typeset(site: ServedSite, page: Page) -> None:
    open_ok(page, site.url(MATH_POST))
    state = math_state(page)
    assert len(state["katex"]) >= MIN_FORMULAS, f"only {len(state['katex'])} formulas"
    assert math_problems(state) == []
    fonts = katex_fonts_loaded(state)
    assert "KaTeX_Main" in fonts and "KaTeX_Math" in fonts, fonts


def test_every_post_has_sound_math(site: ServedSite, page: Page) -> None:
    posts = site.post_paths()
    assert len(posts) >= 10, f"only {len(posts)} posts were built: {posts}"
    problems: dict[str, list[str]] = {}
    formulas = 0
    for path in posts:
        open_ok(page, site.url(path))
        state = math_state(page)
        formulas += len(state["katex"])
        if found := math_problems(state):
            problems[path] = found
    assert problems == {}
    assert formulas >= 10 * MIN_FORMULAS, f"only {formulas} formulas over {len(posts)} posts"


def test_a_formula_in_a_title_is_typeset_where_the_title_is_listed(
    site: ServedSite, page: Page
) -> None:
    """The demo's CLIP post has `$N$` in its title: the archive lists it typeset, in the
    post's own heading and in the browser tab it reads as text."""
    open_ok(page, site.url("archives/"))
    state = math_state(page)
    assert [box["tex"] for box in state["katex"]] == ["N"]
    assert math_problems(state) == []
    page.locator(".archive-month a", has=page.locator(".katex")).click()
    page.wait_for_load_state("load")
    assert page.title().startswith("CLIP 的对比损失：一个 batch 里的 N 路分类 · ")
    heading = page.locator("h1.post-title")
    assert heading.inner_text().startswith("CLIP 的对比损失：一个 batch 里的 ")
    assert heading.locator(".katex").count() == 1
    box = heading.locator(".katex-html").bounding_box()
    assert box is not None and box["width"] > 0


def test_eqref_points_at_its_equation(site: ServedSite, page: Page) -> None:
    open_ok(page, site.url(MATH_POST))
    refs = page.eval_on_selector_all(
        "a.eqref",
        """(links) => links.map((a) => {
             const id = decodeURIComponent(a.getAttribute('href').slice(1));
             const target = document.getElementById(id);
             const tag = target && target.querySelector('.katex-tag');
             return {href: a.getAttribute('href'), text: a.textContent.trim(),
                     exists: target !== null, tag: tag ? tag.textContent.trim() : null};
           })""",
    )
    assert refs, "no \\eqref link on the page"
    for ref in refs:
        assert re.fullmatch(r"#eq-[\w-]+", ref["href"]), ref
        assert ref["exists"], f"{ref['href']} has no target on the page"
        assert re.fullmatch(r"\(\d+\)", ref["text"]), ref
        assert ref["tag"] == ref["text"], f"link says {ref['text']}, equation shows {ref['tag']}"

    # Following the link scrolls its equation into view.
    first = refs[0]["href"]
    page.click(f'a.eqref[href="{first}"]')
    wait_for_fragment(page, first)
    assert page.locator(first).is_visible()
    box = page.locator(first).bounding_box()
    viewport = page.viewport_size
    assert box is not None and viewport is not None
    assert 0 <= box["y"] < viewport["height"], f"{first} is not in view: {box}"


@pytest.mark.parametrize(
    "path", ["", MATH_POST, "posts/vit-patches/", "tags/", "about/", "404.html"]
)
def test_no_request_leaves_localhost(site: ServedSite, page: Page, path: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    open_ok(page, site.url(path))
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_load_state("networkidle")
    assert requests, "no request was seen"
    outside = [
        url
        for url in requests
        if urlsplit(url).scheme not in ("data", "blob") and urlsplit(url).hostname != "127.0.0.1"
    ]
    assert outside == []


def test_screenshots(site: ServedSite, page: Page, artifacts: Path) -> None:
    """Saved for a human to look at; the test only checks they were written."""
    for path, name in ((MATH_POST, "math-post.png"), ("", "home.png")):
        open_ok(page, site.url(path))
        page.evaluate("document.fonts.ready.then(() => true)")
        target = artifacts / name
        page.screenshot(path=str(target), full_page=True)
        assert target.stat().st_size > 10_000, target


def links_missing_prefix(page: Page, site: ServedSite) -> list[str]:
    """Links and asset URLs on the page that point into the site's host but not under its path."""
    urls: list[str] = page.eval_on_selector_all(
        "a[href], link[href], img[src], script[src]",
        "(els) => els.map((e) => e.href || e.src)",
    )
    prefix = urlsplit(site.base_url).path
    return [
        url
        for url in urls
        if url.startswith(site.origin) and not urlsplit(url).path.startswith(prefix)
    ]


def test_site_under_a_sub_path(blog_site: ServedSite, page: Page) -> None:
    """Built for ``/blog/`` and served only there: every link and asset must carry the prefix."""
    bad: list[str] = []
    page.on("response", lambda r: bad.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.on("requestfailed", lambda r: bad.append(f"failed {r.url}: {r.failure}"))
    prefix = urlsplit(blog_site.base_url).path
    stylesheets: list[Response] = []

    def collect_css(response: Response) -> None:
        if response.url.endswith("/katex.min.css"):
            stylesheets.append(response)

    open_ok(page, blog_site.url())
    assert page.locator(".post-entry").count() > 0
    assert links_missing_prefix(page, blog_site) == []

    # Home → first post (through the page's own link, not a URL we make up).
    page.on("response", collect_css)
    with page.expect_navigation() as nav:
        page.locator(".post-entry-title a").first.click()
    post = nav.value
    assert post is not None and post.status == 200, post
    assert urlsplit(page.url).path.startswith(prefix + "posts/"), page.url
    state = math_state(page)
    assert state["katex"], f"{page.url} has no math to check"
    assert math_problems(state) == []
    # 304: the home page (it has math in excerpts) already fetched it into the cache.
    assert [r.status for r in stylesheets] in ([200], [304]), stylesheets
    assert urlsplit(stylesheets[0].url).path == prefix + "assets/katex/katex.min.css"
    assert links_missing_prefix(page, blog_site) == []

    # Post → one of its tags.
    with page.expect_navigation() as nav:
        page.locator(".post-meta a.tag").first.click()
    assert nav.value is not None and nav.value.status == 200, nav.value
    assert unquote(urlsplit(page.url).path).startswith(prefix + "tags/"), page.url
    assert page.locator(".post-entry").count() > 0
    assert links_missing_prefix(page, blog_site) == []

    # Tag page → the about page, from the site navigation.
    with page.expect_navigation() as nav:
        page.locator(f'nav a[href="{prefix}about/"]').click()
    assert nav.value is not None and nav.value.status == 200, nav.value
    assert urlsplit(page.url).path == prefix + "about/"
    assert links_missing_prefix(page, blog_site) == []

    assert bad == []
