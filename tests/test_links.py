"""Every internal link and anchor of the built demo resolves, with the site under a sub-path."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from inkstone.build import BuildOptions, build

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
BASE = "http://127.0.0.1:8000/blog/"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("name"):
            self.ids.add(str(values["name"]))
        for attr in ("href", "src"):
            if values.get(attr) and not (tag == "link" and values.get("rel") == "canonical"):
                self.urls.append(str(values[attr]))
        for candidate in (values.get("srcset") or "").split(","):
            if candidate.strip():
                self.urls.append(candidate.split()[0])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "public"
    report = build(DEMO, BuildOptions(out_dir=out, base_url=BASE))
    assert report.errors == [], [str(p) for p in report.errors]
    return out


def _page_file(out: Path, path: str) -> Path | None:
    rel = unquote(path)[len("/blog/") :]
    candidate = out / rel
    if candidate.is_dir():
        candidate = candidate / "index.html"
    return candidate if candidate.is_file() else None


def test_no_broken_internal_links_or_anchors(built: Path) -> None:
    parsed: dict[Path, _Links] = {}

    def links_of(file: Path) -> _Links:
        if file not in parsed:
            parser = _Links()
            parser.feed(file.read_text(encoding="utf-8"))
            parsed[file] = parser
        return parsed[file]

    broken: list[str] = []
    checked = 0
    for page in sorted(built.rglob("*.html")):
        rel = page.relative_to(built).as_posix()
        page_url = BASE + re.sub(r"index\.html$", "", rel)
        for url in links_of(page).urls:
            absolute = urljoin(page_url, url)
            if not absolute.startswith("http://127.0.0.1:8000/"):
                continue
            checked += 1
            parts = urlsplit(absolute)
            if not parts.path.startswith("/blog/"):
                broken.append(f"{rel}: {url} is outside the base path")
                continue
            target = _page_file(built, parts.path)
            if target is None:
                broken.append(f"{rel}: {url} does not exist")
            elif (
                parts.fragment
                and target.suffix == ".html"
                and unquote(parts.fragment) not in links_of(target).ids
            ):
                broken.append(f"{rel}: {url} has no anchor #{unquote(parts.fragment)}")
    assert checked > 500
    assert broken == []
