"""Documentation folders: docsify (``_sidebar.md``) and MkDocs (``mkdocs.yml`` ``nav``).

Every page becomes a post of one series, ``series_order`` following the navigation (pages
the navigation leaves out come after, by path). docsify's ``?>``/``!>`` notes and MkDocs'
``!!!``/``???`` admonitions become alerts; links between pages point at the imported posts.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from inkstone.host_site import LenientLoader, blog_base_url
from inkstone.importers.assets import Bundle
from inkstone.importers.common import mtime_date, quote_lines, read_markdown, unique_folder
from inkstone.importers.formulas import find_formulas
from inkstone.importers.hugo import ALERTS
from inkstone.importers.links import rewrite_links
from inkstone.importers.model import ImportBatch, ImportedPost
from inkstone.importers.text import map_outside_code

DOCSIFY_PARTIALS = {"_sidebar.md", "_navbar.md", "_coverpage.md", "_footer.md"}
_SIDEBAR_LINK = re.compile(r"^\s*[-*+]\s+\[(?P<title>[^\]]+)\]\((?P<path>[^)\s]+)")
_DOCSIFY_NOTE = re.compile(r"^([?!])> ?(.*)$", re.MULTILINE)
_ADMONITION = re.compile(
    r"^(?P<mark>!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)(?:[ \t]+\"(?P<title>[^\"]*)\")?[ \t]*\n"
    r"(?P<body>(?:(?:[ ]{4}|\t).*\n|[ \t]*\n)*)",
    re.MULTILINE,
)
_H1 = re.compile(r"^#[ \t]+\S", re.MULTILINE)


def import_docsify(source: Path) -> ImportBatch:
    """Read a docsify folder into a series, in ``_sidebar.md`` order."""
    root = source / "docs" if (source / "docs" / "_sidebar.md").is_file() else source
    batch = ImportBatch(root=source)
    order: list[tuple[Path, str]] = []
    sidebar = root / "_sidebar.md"
    if sidebar.is_file():
        for line in sidebar.read_text(encoding="utf-8").split("\n"):
            match = _SIDEBAR_LINK.match(line)
            if match and "://" not in match["path"]:
                order.append((_docsify_path(root, match["path"]), match["title"].strip()))
    name = _docsify_name(root) or source.resolve().name
    batch.site = {"title": name}
    _import_series(batch, root, order, name, sidebar)
    return batch


def import_mkdocs(source: Path) -> ImportBatch:
    """Read a MkDocs project into a series, in ``mkdocs.yml`` ``nav`` order."""
    batch = ImportBatch(root=source)
    config_path = source / "mkdocs.yml"
    config: dict[str, Any] = {}
    if config_path.is_file():
        try:
            loaded = yaml.load(config_path.read_text(encoding="utf-8"), Loader=LenientLoader)
            config = loaded if isinstance(loaded, dict) else {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            batch.problem(
                "cannot read mkdocs.yml; pages are imported in path order",
                config_path,
                mark.line + 1 if mark is not None else None,
                hint="fix the YAML to keep the navigation order",
            )
    root = source / str(config.get("docs_dir") or "docs")
    if not root.is_dir():
        root = source
    order = [(root / path, title) for title, path in _flatten_nav(config.get("nav"))]
    name = str(config.get("site_name") or source.resolve().name)
    batch.site = {"title": name}
    if config.get("site_author"):
        batch.site["author"] = str(config["site_author"])
    base_url = blog_base_url(config.get("site_url"))
    if base_url:
        batch.site["base_url"] = base_url
    _import_series(batch, root, order, name, config_path)
    return batch


def _flatten_nav(nav: object) -> list[tuple[str, str]]:
    """``(title, path)`` of every page of a MkDocs nav, in order (titles may be empty)."""
    out: list[tuple[str, str]] = []
    if isinstance(nav, list):
        for item in nav:
            out.extend(_flatten_nav(item))
    elif isinstance(nav, dict):
        for title, value in nav.items():
            if isinstance(value, str):
                if "://" not in value:
                    out.append((str(title), value))
            else:
                out.extend(_flatten_nav(value))
    elif isinstance(nav, str) and "://" not in nav:
        out.append(("", nav))
    return out


def _docsify_path(root: Path, link: str) -> Path:
    path = link.split("#")[0].split("?")[0].lstrip("/")
    if not path or path.endswith("/"):
        path += "README.md"
    if not path.endswith(".md"):
        path += ".md"
    return root / path


def _docsify_name(root: Path) -> str:
    index = root / "index.html"
    if index.is_file():
        match = re.search(r"\bname\s*:\s*(['\"])(.+?)\1", index.read_text(encoding="utf-8"))
        if match:
            return match[2]
    return ""


def _import_series(
    batch: ImportBatch, root: Path, order: list[tuple[Path, str]], series: str, nav_file: Path
) -> None:
    """Import every page under ``root``: those of ``order`` first, numbered, then the rest."""
    pages = sorted(
        p
        for p in root.rglob("*.md")
        if p.name not in DOCSIFY_PARTIALS and not any(s.startswith(".") for s in p.parts)
    )
    known = {p.resolve() for p in pages}
    titles: dict[Path, str] = {}
    ordered: list[Path] = []
    for path, title in order:
        resolved = path.resolve()
        if resolved not in known:
            rel = path.relative_to(root).as_posix()
            batch.problem(
                f"the navigation lists {rel}, which is missing",
                nav_file,
                _line_naming(nav_file, rel),
                hint="remove it from the navigation, or add the page",
            )
            continue
        if resolved not in titles:
            titles[resolved] = title
            ordered.append(resolved)
    ordered += [p.resolve() for p in pages if p.resolve() not in titles]
    taken: set[str] = set()
    folders = {path: unique_folder(_folder_name(path, root, series), taken) for path in ordered}
    for number, path in enumerate(ordered, start=1):
        read = read_markdown(batch, path)
        if read is None:
            continue
        meta, body, body_line = read
        found = find_formulas(body, body_line)
        body = map_outside_code(body, _notes)
        bundle = Bundle(batch, path, [root])
        body = bundle.rewrite(body, body_line)
        body = rewrite_links(body, path, folders)
        front: dict[str, Any] = dict(meta)
        if not front.get("title") and not _H1.search(body) and titles.get(path):
            front["title"] = titles[path]
        front.setdefault("date", mtime_date(path))
        front["series"] = series
        front["series_order"] = number
        batch.posts.append(ImportedPost(folders[path], front, body, path, bundle.files, found))


def _line_naming(path: Path, text: str) -> int | None:
    """The first line of ``path`` that mentions ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if text in line:
            return number
    return None


def _folder_name(path: Path, root: Path, series: str) -> str:
    parts = list(path.resolve().relative_to(root.resolve()).with_suffix("").parts)
    if parts and parts[-1].lower() in {"readme", "index"}:
        parts.pop()
    return "-".join(parts) or series


def _notes(text: str, _start: int) -> str:
    """docsify's ``?>``/``!>`` and MkDocs' admonitions as alerts."""

    def admonition(match: re.Match[str]) -> str:
        alert = ALERTS.get(match["kind"].lower(), "NOTE")
        body = re.sub(r"(?m)^(?:[ ]{4}|\t)", "", match["body"]).strip("\n")
        title = match["title"] or ""
        if match["mark"].startswith("???"):
            fold = "+" if match["mark"].endswith("+") else "-"
            head = f"[!{alert.lower()}]{fold} {title}".rstrip()
        else:
            head = f"[!{alert}] {title}".rstrip()
        return quote_lines(body, head) + "\n\n"

    text = _ADMONITION.sub(admonition, text + "\n")[:-1]
    return _DOCSIFY_NOTE.sub(
        lambda m: f"> [!{'TIP' if m[1] == '?' else 'WARNING'}]\n> {m[2]}".rstrip(), text
    )
