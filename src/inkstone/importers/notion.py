"""Notion's "Markdown & CSV" export (a folder or the zip as downloaded).

File names end in a 32-hex id (``笔记 0123…cdef.md``); ids are stripped from post names and
the links between pages point at the imported posts. ``<aside>`` callouts keep their emoji
(``> 💡 …``), toggles stay ``<details>`` with Markdown inside, a link alone on its line whose
text is its URL (how Notion exports a bookmark) becomes a bookmark card, and the property
lines under the title (Tags, Created, Category…) become front matter.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import emoji

from inkstone.importers.assets import Bundle
from inkstone.importers.common import read_markdown, string_list, unique_folder
from inkstone.importers.formulas import find_formulas
from inkstone.importers.links import rewrite_links
from inkstone.importers.model import ImportBatch, ImportedPost
from inkstone.importers.text import map_outside_code

NOTION_ID = re.compile(r"\s+[0-9a-f]{32}$")
PROPERTY_KEYS = {
    "tags": "tags",
    "标签": "tags",
    "created": "date",
    "date": "date",
    "created time": "date",
    "创建时间": "date",
    "日期": "date",
    "last edited time": "updated",
    "updated": "updated",
    "最后编辑时间": "updated",
    "category": "categories",
    "categories": "categories",
    "分类": "categories",
}
"""Notion property names (lower case) → inkstone front-matter keys."""
_PROPERTY = re.compile(r"^([^:\n`#>*\-|][^:\n]{0,39}): (.+)$")
_ASIDE = re.compile(r"^<aside>[ \t]*\n(?P<body>.*?)\n?^</aside>[ \t]*$", re.DOTALL | re.MULTILINE)
_DETAILS = re.compile(
    r"<details>\s*<summary>(?P<summary>.*?)</summary>\s*(?P<body>.*?)\s*</details>", re.DOTALL
)
_BOOKMARK = re.compile(r"^\[(?P<text>[^\]\n]+)\]\((?P<url>https?://[^)\s]+)\)[ \t]*$", re.MULTILINE)
_ICON = re.compile(r"^<img\b[^>]*/?>\s*")
_DATE_FORMATS = (
    "%B %d, %Y %I:%M %p",
    "%B %d, %Y",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日",
)


def import_notion(source: Path) -> ImportBatch:
    """Read a Notion Markdown export (folder or zip) into posts."""
    if source.is_file() and zipfile.is_zipfile(source):
        temporary = tempfile.TemporaryDirectory(prefix="inkstone-notion-")
        root = Path(temporary.name)
        _unzip(source, root)
        batch = ImportBatch(root=root, label=source.name, temporary=[temporary])
    else:
        batch = ImportBatch(root=source)
    files = sorted(batch.root.rglob("*.md"))
    taken: set[str] = set()
    folders = {path.resolve(): unique_folder(page_name(path.stem), taken) for path in files}
    for path in files:
        post = _import_page(batch, path, folders)
        if post is not None:
            batch.posts.append(post)
    return batch


def page_name(stem: str) -> str:
    """A page's name without Notion's id: ``笔记 0123…cdef`` → ``笔记``."""
    return NOTION_ID.sub("", stem).strip() or stem


def _unzip(archive: Path, into: Path) -> None:
    """Unpack the export, and the part zips Notion nests in a large one."""
    with zipfile.ZipFile(archive) as outer:
        outer.extractall(into)
    for inner in sorted(into.rglob("*.zip")):
        with zipfile.ZipFile(inner) as part:
            part.extractall(inner.parent)
        inner.unlink()


def _import_page(batch: ImportBatch, path: Path, folders: dict[Path, str]) -> ImportedPost | None:
    read = read_markdown(batch, path)
    if read is None:
        return None
    meta, body, body_line = read
    front: dict[str, Any] = dict(meta)
    lines = body.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    title = page_name(path.stem)
    if lines and re.match(r"^# ", lines[first] if lines else ""):
        title = lines[first][2:].strip()
        lines[first] = ""
        front.update(_properties(batch, path, lines, first + 1, body_line))
    front.setdefault("title", title)
    body = "\n".join(lines)
    found = find_formulas(body, body_line)
    body = map_outside_code(body, _blocks)
    bundle = Bundle(batch, path, [batch.root])
    body = bundle.rewrite(body, body_line)
    body = rewrite_links(body, path, folders)
    if "date" not in front:
        front["date"] = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()
    return ImportedPost(folders[path.resolve()], front, body, path, bundle.files, found)


def _properties(
    batch: ImportBatch, path: Path, lines: list[str], start: int, body_line: int
) -> dict[str, Any]:
    """The ``Key: value`` lines right under the title, removed from ``lines``."""
    index = start
    while index < len(lines) and not lines[index].strip():
        index += 1
    front: dict[str, Any] = {}
    while index < len(lines) and (match := _PROPERTY.match(lines[index])):
        key, value = match[1].strip(), match[2].strip()
        mapped = PROPERTY_KEYS.get(key.lower(), key)
        if mapped in {"tags", "categories"}:
            front[mapped] = string_list(value)
        elif mapped in {"date", "updated"}:
            parsed = _parse_date(value)
            if parsed is None:
                batch.problem(
                    f"{key}: {value!r} is no date Notion writes; kept as text under `{key}`",
                    path,
                    body_line + index,
                    hint="set `date:` in the imported post's front matter",
                )
                front[key] = value
            else:
                front[mapped] = parsed
        else:
            front[mapped] = value
        lines[index] = ""
        index += 1
    return front


def _parse_date(value: str) -> dt.datetime | dt.date | None:
    value = re.sub(r"\s*\(.*\)$", "", value.strip())
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(value, fmt)
        except ValueError:
            continue
        return parsed if "%H" in fmt or "%I" in fmt else parsed.date()
    return None


def _blocks(text: str, _start: int) -> str:
    """Callouts, toggles and bookmarks of one stretch outside code, as inkstone writes them."""
    text = _ASIDE.sub(_callout, text)
    text = _DETAILS.sub(
        lambda m: (
            f"<details><summary>{m['summary'].strip()}</summary>\n\n"
            f"{m['body'].strip()}\n\n</details>"
        ),
        text,
    )
    return _BOOKMARK.sub(lambda m: f"🔖 {m['url']}" if _alone(text, m) else m[0], text)


def _alone(text: str, match: re.Match[str]) -> bool:
    """True when the link, its text being its URL, is a paragraph of its own."""
    before = text[: match.start()]
    after = text[match.end() :]
    return (
        (not before.strip() or before.endswith("\n\n"))
        and (not after.strip() or after.startswith("\n\n"))
        and match["text"] == match["url"]
    )


def _callout(match: re.Match[str]) -> str:
    content = _ICON.sub("", match["body"].strip())
    found = emoji.emoji_list(content)
    marker = "[!NOTE]"
    if found and found[0]["match_start"] == 0:
        marker = found[0]["emoji"]
        content = content[found[0]["match_end"] :].strip()
    lines = content.split("\n")
    if marker != "[!NOTE]":
        first = f"> {marker} {lines[0]}".rstrip()
        rest = lines[1:]
    else:
        first = f"> {marker}"
        rest = lines
    return "\n".join([first, *(f"> {line}".rstrip() for line in rest)])
