"""A local server for the built site (live reload comes with the incremental dev server)."""

from __future__ import annotations

import contextlib
import functools
import http.server
from pathlib import Path
from urllib.parse import urlsplit


def serve(out_dir: Path, host: str, port: int, base_url: str) -> None:
    """Serve ``out_dir`` at ``base_url``'s path until interrupted."""
    prefix = urlsplit(base_url).path.rstrip("/")
    handler = functools.partial(_Handler, directory=str(out_dir), prefix=prefix)
    with http.server.ThreadingHTTPServer((host, port), handler) as server:
        print(f"serving {out_dir} at http://{host}:{port}{prefix}/  (Ctrl-C to stop)", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args: object, directory: str, prefix: str, **kwargs: object) -> None:
        self.prefix = prefix
        super().__init__(*args, directory=directory, **kwargs)  # type: ignore[arg-type]

    def translate_path(self, path: str) -> str:
        if self.prefix and path.startswith(self.prefix):
            path = path[len(self.prefix) :] or "/"
        return super().translate_path(path)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(str(self.directory)) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args: object) -> None:
        pass
