"""Fixtures for the browser tests: the demo site, built and served locally, and Chromium.

The demo is built in-process (``inkstone.build.build``) into a temporary folder and served
from a background thread on 127.0.0.1. The server only answers under the site's base path
(``/`` or ``/blog/``): a link or asset URL that forgets the prefix gets a 404, which the
tests catch.

Chromium is Debian's (``/usr/bin/chromium``), never one downloaded by Playwright. If it is
missing the fixture *fails*: a skipped browser test would hide that nothing was checked.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from inkstone.build import BuildOptions, build
from tests.sites import DEMO, REPO

ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServedSite:
    """A built site and the address it is served at."""

    root: Path
    """The output folder."""
    base_url: str
    """``http://127.0.0.1:PORT/PREFIX/`` (always ends with a slash)."""

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def url(self, path: str = "") -> str:
        """The address of ``path`` (relative to the output folder, e.g. ``posts/rope/``)."""
        return self.base_url + path.lstrip("/")

    def post_paths(self) -> list[str]:
        """``posts/SLUG/`` for every post in the output, sorted."""
        return sorted(
            f"posts/{index.parent.name}/" for index in (self.root / "posts").glob("*/index.html")
        )


def search_paths(page: Page, site: ServedSite, query: str) -> set[str]:
    """Type ``query`` into the search page's box; the paths of the result links."""
    box = page.locator(".search-page [data-search]")
    field_ = box.locator(".search-input")
    field_.fill("")
    field_.press_sequentially(query, delay=5)
    page.wait_for_function(
        "([box, q]) => box.dataset.searched === q", arg=[box.element_handle(), query]
    )
    prefix = urlsplit(site.base_url).path
    hrefs = box.locator(".search-results a").evaluate_all("links => links.map(a => a.pathname)")
    return {href.removeprefix(prefix) for href in hrefs}


class _PrefixHandler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` under ``prefix`` only; everything else is a 404."""

    def __init__(self, *args: Any, directory: str, prefix: str, **kwargs: Any) -> None:
        self.prefix = prefix  # "/" or "/blog/"
        super().__init__(*args, directory=directory, **kwargs)

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(str(self.directory)) / ".no-such-file")
        return super().translate_path("/" + path[len(self.prefix) :])

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_built(out_dir: Path, prefix: str, source: Path = DEMO) -> Iterator[ServedSite]:
    """Build ``source`` (the demo) for ``http://127.0.0.1:PORT{prefix}`` into ``out_dir``
    and serve it.

    The server is bound first (port 0: the OS picks a free port), so the build knows the
    port it will be served at and no other process can take it in between.
    """
    handler = functools.partial(_PrefixHandler, directory=str(out_dir), prefix=prefix)
    server = http.server.ThreadingHTTPServer((HOST, 0), handler)
    try:
        port = server.server_address[1]
        site = ServedSite(out_dir, f"http://{HOST}:{port}{prefix}")
        report = build(source, BuildOptions(out_dir=out_dir, base_url=site.base_url))
        assert not report.errors, f"{source.name} did not build:\n" + "\n".join(
            str(p) for p in report.errors
        )
        assert (out_dir / "index.html").is_file()
        thread = threading.Thread(target=server.serve_forever, name=f"serve{prefix}", daemon=True)
        thread.start()
        try:
            yield site
        finally:
            server.shutdown()
            thread.join(timeout=10)
    finally:
        server.server_close()


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The demo, built for and served at ``http://127.0.0.1:PORT/``."""
    with serve_built(tmp_path_factory.mktemp("demo") / "public", "/") as served:
        yield served


@pytest.fixture(scope="session")
def blog_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedSite]:
    """The demo, built for and served at ``http://127.0.0.1:PORT/blog/`` (and nowhere else)."""
    with serve_built(tmp_path_factory.mktemp("demo-blog") / "public", "/blog/") as served:
        yield served


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium driven by Playwright (sync API)."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's Chromium "
            "(apt-get install chromium); they are never skipped",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context (no cache or cookies shared between tests)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def wait_for_fragment(page: Page, fragment: str) -> None:
    """Wait until the page's URL ends in ``#fragment`` (compared percent-decoded).

    A same-page link moves the URL after the click or key press that followed it has
    returned, so reading ``page.url`` straight away can still see the old address.
    """
    wanted = unquote(fragment.removeprefix("#"))
    page.wait_for_url(lambda url: unquote(urlsplit(url).fragment) == wanted)


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """``tests/artifacts/`` (gitignored): screenshots for a human to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS
