"""``inkstone serve``: build, serve, watch, rebuild what changed, reload open pages.

The site is built once, then every change under the site folder (content, templates,
static files, ``site.toml``) triggers a rebuild that keeps what it can in memory
(:class:`~inkstone.build.BuildMemory`): only edited sources are read and rendered again,
and only pages whose inputs changed are rewritten. Open pages are told over Server-Sent
Events: after a good build they reload (keeping their scroll position); after a build
with errors they show an overlay naming ``file:line``, while the last good pages go on
being served. The script that listens is added to HTML responses by the server only,
never to the files on disk.
"""

from __future__ import annotations

import functools
import http.server
import json
import queue
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from inkstone.build import BuildMemory, BuildOptions, build, summary_line
from inkstone.cache import CACHE_DIR
from inkstone.errors import BuildReport

EVENTS_PATH = "__inkstone/events"
SCRIPT_PATH = "__inkstone/live.js"

LIVE_JS = r"""(() => {
  const key = "inkstone-scroll:" + location.pathname;
  const saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    addEventListener("load", () => scrollTo(0, Number(saved)));
  }
  const events = new EventSource(document.currentScript.dataset.events);
  events.addEventListener("reload", () => {
    sessionStorage.setItem(key, String(scrollY));
    location.reload();
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
        self.listeners: list[queue.Queue[tuple[str, str]]] = []
        self.lock = threading.Lock()
        self.last_report: BuildReport | None = None

    def rebuild(self) -> BuildReport:
        """Build (keeping memory from the last build) and tell the open pages."""
        with self.lock:
            report = build(self.site_dir, self.options, self.memory)
            self.last_report = report
        if report.errors:
            self.broadcast("build-error", json.dumps([str(p) for p in report.errors]))
        else:
            self.broadcast("reload", "")
        return report

    def broadcast(self, event: str, data: str) -> None:
        """Send an event to every open page."""
        for listener in list(self.listeners):
            listener.put((event, data))

    def watch(self, stop: threading.Event) -> Iterator[BuildReport]:
        """Rebuild after each batch of changes until ``stop`` is set."""
        from watchfiles import watch

        ignored = (self.out_dir, self.site_dir / CACHE_DIR)
        for changes in watch(
            self.site_dir, stop_event=stop, debounce=30, step=10, yield_on_timeout=False
        ):
            paths = [Path(path) for _, path in changes]
            relevant = [
                p
                for p in paths
                if not any(p == folder or folder in p.parents for folder in ignored)
                and not p.name.startswith(f".{self.out_dir.name}.inkstone-")
            ]
            if relevant:
                yield self.rebuild()


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
        elif path == self.prefix + SCRIPT_PATH:
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
        listener: queue.Queue[tuple[str, str]] = queue.Queue()
        self.live.listeners.append(listener)
        try:
            report = self.live.last_report
            if report is not None and report.errors:
                listener.put(("build-error", json.dumps([str(p) for p in report.errors])))
            while True:
                try:
                    event, data = listener.get(timeout=15)
                    self.wfile.write(f"event: {event}\ndata: {data}\n\n".encode())
                except queue.Empty:
                    self.wfile.write(b": keep-alive\n\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            self.live.listeners.remove(listener)

    def end_headers(self) -> None:
        if not self.path.endswith(EVENTS_PATH):
            self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


class DevServer:
    """The HTTP server and the watcher, each on its own thread."""

    def __init__(self, live: LiveSite, host: str, port: int) -> None:
        self.live = live
        prefix = urlsplit(live.options.base_url or "/").path or "/"
        prefix = prefix if prefix.endswith("/") else prefix + "/"
        handler = functools.partial(_Handler, live=live, prefix=prefix)
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
        console.print(f"rebuilt: {summary_line(report)}", markup=False)

    server.start(on_rebuild)
    url = f"http://{host}:{server.port}{urlsplit(options.base_url or '/').path}"
    console.print(f"serving {live.out_dir} at {url} (Ctrl-C to stop)", markup=False)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()
