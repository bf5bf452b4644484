"""The dev server: an edit reloads the open page (and only the pages it changed); a broken
edit shows an overlay."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from inkstone.build import BuildOptions
from inkstone.errors import BuildReport
from inkstone.serve import DevServer, LiveSite
from tests.browser.conftest import ServedSite, search_paths
from tests.sites import write_site

POST = """---
title: Live post
date: 2024-01-01
---
{text}

{filler}
"""


OTHER = """---
title: Other post
date: 2023-06-01
---
Nothing to do with the live post.
"""


@pytest.fixture
def dev_server(tmp_path: Path) -> Iterator[tuple[DevServer, Path]]:
    filler = "\n\n".join(f"Paragraph {i} with $x_{{{i}}}$." for i in range(80))
    write_site(
        tmp_path,
        "-- site.toml --\ntitle = 'Live'\n"
        "-- content/posts/live.md --\n"
        + POST.format(text="Original text.", filler=filler)
        + "-- content/posts/other.md --\n"
        + OTHER,
    )
    options = BuildOptions(out_dir=tmp_path / "public", base_url="/", drafts=True)
    live = LiveSite(tmp_path, options)
    server = DevServer(live, "127.0.0.1", 0)
    live.options.base_url = f"http://127.0.0.1:{server.port}/"
    assert live.rebuild().errors == []
    server.start()
    yield server, tmp_path
    server.stop()


@pytest.mark.browser
def test_edit_reloads_the_page_and_a_broken_edit_shows_the_overlay(
    dev_server: tuple[DevServer, Path], page: Page
) -> None:
    server, root = dev_server
    source = root / "content/posts/live.md"
    page.goto(f"http://127.0.0.1:{server.port}/posts/live/")
    assert "Original text." in page.inner_text("main")
    page.wait_for_function("() => document.querySelectorAll('.katex').length > 50")
    page.evaluate("scrollTo(0, 600)")
    page.wait_for_timeout(300)  # let the event stream connect

    started = time.perf_counter()
    source.write_text(source.read_text().replace("Original text.", "Edited text."))
    page.wait_for_function("() => document.body.innerText.includes('Edited text.')", timeout=10_000)
    reloaded_in = time.perf_counter() - started
    assert reloaded_in < 5, reloaded_in
    page.wait_for_function("() => Math.abs(scrollY - 600) < 5", timeout=5_000)

    source.write_text(source.read_text().replace("date: 2024-01-01", "date: [oops"))
    overlay = page.locator("#inkstone-overlay")
    overlay.wait_for(timeout=10_000)
    assert "content/posts/live.md:4:1: invalid YAML front matter" in overlay.inner_text()
    assert "Edited text." in page.inner_text("main"), "the last good page stays"
    response = page.request.get(f"http://127.0.0.1:{server.port}/posts/live/")
    assert response.status == 200 and "Edited text." in response.text()

    source.write_text(source.read_text().replace("date: [oops", "date: 2024-01-01"))
    page.wait_for_function("() => !document.getElementById('inkstone-overlay')", timeout=10_000)
    assert "Edited text." in page.inner_text("main")
    assert "inkstone/live.js" not in (root / "public/posts/live/index.html").read_text()


@pytest.mark.browser
def test_an_edit_reloads_the_pages_it_changes_and_no_other(
    dev_server: tuple[DevServer, Path], browser: Browser
) -> None:
    server, root = dev_server
    base = f"http://127.0.0.1:{server.port}/"
    context = browser.new_context()
    try:
        post, other, home = (context.new_page() for _ in range(3))
        for tab, path in ((post, "posts/live/"), (other, "posts/other/"), (home, "")):
            tab.goto(base + path)
            tab.evaluate("window.notReloaded = true")
        post.wait_for_timeout(300)  # let the event streams connect
        source = root / "content/posts/live.md"
        reports: list[BuildReport] = []
        server.live.on_report = reports.append

        source.write_text(source.read_text().replace("Original text.", "Opening now edited."))

        post.wait_for_function("() => document.body.innerText.includes('Opening now edited.')")
        home.wait_for_function("() => document.body.innerText.includes('Opening now edited.')")
        assert home.evaluate("window.notReloaded") is None, "the home list shows the excerpt"
        other.wait_for_timeout(500)
        assert other.evaluate("window.notReloaded") is True, "an unchanged page is left alone"
        assert [r.preview for r in reports][:2] == [True, False], "a preview, then the rebuild"
        assert reports[0].written == ["posts/live/index.html"]
    finally:
        context.close()


@pytest.mark.browser
def test_search_finds_an_edit_once_the_index_is_brought_up_to_date(
    dev_server: tuple[DevServer, Path], page: Page
) -> None:
    server, root = dev_server
    reports: list[BuildReport] = []
    server.live.on_report = reports.append
    site = ServedSite(root / "public", f"http://127.0.0.1:{server.port}/")
    page.goto(site.url("search/"))
    assert search_paths(page, site, "quetzalcoatl") == set()
    assert search_paths(page, site, "nothing") == {"posts/other/"}

    source = root / "content/posts/other.md"
    source.write_text(source.read_text().replace("Nothing to do", "A quetzalcoatl has to do"))
    deadline = time.monotonic() + 60
    while not any(r.search_refresh for r in reports) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert [(r.preview, r.search_refresh) for r in reports] == [
        (True, False),
        (False, False),
        (False, True),
    ], "a preview, the rebuild, then the search index"
    assert all(rel.startswith("pagefind/") for rel in reports[-1].written)

    page.goto(site.url("search/"))  # a page opened now loads the new index
    assert search_paths(page, site, "quetzalcoatl") == {"posts/other/"}
    assert search_paths(page, site, "nothing") == set()
