"""``inkstone serve``: build, serve, watch, rebuild what changed, reload open pages.

The site is built once, then every change under the site folder (content, templates,
static files, ``site.toml``) triggers a rebuild that keeps what it can in memory
(:class:`~inkstone.build.BuildMemory`): only edited sources are read and rendered again,
and only pages whose inputs changed are rewritten.

An edit to posts or pages is answered in three steps, the first two as Hugo's fast render
mode does: first a *preview* (:func:`~inkstone.build.preview`) renders only the edited
sources and writes their pages, so the page being edited reloads at once; then, once the
edits pause (:data:`REBUILD_AFTER`), the full rebuild brings lists, feeds, related posts
and every other page up to date; last, the search shards holding changed pages are indexed
again (:func:`~inkstone.build.refresh_search`), which takes Pagefind a second or two per
500 posts and so comes after the pages have reloaded. A newer change stops a full rebuild
or a refresh of the index still running (it writes nothing) and the steps start over, so
a writer saving often never waits for a rebuild of the whole site.

Open pages are told over Server-Sent Events, each page about itself: after a build, the
pages whose file was rewritten reload (keeping their scroll position), or every page when
a stylesheet, script or image changed; after a build with errors every page shows an
overlay naming ``file:line``, while the last good pages go on being served. The script
that listens is added to HTML responses by the server only, never to the files on disk.
"""

from __future__ import annotations

import dataclasses
import functools
import http.server
import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from inkstone.build import (
    BuildMemory,
    BuildOptions,
    build,
    preview,
    refresh_search,
    summary_line,
)
from inkstone.cache import CACHE_DIR
from inkstone.config import CONFIG_FILE
from inkstone.errors import BuildReport
from inkstone.host_site import host_watched, is_host_change
from inkstone.output.writer import is_built_site, staging_names

REBUILD_AFTER = 1.0
"""After a preview, the full rebuild waits this many seconds without a new change: a
writer saving every few moments gets a preview each time, and the whole site is brought up
to date once they pause."""
QUIET = 0.15
"""…and until the server has answered no request for this many seconds (the reloading
pages and their assets are served first: the rebuild would compete with the server for
this process)…"""
QUIET_AT_MOST = 2.0
"""…but never longer than this for the server."""
EVENTS_PATH = "__inkstone/events"
SCRIPT_PATH = "__inkstone/live.js"

LIVE_JS = r"""(() => {
  const key = "inkstone-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    addEventListener("load", () => scrollTo(0, Number(saved)));
  }
  const events = new EventSource(
    document.currentScript.dataset.events + "?page=" + encodeURIComponent(location.pathname)
  );
  events.addEventListener("reload", () => {
    sessionStorage.setItem(key, String(scrollY));
    location.reload();
  });
  events.addEventListener("build-ok", () => {
    const box = document.getElementById("inkstone-overlay");
    if (box) box.remove();
  });
  events.addEventListener("build-error", (event) => {
    const problems = JSON.parse(event.data);
    let box = document.getElementById("inkstone-overlay");
    if (!box) {
      box = document.createElement("div");
      box.id = "inkstone-overlay";
      box.setAttribute("role", "alert");
      box.style.cssText = "position:fixed;inset:auto 1rem 1rem 1rem;z-index:2147483647;" +
        "max-height:60vh;overflow:auto;padding:1rem 1.25rem;border-radius:8px;" +
        "background:#2b0b0e;color:#ffd7d7;font:14px/1.5 ui-monospace,monospace;" +
        "box-shadow:0 8px 32px rgba(0,0,0,.4);white-space:pre-wrap";
      document.body.appendChild(box);
    }
    box.textContent = "inkstone: the last build failed\n\n" + problems.join("\n");
  });
})();
"""


class LiveSite:
    """The built site, its rebuilds, and the pages listening for them."""

    def __init__(self, site_dir: Path, options: BuildOptions) -> None:
        self.site_dir = site_dir.resolve()
        self.options = options
        assert options.out_dir is not None
        self.out_dir = options.out_dir.resolve()
        self.memory = BuildMemory()
        self.listeners: list[Listener] = []
        self.lock = threading.Lock()
        self.last_report: BuildReport | None = None
        self.on_report: Callable[[BuildReport], None] | None = None
        """Called with each report the open pages were told about."""
        self.last_request = 0.0
        """When the server last answered a request (:func:`time.monotonic`)."""

    def rebuild(self, cancelled: Callable[[], bool] | None = None) -> BuildReport:
        """Build (keeping memory from the last build) and tell the open pages; a build
        that ``cancelled`` stopped tells them nothing."""
        with self.lock:
            options = dataclasses.replace(self.options, cancelled=cancelled)
            report = build(self.site_dir, options, self.memory)
            if not report.cancelled:
                self.last_report = report
        if not report.cancelled:
            self.announce(report)
        return report

    def preview(self, changed: list[Path]) -> BuildReport | None:
        """Write the pages of the edited sources ``changed`` at once and reload them (see
        :func:`~inkstone.build.preview`); None when only a full rebuild can answer."""
        with self.lock:
            report = preview(self.site_dir, self.options, self.memory, changed)
        if report is not None:
            self.announce(report)
        return report

    def refresh_search(self, cancelled: Callable[[], bool]) -> BuildReport | None:
        """Index again the search shards the last full rebuild changed (see
        :func:`~inkstone.build.refresh_search`); None when none did. No page reloads: the
        next search made on an open page finds the new text."""
        with self.lock:
            options = dataclasses.replace(self.options, cancelled=cancelled)
            report = refresh_search(self.site_dir, options, self.memory)
        if report is not None and not report.cancelled and self.on_report is not None:
            self.on_report(report)
        return report

    def announce(self, report: BuildReport) -> None:
        """Tell the open pages how a build went: errors to all of them; else "build-ok"
        to all and "reload" to those whose file changed (all, if an asset did)."""
        if self.on_report is not None:
            self.on_report(report)
        if report.errors:
            self.broadcast("build-error", json.dumps([str(p) for p in report.errors]))
            return
        self.broadcast("build-ok", "")
        if any(_affects_every_page(rel) for rel in report.written):
            self.broadcast("reload", "")
        else:
            self.broadcast("reload", "", pages=set(report.written))

    def broadcast(self, event: str, data: str, pages: set[str] | None = None) -> None:
        """Send an event to every open page, or to those showing one of ``pages`` (files
        in the output folder)."""
        for listener in list(self.listeners):
            if pages is None or listener.file in pages:
                listener.events.put((event, data))

    def listen(self, page: str) -> Listener:
        """A new listener for the open page at URL path ``page``."""
        prefix = _path_prefix(self.options.base_url)
        path = unquote(page[len(prefix) - 1 :] if page.startswith(prefix) else page)
        file = path.lstrip("/") + "index.html" if path.endswith("/") else path.lstrip("/")
        listener = Listener(file, queue.Queue())
        self.listeners.append(listener)
        return listener

    def watch(self, stop: threading.Event) -> Iterator[BuildReport]:
        """Rebuild after each batch of changes until ``stop`` is set: a preview of edited
        sources first when one can answer, then the full rebuild, which a newer change
        stops (and the next round starts over)."""
        from inkstone.rendering import warm_up

        changes: queue.Queue[list[Path]] = queue.Queue()

        def newer() -> bool:
            """Whether a rebuild under way should stop: a newer change came, or the end."""
            return not changes.empty() or stop.is_set()

        watcher = threading.Thread(target=self._watch_files, args=(stop, changes), daemon=True)
        watcher.start()
        warm_up()  # the first preview should not wait for KaTeX and the parser to load
        pending: list[Path] = []
        while not stop.is_set():
            if not pending:
                try:
                    pending = changes.get(timeout=0.1)
                except queue.Empty:
                    continue
            while not changes.empty():
                pending += changes.get()
            changed, pending = pending, []
            first = self.preview(changed)
            if first is not None:
                yield first
                pending = self._wait_for_quiet(changes, stop)
                if pending:  # a newer change: preview it first
                    continue
            report = self.rebuild(cancelled=newer)
            if report.cancelled:
                continue
            yield report
            if not report.errors:
                searched = self.refresh_search(newer)
                if searched is not None and not searched.cancelled:
                    yield searched

    def touch(self) -> None:
        """Note that the server is answering a request now."""
        self.last_request = time.monotonic()

    def _wait_for_quiet(
        self, changes: queue.Queue[list[Path]], stop: threading.Event
    ) -> list[Path]:
        """Wait :data:`REBUILD_AFTER` seconds, and until the server has been quiet for
        :data:`QUIET` seconds (at most :data:`QUIET_AT_MOST` more); a change arriving
        meanwhile ends the wait and is returned."""
        started = time.monotonic()
        while not stop.is_set():
            now = time.monotonic()
            waited, quiet_for = now - started, now - max(started, self.last_request)
            if waited >= REBUILD_AFTER and (
                quiet_for >= QUIET or waited >= REBUILD_AFTER + QUIET_AT_MOST
            ):
                return []
            try:
                return changes.get(timeout=max(REBUILD_AFTER - waited, QUIET - quiet_for, 0.01))
            except queue.Empty:
                continue
        return []

    def _watch_files(self, stop: threading.Event, changes: queue.Queue[list[Path]]) -> None:
        """Put each batch of relevant changed paths on ``changes`` until ``stop`` is set:
        the site's folder, and for a zero-config folder the blog it is part of (its
        static files, and its settings, watched on a thread of their own)."""
        whole: list[Path] = []
        if not (self.site_dir / CONFIG_FILE).is_file():
            whole, beside = host_watched(self.site_dir)
            if beside:
                args = (beside, False, stop, changes)
                threading.Thread(target=self._watch_paths, args=args, daemon=True).start()
        roots = [self.site_dir, *whole]  # Hexo's source/ holds the folder built
        outer = [r for r in roots if not any(other in r.parents for other in roots)]
        self._watch_paths(outer, True, stop, changes)

    def _watch_paths(
        self,
        paths: list[Path],
        recursive: bool,
        stop: threading.Event,
        changes: queue.Queue[list[Path]],
    ) -> None:
        from watchfiles import watch

        for batch in watch(
            *[p for p in paths if p.is_dir()],
            stop_event=stop,
            debounce=30,
            step=10,
            yield_on_timeout=False,
            recursive=recursive,
        ):
            relevant = relevant_changes(
                [Path(path) for _, path in batch], self.site_dir, self.out_dir
            )
            if relevant:
                changes.put(relevant)


def relevant_changes(paths: list[Path], site_dir: Path, out_dir: Path) -> list[Path]:
    """The changed ``paths`` a rebuild is for: not the output, the cache, the staging
    folder of a build (which holds the pages being written and Pagefind's work files), or
    another folder inkstone built a site into, which a build never reads; outside
    ``site_dir``, only the settings and static files of the blog it is part of."""
    ignored = (out_dir, site_dir / CACHE_DIR)
    staging = staging_names(out_dir)
    return [
        p
        for p in paths
        if not any(p == folder or folder in p.parents for folder in ignored)
        and not any(part.startswith(staging) for part in p.parts)
        and not _in_built_site(p, site_dir)
        and (site_dir in p.parents or p == site_dir or is_host_change(site_dir, p))
    ]


def _in_built_site(path: Path, site_dir: Path) -> bool:
    """Whether ``path`` is in a folder under ``site_dir`` that inkstone built a site into
    (before, by another command)."""
    if site_dir not in path.parents:
        return False
    folders = (path, *path.parents)
    return any(is_built_site(f) for f in folders[: folders.index(site_dir)])


@dataclass
class Listener:
    """One open page listening for build events."""

    file: str
    """The file it shows, as a path in the output folder (``posts/a/index.html``)."""
    events: queue.Queue[tuple[str, str]]


_PAGE_FILES = (".html", ".xml", ".json", ".txt")


def _affects_every_page(rel: str) -> bool:
    """Whether a changed output file can change how every page looks (a stylesheet, a
    script, an image, a font) rather than being one page, a feed or the search index."""
    return not rel.endswith(_PAGE_FILES) and not rel.startswith("pagefind/")


def _path_prefix(base_url: str | None) -> str:
    """The path part of ``base_url``, ending with ``/``."""
    prefix = urlsplit(base_url or "/").path or "/"
    return prefix if prefix.endswith("/") else prefix + "/"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the output under the base path, adds the live-reload script to HTML, and
    streams build events."""

    def __init__(self, *args: Any, live: LiveSite, prefix: str, **kwargs: Any) -> None:
        self.live = live
        self.prefix = prefix
        super().__init__(*args, directory=str(live.out_dir), **kwargs)

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == self.prefix + EVENTS_PATH:
            self._events()
            return
        self.live.touch()
        try:
            self._answer(path)
        finally:
            self.live.touch()

    def _answer(self, path: str) -> None:
        if path == self.prefix + SCRIPT_PATH:
            self._send(200, "text/javascript; charset=utf-8", LIVE_JS.encode())
        elif path.endswith("/") or path.endswith(".html"):
            self._html(path)
        else:
            super().do_GET()

    def translate_path(self, path: str) -> str:
        if self.prefix != "/" and path.startswith(self.prefix):
            path = "/" + path[len(self.prefix) :]
        return super().translate_path(path)

    def _html(self, path: str) -> None:
        file = Path(self.translate_path(path))
        if file.is_dir():
            file = file / "index.html"
        status = 200
        if not file.is_file():
            status, file = 404, self.live.out_dir / "404.html"
        body = file.read_bytes() if file.is_file() else b"<h1>Not found</h1>"
        script = (
            f'<script src="{self.prefix}{SCRIPT_PATH}" '
            f'data-events="{self.prefix}{EVENTS_PATH}"></script>'
        ).encode()
        at = body.rfind(b"</body>")
        body = body[:at] + script + body[at:] if at != -1 else body + script
        self._send(status, "text/html; charset=utf-8", body)

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        page = parse_qs(urlsplit(self.path).query).get("page", ["/"])[0]
        listener = self.live.listen(page)
        try:
            report = self.live.last_report
            if report is not None and report.errors:
                listener.events.put(("build-error", json.dumps([str(p) for p in report.errors])))
            while True:
                try:
                    event, data = listener.events.get(timeout=15)
                    self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            self.live.listeners.remove(listener)

    def end_headers(self) -> None:
        if not urlsplit(self.path).path.endswith(EVENTS_PATH):
            # always asked again, but a file that did not change is answered "304 Not
            # Modified": a reload does not fetch every font and stylesheet anew
            self.send_header("Cache-Control", "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class DevServer:
    """The HTTP server and the watcher, each on its own thread."""

    def __init__(self, live: LiveSite, host: str, port: int) -> None:
        self.live = live
        handler = functools.partial(_Handler, live=live, prefix=_path_prefix(live.options.base_url))
        self.http = http.server.ThreadingHTTPServer((host, port), handler)
        self.http.daemon_threads = True
        self.stop_event = threading.Event()
        self.threads: list[threading.Thread] = []

    @property
    def port(self) -> int:
        """The port actually bound (useful with port 0)."""
        return int(self.http.server_address[1])

    def start(self, on_rebuild: Any = None) -> None:
        """Serve and watch in background threads."""

        def watching() -> None:
            for report in self.live.watch(self.stop_event):
                if on_rebuild is not None:
                    on_rebuild(report)

        for target in (self.http.serve_forever, watching):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        """Stop serving and watching."""
        self.stop_event.set()
        self.live.broadcast("bye", "")
        self.http.shutdown()
        self.http.server_close()


def serve(site_dir: Path, options: BuildOptions, host: str, port: int) -> None:
    """Build, then serve and rebuild on changes until interrupted (the CLI's ``serve``)."""
    from rich.console import Console

    console = Console(stderr=True, highlight=False)
    live = LiveSite(site_dir, options)
    report = live.rebuild()
    for problem in report.problems:
        console.print(str(problem), markup=False)
    console.print(summary_line(report), markup=False)
    server = DevServer(live, host, port)

    def on_rebuild(report: BuildReport) -> None:
        for problem in report.errors:
            console.print(f"error: {problem}", markup=False)
        if report.search_refresh:
            for problem in report.warnings:  # Pagefind failed: the site is still good
                console.print(str(problem), markup=False)
        console.print(f"rebuilt: {summary_line(report)}", markup=False)

    server.start(on_rebuild)
    url = f"http://{host}:{server.port}{urlsplit(options.base_url or '/').path}"
    console.print(f"serving {live.out_dir} at {url} (Ctrl-C to stop)", markup=False)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
