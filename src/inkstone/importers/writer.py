"""Writing imported posts as page bundles: ``content/posts/<folder>/index.md`` and its images.

The output is deterministic (front matter keys in a fixed order), so importing twice gives
the same bytes. An existing file with other bytes is kept unless ``force`` is given; one with
the same bytes is left alone and counted as unchanged.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from inkstone.importers.formulas import find_formulas, first_missing
from inkstone.importers.model import ImportBatch, ImportedPost, ImportReport
from inkstone.importers.text import tidy

FRONT_ORDER = (
    "title",
    "date",
    "updated",
    "slug",
    "categories",
    "tags",
    "series",
    "series_order",
    "draft",
    "summary",
    "cover",
    "lang",
    "math",
    "macros",
)
"""Known keys come first, in this order; any other key follows, sorted by name."""
SITE_KEYS = ("title", "author", "base_url", "language", "timezone")


def front_matter(front: dict[str, Any]) -> str:
    """The YAML block (without the ``---`` fences) for ``front``, keys in a fixed order."""
    keys = [k for k in FRONT_ORDER if k in front]
    keys += sorted(k for k in front if k not in FRONT_ORDER)
    out = []
    for key in keys:
        value = front[key]
        if value is None or value == [] or value == "":
            continue
        out.append(
            yaml.safe_dump(
                {key: value},
                allow_unicode=True,
                sort_keys=False,
                default_flow_style=None if isinstance(value, list | dict) else False,
                width=1_000_000,
            )
        )
    return "".join(out)


def render_post(post: ImportedPost) -> str:
    """The full text of a post's ``index.md``."""
    return f"---\n{front_matter(post.front)}---\n\n{tidy(post.body)}"


def write_batch(batch: ImportBatch, site_dir: Path, *, force: bool = False) -> ImportReport:
    """Write every post of ``batch`` under ``site_dir`` and say what happened.

    Called once per ``inkstone import``; creates a minimal ``site.toml`` when there is none.
    """
    report = ImportReport()
    site_toml = site_dir / "site.toml"
    if not site_toml.exists():
        site_dir.mkdir(parents=True, exist_ok=True)
        site_toml.write_text(_site_toml(batch.site), encoding="utf-8")
        report.site_toml = True
    seen: set[str] = set()
    for post in batch.posts:
        rel = PurePosixPath("content", "posts", post.folder, "index.md")
        if post.folder in seen:
            batch.problem(
                f"a second post would be written to {rel}; skipped",
                post.source,
                hint="give one of them another `slug` and import again",
            )
            continue
        seen.add(post.folder)
        text = render_post(post)
        _count_formulas(post, text, batch, report)
        target = site_dir / rel
        state = _write(target, text.encode("utf-8"), force)
        if state == "kept":
            report.kept.append(rel)
            batch.problem(
                f"{rel} already exists with other content; kept it",
                post.source,
                hint="pass --force to overwrite it",
            )
            continue
        (report.written if state == "written" else report.unchanged).append(rel)
        for file in post.files:
            image = target.parent / file.name
            image_state = _write(image, file.source.read_bytes(), force)
            if image_state == "written":
                report.images += 1
            elif image_state == "kept":
                batch.problem(
                    f"{image.relative_to(site_dir).as_posix()} already exists with other "
                    "content; kept it",
                    file.source,
                    hint="pass --force to overwrite it",
                )
    report.problems = list(batch.problems)
    return report


def _count_formulas(
    post: ImportedPost, text: str, batch: ImportBatch, report: ImportReport
) -> None:
    """Add the post's formulas to the report; a formula lost on the way is a problem."""
    written = find_formulas(text)
    report.formulas_found += len(post.found)
    report.formulas_written += len(written)
    missing = first_missing(post.found, written)
    if missing is not None or len(written) != len(post.found):
        where = f"`{missing.tex[:40]}` " if missing is not None else ""
        batch.problem(
            f"{len(post.found)} formulas found but {len(written)} written; "
            f"{where}did not come through",
            post.source,
            missing.line if missing is not None else None,
            hint="check this formula in the imported post by hand",
        )


def _write(target: Path, data: bytes, force: bool) -> str:
    """``written``, ``unchanged`` or ``kept`` (a different file there, no ``force``)."""
    if target.is_file():
        if target.read_bytes() == data:
            return "unchanged"
        if not force:
            return "kept"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return "written"


def _site_toml(site: dict[str, str]) -> str:
    lines = ["# Created by `inkstone import`; every key is optional (see README)."]
    for key in SITE_KEYS:
        if site.get(key):
            lines.append(f"{key} = {json.dumps(site[key], ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def as_date(value: object) -> object:
    """A front-matter date kept as a YAML date or datetime (seconds, no microseconds)."""
    if isinstance(value, dt.datetime):
        return value.replace(microsecond=0)
    return value
