"""Obsidian: a vault. Notes keep their names (so ``[[wikilinks]]`` and note embeds go on
resolving), their front matter and callouts; attachments, wherever the vault keeps them, are
copied into each note's bundle and image embeds (``![[x.png]]``, ``![[x.png|300]]``) become
Markdown images."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from inkstone.importers.assets import Bundle
from inkstone.importers.common import mtime_date, read_markdown, string_list
from inkstone.importers.formulas import find_formulas
from inkstone.importers.model import ImportBatch, ImportedPost
from inkstone.importers.text import map_outside_code

_EMBED = re.compile(r"!\[\[(?P<target>[^\]|#\n]+)(?:#[^\]|\n]*)?(?:\|(?P<alias>[^\]\n]*))?\]\]")
_UNSAFE = re.compile(r"[\\/:*?\"<>|#^\[\]]+")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif")


def import_obsidian(source: Path) -> ImportBatch:
    """Read an Obsidian vault into posts."""
    batch = ImportBatch(root=source, site={"title": source.resolve().name})
    visible = [p for p in sorted(source.rglob("*")) if not _hidden(p, source) and p.is_file()]
    notes = [p for p in visible if p.suffix.lower() == ".md"]
    by_name: dict[str, Path] = {}
    for path in visible:
        by_name.setdefault(path.name, path.resolve())
    taken: set[str] = set()
    for path in notes:
        folder = _folder(path.stem, taken)
        post = _import_note(batch, path, folder, by_name)
        if post is not None:
            batch.posts.append(post)
    return batch


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _folder(stem: str, taken: set[str]) -> str:
    """The note's own name (characters no file system takes made dashes), unique."""
    base = _UNSAFE.sub("-", stem).strip(" .-") or "note"
    folder, counter = base, 2
    while folder.lower() in taken:
        folder = f"{base} {counter}"
        counter += 1
    taken.add(folder.lower())
    return folder


def _import_note(
    batch: ImportBatch, path: Path, folder: str, by_name: dict[str, Path]
) -> ImportedPost | None:
    read = read_markdown(batch, path)
    if read is None:
        return None
    meta, body, body_line = read
    found = find_formulas(body, body_line)
    bundle = Bundle(batch, path, [batch.root], by_name)

    def embeds(text: str, start: int) -> str:
        def embed(match: re.Match[str]) -> str:
            target = match["target"].strip()
            if not target.lower().endswith(IMAGE_SUFFIXES):
                return match[0]
            line = body_line + start + text.count("\n", 0, match.start())
            name = bundle.add(target, line)
            if name is None:
                return match[0]
            alias = (match["alias"] or "").strip()
            alt = "" if re.fullmatch(r"\d+(x\d+)?", alias) else alias
            link = f"<{name}>" if re.search(r"[\s()]", name) else name
            return f"![{alt}]({link})"

        return _EMBED.sub(embed, text)

    body = map_outside_code(body, embeds)
    body = bundle.rewrite(body, body_line)
    front: dict[str, Any] = dict(meta)
    if not front.get("date"):
        front["date"] = front.pop("created", None) or mtime_date(path)
    if "tags" in front:
        front["tags"] = [tag.lstrip("#") for tag in string_list(front["tags"])]
    return ImportedPost(folder, front, body, path, bundle.files, found)
