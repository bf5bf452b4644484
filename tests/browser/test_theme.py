"""The transmission theme in a real browser: the feed, the pager, light and dark themes, small
screens, pages without JavaScript, copy buttons, contrast, and screenshots for a human.

Every test loads pages of the demo (see conftest.py) in headless Chromium.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from .conftest import ServedSite, wait_for_fragment
from .test_math_pages import MATH_POST, open_ok

pytestmark = pytest.mark.browser

CODE_POST = "posts/self-attention/"
"""A post whose code block has line numbers (they must not be copied)."""
LEFTOVER_MARKUP = ("$", "\\(", "\\[", "[公式]", "[Math]", "[代码]")
"""Text that must never show in an excerpt: raw TeX delimiters or placeholders."""
FEED_TITLES = ("LATEST UPDATES", "最新更新")


@contextmanager
def new_page(browser: Browser, width: int = 1280, **options: Any) -> Iterator[Page]:
    """A page in a fresh context of the given width (and e.g. color_scheme, permissions)."""
    context: BrowserContext = browser.new_context(
        viewport={"width": width, "height": 900}, **options
    )
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def fonts_ready(page: Page) -> None:
    page.evaluate("document.fonts.ready.then(() => true)")


def feed_pages(page: Page, site: ServedSite) -> Iterator[str]:
    """Walk the home feed from page 1 through its rel=next links; yields each page's URL."""
    open_ok(page, site.url())
    seen: set[str] = set()
    while True:
        assert page.url not in seen, f"the pager loops back to {page.url}"
        seen.add(page.url)
        yield page.url
        following = page.locator(".pager a[rel=next]")
        if following.count() == 0:
            return
        with page.expect_navigation():
            following.click()


# ---------------------------------------------------------------------------------------
# The feed


EXCERPTS_JS = """
(entries) => entries.map((entry) => {
  const excerpt = entry.querySelector('.post-excerpt');
  // What a reader sees: KaTeX's MathML copy is for assistive technology, so leave it out.
  const copy = excerpt.cloneNode(true);
  copy.querySelectorAll('.katex-mathml').forEach((el) => el.remove());
  const katex = Array.from(excerpt.querySelectorAll('.katex'), (el) => {
    const r = el.getBoundingClientRect();
    return r.width * r.height;
  });
  const excerptBox = excerpt.getBoundingClientRect();
  return {
    title: entry.querySelector('.post-entry-title a').textContent.trim(),
    href: entry.querySelector('.post-entry-title a').getAttribute('href'),
    meta: entry.querySelector('.post-meta').innerText,
    hasTime: entry.querySelector('.post-meta time[datetime]') !== null,
    readMore: entry.querySelector('a.read-more') !== null,
    text: copy.textContent,
    visible: excerptBox.width > 0 && excerptBox.height > 0,
    katex,
  };
})
"""


def test_home_shows_the_feed(site: ServedSite, page: Page) -> None:
    open_ok(page, site.url())
    masthead = page.locator(".masthead")
    assert masthead.is_visible()
    assert page.locator(".masthead .kicker").inner_text().strip() == "INCOMING TRANSMISSION"
    assert page.locator(".masthead-title").inner_text().strip() == "Inkstone Notes"
    feed_title = page.locator("h2.feed-title")
    assert feed_title.is_visible()
    assert feed_title.inner_text().strip() in FEED_TITLES

    katex_areas: list[float] = []
    entries_seen = 0
    for url in feed_pages(page, site):
        fonts_ready(page)
        entries: list[dict[str, Any]] = page.eval_on_selector_all(".post-entry", EXCERPTS_JS)
        assert entries, f"{url}: no entries"
        for entry in entries:
            where = f"{url} · {entry['title']}"
            assert entry["visible"], f"{where}: the excerpt is not visible"
            assert entry["text"].strip(), f"{where}: empty excerpt"
            leftovers = [m for m in LEFTOVER_MARKUP if m in entry["text"]]
            assert leftovers == [], f"{where}: excerpt shows {leftovers}: {entry['text'][:200]!r}"
            assert entry["hasTime"], f"{where}: no <time> in the meta line"
            assert re.search(r"\d+ (分钟|min read)", entry["meta"]), where
            assert entry["readMore"], f"{where}: no read-more link"
            katex_areas += entry["katex"]
        entries_seen += len(entries)
    assert entries_seen >= 10, f"only {entries_seen} entries in the whole feed"
    # Posts without a summary show their first paragraph, typeset math included.
    assert katex_areas, "no excerpt in the feed has typeset math"
    assert all(area > 0 for area in katex_areas), f"zero-size .katex in excerpts: {katex_areas}"


def test_pager_goes_to_the_last_page_and_back(site: ServedSite, page: Page) -> None:
    open_ok(page, site.url())
    pager = page.locator("nav.pager")
    assert pager.is_visible()
    assert pager.get_attribute("aria-label")

    def current() -> str:
        marked = page.locator('.pager [aria-current="page"]')
        assert marked.count() == 1, f"{page.url}: {marked.count()} current pages"
        return marked.inner_text().strip()

    assert current() == "1"
    assert page.locator(".pager a[rel=prev]").count() == 0
    numbers = page.locator(".pager a.pager-page")
    last = numbers.last.inner_text().strip()
    assert last.isdigit() and int(last) >= 3, f"the demo should have 3+ pages, not {last}"

    with page.expect_navigation():
        numbers.last.click()
    assert urlsplit(page.url).path.endswith(f"/page/{last}/"), page.url
    assert current() == last
    assert page.locator(".pager a[rel=next]").count() == 0
    assert page.locator(".post-entry").count() > 0

    # Back to page 1, one rel=prev link at a time.
    expected = int(last)
    while expected > 1:
        with page.expect_navigation():
            page.locator(".pager a[rel=prev]").click()
        expected -= 1
        assert current() == str(expected)
    assert page.url == site.url(), page.url
    assert page.locator(".pager a[rel=prev]").count() == 0


# ---------------------------------------------------------------------------------------
# Light and dark


STATE_JS = """() => ({
  theme: document.documentElement.dataset.theme || null,
  pressed: document.querySelector('.theme-toggle').getAttribute('aria-pressed'),
  stored: localStorage.getItem('theme'),
  bg: getComputedStyle(document.body).backgroundColor,
})"""

# Runs before any of the page's own scripts: notes the theme when the first frame is
# about to be painted (rendering waits for the stylesheets in <head>) and at DOMContentLoaded.
RECORD_FIRST_PAINT_JS = """
(() => {
  const snap = () => ({
    theme: document.documentElement.dataset.theme || null,
    bg: getComputedStyle(document.documentElement).getPropertyValue('--bg').trim(),
    sheets: document.styleSheets.length,
  });
  requestAnimationFrame(() => { window.__firstFrame = snap(); });
  document.addEventListener('DOMContentLoaded', () => { window.__loaded = snap(); });
})();
"""

LIGHT_BG = "rgb(251, 250, 247)"
DARK_BG = "rgb(14, 17, 22)"


def test_theme_toggle_switches_and_persists(browser: Browser, site: ServedSite) -> None:
    with new_page(browser, color_scheme="light") as page:
        open_ok(page, site.url(MATH_POST))
        toggle = page.locator("button.theme-toggle")
        assert toggle.is_visible()
        assert toggle.get_attribute("aria-label") or toggle.inner_text().strip()
        assert page.evaluate(STATE_JS) == {
            "theme": None,
            "pressed": "false",
            "stored": None,
            "bg": LIGHT_BG,
        }

        toggle.click()
        assert page.evaluate(STATE_JS) == {
            "theme": "dark",
            "pressed": "true",
            "stored": "dark",
            "bg": DARK_BG,
        }
        page.reload(wait_until="load")
        assert page.evaluate(STATE_JS) == {
            "theme": "dark",
            "pressed": "true",
            "stored": "dark",
            "bg": DARK_BG,
        }
        # The choice holds on other pages too.
        open_ok(page, site.url())
        assert page.evaluate(STATE_JS)["bg"] == DARK_BG

        page.locator("button.theme-toggle").click()
        assert page.evaluate(STATE_JS) == {
            "theme": "light",
            "pressed": "false",
            "stored": "light",
            "bg": LIGHT_BG,
        }
        page.reload(wait_until="load")
        assert page.evaluate(STATE_JS)["theme"] == "light"

    # A reader whose system is dark gets the dark theme with no choice stored, and can leave it.
    with new_page(browser, color_scheme="dark") as page:
        open_ok(page, site.url())
        assert page.evaluate(STATE_JS) == {
            "theme": None,
            "pressed": "true",
            "stored": None,
            "bg": DARK_BG,
        }
        page.locator("button.theme-toggle").click()
        assert page.evaluate(STATE_JS)["bg"] == LIGHT_BG


@pytest.mark.parametrize("path", ["", MATH_POST])
def test_saved_theme_never_flashes(browser: Browser, site: ServedSite, path: str) -> None:
    with new_page(browser, color_scheme="light") as page:
        page.add_init_script(RECORD_FIRST_PAINT_JS)
        open_ok(page, site.url(path))
        # The applying script is inline, in <head>, before the first stylesheet.
        order = page.evaluate(
            """() => {
                 const head = Array.from(document.head.children);
                 const script = head.findIndex((el) => el.tagName === 'SCRIPT' && !el.src
                                                      && el.textContent.includes('localStorage'));
                 const sheet = head.findIndex((el) => el.matches('link[rel=stylesheet]'));
                 return {script, sheet};
               }"""
        )
        assert 0 <= order["script"] < order["sheet"], order

        page.evaluate("localStorage.setItem('theme', 'dark')")
        page.reload(wait_until="load")
        # the first frame can come after the load event: a busy machine draws it later
        page.wait_for_function("window.__firstFrame !== undefined && window.__loaded !== undefined")
        first = page.evaluate("window.__firstFrame")
        loaded = page.evaluate("window.__loaded")
        assert first["theme"] == "dark", first
        assert first["sheets"] > 0 and first["bg"] == "#0e1116", first
        assert loaded["theme"] == "dark" and loaded["bg"] == "#0e1116", loaded
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == DARK_BG


# ---------------------------------------------------------------------------------------
# Small screens


def site_pages(site: ServedSite) -> list[str]:
    tags = sorted(p.parent.name for p in (site.root / "tags").glob("*/index.html"))
    assert tags, "no tag pages were built"
    return [
        "",
        "page/2/",
        *site.post_paths(),
        "about/",
        "archives/",
        "categories/",
        "tags/",
        f"tags/{tags[0]}/",
        "404.html",
    ]


OVERFLOW_JS = """() => {
  const limit = window.innerWidth;
  const culprits = [];
  if (document.documentElement.scrollWidth > limit) {
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.right > limit + 0.5 && r.width > 0) {
        culprits.push(`${el.tagName.toLowerCase()}.${el.className} right=${Math.round(r.right)}`);
      }
    }
  }
  return {scroll: document.documentElement.scrollWidth, width: limit,
          culprits: culprits.slice(0, 5)};
}"""


@pytest.mark.parametrize("width", [375, 320])
def test_no_page_scrolls_sideways(browser: Browser, site: ServedSite, width: int) -> None:
    problems: dict[str, Any] = {}
    with new_page(browser, width) as page:
        for path in site_pages(site):
            response = page.goto(site.url(path), wait_until="load")
            assert response is not None
            fonts_ready(page)
            state = page.evaluate(OVERFLOW_JS)
            if state["scroll"] > state["width"]:
                problems[path or "/"] = state
    assert problems == {}


# ---------------------------------------------------------------------------------------
# Without JavaScript


def test_pages_work_without_javascript(browser: Browser, site: ServedSite) -> None:
    with new_page(browser, java_script_enabled=False) as page:
        open_ok(page, site.url())
        assert page.locator(".masthead-title").is_visible()
        assert page.locator(".post-entry").count() > 0
        assert page.locator(".post-entry-title a").first.is_visible()
        assert page.locator(".post-excerpt").first.is_visible()
        assert page.locator(".pager").is_visible()
        # The toggle cannot work without JavaScript, so it is not shown.
        assert not page.locator(".theme-toggle").is_visible()
        assert page.locator(".code-copy").count() == 0

        open_ok(page, site.url(MATH_POST))
        assert page.locator("h1.post-title").is_visible()
        content = page.locator(".post-content")
        assert content.is_visible()
        assert len(content.inner_text()) > 500
        assert page.locator(".post-content .katex").count() > 0
        toc = page.locator(".toc-side")
        assert toc.is_visible(), "no table of contents beside the post at 1280 px"
        links = toc.locator("a")
        assert links.count() >= 2
        assert links.first.is_visible()
        assert not page.locator(".toc-inline").is_visible()

    with new_page(browser, 375, java_script_enabled=False) as page:
        open_ok(page, site.url(MATH_POST))
        assert page.locator(".post-content").is_visible()
        assert not page.locator(".toc-side").is_visible()
        summary = page.locator(".toc-inline summary")
        assert summary.is_visible(), "no table of contents on a phone"
        first_link = page.locator(".toc-inline a").first
        assert not first_link.is_visible()  # folded until asked for
        summary.click()
        assert first_link.is_visible()
        href = first_link.get_attribute("href")
        assert href is not None and href.startswith("#")
        first_link.click()
        wait_for_fragment(page, href)


# ---------------------------------------------------------------------------------------
# Copy buttons and the table of contents


COPY_STATE_JS = """(block) => {
  const pre = block.querySelector('pre').cloneNode(true);
  pre.querySelectorAll('.linenos').forEach((el) => el.remove());
  const button = block.querySelector('.code-copy');
  return {code: pre.textContent.replace(/\\n$/, ''), label: button.textContent,
          state: button.dataset.state || null};
}"""


@pytest.mark.parametrize("path", [MATH_POST, CODE_POST])
def test_copy_button_copies_the_code(browser: Browser, site: ServedSite, path: str) -> None:
    permissions = ["clipboard-read", "clipboard-write"]
    with new_page(browser, permissions=permissions) as page:
        open_ok(page, site.url(path))
        block = page.locator(".code-block").first
        button = block.locator("button.code-copy")
        assert button.is_visible()
        before = block.evaluate(COPY_STATE_JS)
        assert before["state"] is None
        button.click()
        page.wait_for_function(
            "(b) => b.querySelector('.code-copy').dataset.state === 'copied'",
            arg=block.element_handle(),
        )
        after = block.evaluate(COPY_STATE_JS)
        assert after["label"] != before["label"], "the button does not say it copied"
        copied = page.evaluate("navigator.clipboard.readText()")
        assert copied == before["code"]
        assert len(copied.splitlines()) >= 5
        if path == CODE_POST:
            assert block.locator(".linenos").count() > 0
            assert not re.match(r"\s*1\b", copied), "line numbers were copied"
        # The button returns to its label after a moment.
        page.wait_for_function(
            "(b) => !b.querySelector('.code-copy').dataset.state",
            arg=block.element_handle(),
            timeout=5_000,
        )


ZOOM_STATE_JS = """() => {
  const dialog = document.querySelector('.zoom-dialog');
  const img = dialog && dialog.querySelector('img');
  return {
    open: !!(dialog && dialog.open),
    src: img ? img.getAttribute('src') : null,
    shown: img ? img.getBoundingClientRect().width : 0,
    loaded: img ? img.naturalWidth : 0,
    focused: document.activeElement && document.activeElement.getAttribute('src'),
  };
}"""


def test_a_shrunk_figure_opens_whole_and_closes(browser: Browser, site: ServedSite) -> None:
    """A figure drawn narrower than it is becomes a button (mouse and keyboard) that opens
    the original at full size in a dialog wider than the column; Esc closes it and focus
    returns to the figure. A figure shown at its own size stays a plain image."""
    with new_page(browser, width=1440) as page:
        open_ok(page, site.url("posts/notes-toolbox/"))
        wide = page.locator('img[src="/images/lr-schedules.png"]')
        wide.scroll_into_view_if_needed()
        column = wide.evaluate("(img) => img.clientWidth")
        assert column < 1600
        assert wide.get_attribute("role") == "button"
        assert wide.get_attribute("aria-label") == "放大图片: 三种学习率调度曲线"
        wide.click()
        page.wait_for_function("document.querySelector('.zoom-dialog')?.open")
        page.wait_for_function("document.querySelector('.zoom-dialog img').complete")
        state = page.evaluate(ZOOM_STATE_JS)
        assert state["src"] == site.url("images/lr-schedules.png") and state["loaded"] == 1600
        assert state["shown"] > column * 1.3, state
        page.keyboard.press("Escape")
        state = page.evaluate(ZOOM_STATE_JS)
        assert not state["open"] and state["focused"] == "/images/lr-schedules.png"
        page.keyboard.press("Enter")
        assert page.evaluate(ZOOM_STATE_JS)["open"], "Enter on the figure does not open it"
        page.locator(".zoom-close").click()
        assert not page.evaluate(ZOOM_STATE_JS)["open"]
        open_ok(page, site.url("posts/vit-patches/"))
        small = page.locator(".prose img").first
        assert small.get_attribute("role") is None and small.get_attribute("tabindex") is None
        small.click()
        assert page.locator(".zoom-dialog").count() == 0


def test_toc_marks_the_section_being_read(site: ServedSite, page: Page) -> None:
    open_ok(page, site.url(MATH_POST))
    links = page.locator(".toc-side a")
    assert links.count() >= 3
    target = links.nth(2).get_attribute("href")
    assert target is not None
    heading = page.locator(f"[id='{unquote(target[1:])}']")
    heading.evaluate("(h) => window.scrollTo(0, h.getBoundingClientRect().top + scrollY - 40)")
    page.wait_for_function(
        "(href) => document.querySelector(`.toc-side a[href='${href}']`)"
        ".getAttribute('aria-current') === 'location'",
        arg=target,
    )
    assert page.locator(".toc-side a[aria-current]").count() == 1


# ---------------------------------------------------------------------------------------
def test_an_old_address_leads_to_the_post(blog_site: ServedSite, page: Page) -> None:
    """The SVM post's address on the Hexo blog it came from (front matter ``aliases``)
    opens the post, under the site's base path, and the back button does not return to
    the old address."""
    open_ok(page, blog_site.url())  # something to go back to
    page.goto(blog_site.url("2024/12/23/svm-dual/"))
    page.wait_for_url(blog_site.url("posts/svm-dual/"))
    assert page.locator("h1.post-title").inner_text() == "支持向量机的对偶问题"
    page.go_back()
    page.wait_for_url(blog_site.url())


# Head, landmarks, contrast


def test_head_metadata(site: ServedSite, page: Page) -> None:
    open_ok(page, site.url(MATH_POST))
    head = page.evaluate(
        """() => {
             const meta = (sel) => { const el = document.querySelector(sel);
                                     return el ? el.getAttribute('content') : null; };
             return {
               lang: document.documentElement.lang,
               canonical: document.querySelector('link[rel=canonical]').href,
               description: meta('meta[name=description]'),
               ogType: meta('meta[property="og:type"]'),
               ogTitle: meta('meta[property="og:title"]'),
               ogUrl: meta('meta[property="og:url"]'),
               ogLocale: meta('meta[property="og:locale"]'),
               twitter: meta('meta[name="twitter:card"]'),
               feeds: Array.from(document.querySelectorAll('link[rel=alternate]'),
                                 (l) => l.type),
               katexCss: document.querySelector('link[href$="katex.min.css"]') !== null,
               ld: Array.from(document.querySelectorAll('script[type="application/ld+json"]'),
                              (s) => s.textContent),
               h1: document.querySelector('h1').textContent.trim(),
               tags: Array.from(document.querySelectorAll('.post-meta a.tag'),
                                (a) => a.textContent.trim()),
             };
           }"""
    )
    assert head["lang"].startswith("zh")
    assert head["canonical"] == site.url(MATH_POST)
    assert head["ogUrl"] == site.url(MATH_POST)
    assert head["description"]
    assert head["ogType"] == "article"
    assert head["ogTitle"] == head["h1"]
    assert head["ogLocale"] == "zh_CN"
    assert head["twitter"] in ("summary", "summary_large_image")
    assert {"application/atom+xml", "application/rss+xml", "application/feed+json"} <= set(
        head["feeds"]
    )
    assert head["katexCss"]
    assert len(head["ld"]) == 1
    ld = json.loads(head["ld"][0])
    assert ld["@type"] == "BlogPosting"
    assert ld["headline"] == head["h1"]
    assert ld["url"] == site.url(MATH_POST)
    assert ld["datePublished"].startswith("20") and ld["dateModified"] >= ld["datePublished"]
    assert ld["author"]["name"]
    assert ld["inLanguage"].startswith("zh")
    assert head["tags"] and ld["keywords"] == ", ".join(head["tags"])

    # Lists are websites, term lists offer their own feed, and pages without math skip KaTeX.
    open_ok(page, site.url("tags/"))
    page.locator(".term-cloud a").first.click()
    page.wait_for_load_state("load")
    assert page.locator('meta[property="og:type"]').get_attribute("content") == "website"
    term_feeds = page.eval_on_selector_all(
        "link[rel=alternate][type='application/atom+xml']", "(ls) => ls.map((l) => l.href)"
    )
    assert len(term_feeds) == 2 and any("/tags/" in unquote(f) for f in term_feeds), term_feeds
    open_ok(page, site.url("tags/"))
    assert page.locator('link[href$="katex.min.css"]').count() == 0
    assert page.locator('script[type="application/ld+json"]').count() == 0
    open_ok(page, site.url("archives/"))  # a title in it holds a formula
    assert page.locator('link[href$="katex.min.css"]').count() == 1
    assert page.locator(".archive-month .katex").count() >= 1


def test_landmarks_and_skip_link(site: ServedSite, page: Page) -> None:
    for path in ("", MATH_POST):
        open_ok(page, site.url(path))
        for selector in ("header.site-header", "main#main", "footer.site-footer"):
            assert page.locator(selector).count() == 1, f"{path}: {selector}"
        navs = page.eval_on_selector_all(
            "nav", "(ns) => ns.map((n) => n.getAttribute('aria-label'))"
        )
        assert navs and all(navs), f"{path}: a <nav> without aria-label: {navs}"
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "(() => { const el = document.activeElement; const r = el.getBoundingClientRect();"
            " return {cls: el.className, top: r.top, visible: r.width > 0 && r.bottom > 0,"
            " outline: getComputedStyle(el).outlineStyle}; })()"
        )
        assert focused["cls"] == "skip-link" and focused["visible"], focused
        page.keyboard.press("Enter")
        wait_for_fragment(page, "main")
        page.keyboard.press("Tab")  # the next focus is inside the main content
        inside = page.evaluate("document.getElementById('main').contains(document.activeElement)")
        assert inside


CONTRAST_JS = """(selectors) => {
  const parse = (c) => { const m = c.match(/[\\d.]+/g).map(Number);
                         return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; };
  const lum = ({r, g, b}) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c.a > 0.5) return c;
    }
    return parse(getComputedStyle(document.body).backgroundColor);
  };
  const out = [];
  for (const sel of selectors) {
    const el = document.querySelector(sel);
    if (!el) { out.push({sel, missing: true}); continue; }
    const fg = lum(parse(getComputedStyle(el).color));
    const bg = lum(background(el));
    out.push({sel, ratio: (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05)});
  }
  return out;
}"""

CONTRAST_SELECTORS = {
    "": [
        ".masthead .kicker",
        ".masthead-title a",
        ".masthead-description",
        ".feed-title",
        ".feed-page",
        ".post-entry-title a",
        ".entry-meta",
        ".meta-category a",
        ".post-excerpt",
        ".tag",
        ".read-more",
        ".pager-page:not([aria-current])",
        '.pager [aria-current="page"]',
        ".site-nav a",
        ".site-footer",
        ".site-footer a",
    ],
    MATH_POST: [
        ".brand",
        ".post-kicker a",
        ".post-title",
        ".meta-line",
        ".meta-line time",
        ".post-meta .tag",
        ".prose p",
        ".prose a.eqref",
        ".toc-side a",
        ".side-title",
        ".code-lang",
        ".code-copy",
        ".prose th",
        ".prose td",
        ".post-nav-label",
        ".post-nav-title",
    ],
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_contrast_meets_wcag_aa(browser: Browser, site: ServedSite, scheme: str) -> None:
    low: list[str] = []
    with new_page(browser, color_scheme=scheme) as page:
        for path, selectors in CONTRAST_SELECTORS.items():
            open_ok(page, site.url(path))
            for item in page.evaluate(CONTRAST_JS, selectors):
                assert not item.get("missing"), f"{path}: nothing matches {item['sel']}"
                if item["ratio"] < 4.5:
                    low.append(f"{path or '/'} {item['sel']}: {item['ratio']:.2f}")
    assert low == []


# ---------------------------------------------------------------------------------------
# Screenshots


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 375])
def test_theme_screenshots(
    browser: Browser, site: ServedSite, artifacts: Path, scheme: str, width: int
) -> None:
    """Saved for a human to look at; the test checks they were written in the right theme."""
    with new_page(browser, width, color_scheme=scheme) as page:
        for path, name in (("", "home"), (MATH_POST, "math-post")):
            open_ok(page, site.url(path))
            fonts_ready(page)
            bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
            assert bg == (DARK_BG if scheme == "dark" else LIGHT_BG)
            target = artifacts / f"theme-{name}-{scheme}-{width}.png"
            page.screenshot(path=str(target), full_page=True, animations="disabled")
            assert target.stat().st_size > 10_000, target
