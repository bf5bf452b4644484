"""The dev server's two-step answer to an edit: a preview of the edited pages, then the
full rebuild, which a newer change can stop."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from inkstone.build import BuildMemory, BuildOptions, build, preview
from tests.sites import read, write_site

SITE = """-- site.toml --
title = "Preview"
search = false
-- content/posts/alpha.md --
---
title: Alpha
date: 2024-01-02
tags: [math]
---
Alpha opening with $x^2$.

More alpha.
-- content/posts/beta.md --
---
title: Beta
date: 2024-01-01
tags: [math]
---
Beta opening.
"""


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, BuildOptions, BuildMemory]:
    write_site(tmp_path, SITE)
    options = BuildOptions(out_dir=tmp_path / "public", drafts=True)
    memory = BuildMemory()
    report = build(tmp_path, options, memory)
    assert report.errors == [] and not report.cancelled
    return tmp_path, options, memory


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    stat = path.stat()  # a new modification time even within the clock's resolution
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_preview_writes_only_the_edited_page_then_the_rebuild_the_rest(
    site: tuple[Path, BuildOptions, BuildMemory],
) -> None:
    root, options, memory = site
    out = root / "public"
    home_before = read(out, "index.html")
    beta_mtime = (out / "posts/beta/index.html").stat().st_mtime_ns
    alpha = root / "content/posts/alpha.md"
    _edit(alpha, "Alpha opening", "Alpha rewritten opening")

    report = preview(root, options, memory, [alpha])

    assert report is not None and report.preview and report.errors == []
    assert report.written == ["posts/alpha/index.html"]
    assert "Alpha rewritten opening" in read(out, "posts/alpha/index.html")
    assert 'class="katex"' in read(out, "posts/alpha/index.html")
    assert read(out, "index.html") == home_before, "lists wait for the full rebuild"
    assert (out / "posts/beta/index.html").stat().st_mtime_ns == beta_mtime

    full = build(root, options, memory)

    assert full.errors == [] and not full.preview
    assert "Alpha rewritten opening" in read(out, "index.html")
    assert "Alpha rewritten opening" in read(out, "tags/math/index.html")
    assert "posts/alpha/index.html" not in full.written, "the preview already wrote it"
    assert "index.html" in full.written
    assert (out / "posts/beta/index.html").stat().st_mtime_ns == beta_mtime


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("title: Alpha", "title: Alpha\nslug: moved"),  # the page moves
        ("date: 2024-01-02", "date: [oops"),  # broken front matter: the rebuild reports it
    ],
)
def test_edits_a_preview_cannot_show_go_to_the_full_rebuild(
    site: tuple[Path, BuildOptions, BuildMemory], old: str, new: str
) -> None:
    root, options, memory = site
    alpha = root / "content/posts/alpha.md"
    _edit(alpha, old, new)
    assert preview(root, options, memory, [alpha]) is None


def test_new_files_templates_and_settings_are_not_previewed(
    site: tuple[Path, BuildOptions, BuildMemory],
) -> None:
    root, options, memory = site
    new_post = root / "content/posts/gamma.md"
    new_post.write_text("---\ntitle: Gamma\ndate: 2024-01-03\n---\nGamma.\n", encoding="utf-8")
    assert preview(root, options, memory, [new_post]) is None
    assert preview(root, options, memory, [root / "site.toml"]) is None
    assert preview(root, options, BuildMemory(), [root / "content/posts/alpha.md"]) is None


def test_a_cancelled_rebuild_writes_nothing_and_the_next_one_completes(
    site: tuple[Path, BuildOptions, BuildMemory],
) -> None:
    root, options, memory = site
    out = root / "public"
    home_before = read(out, "index.html")
    _edit(root / "content/posts/beta.md", "Beta opening", "Beta changed")
    asked = []

    def cancelled() -> bool:
        asked.append(True)
        return len(asked) > 1  # changes arrive while the build renders

    options.cancelled = cancelled
    report = build(root, options, memory)

    assert report.cancelled and report.written == []
    assert read(out, "index.html") == home_before
    assert "Beta changed" not in read(out, "posts/beta/index.html")
    assert not list(root.glob(".public.inkstone-*")), "its staging folder is gone"

    options.cancelled = None
    report = build(root, options, memory)
    assert not report.cancelled and report.errors == []
    assert "Beta changed" in read(out, "posts/beta/index.html")
    assert "Beta changed" in read(out, "index.html")


def test_a_removed_post_leaves_no_file_or_empty_folder_behind_in_the_dev_server(
    site: tuple[Path, BuildOptions, BuildMemory],
) -> None:
    root, options, memory = site
    out = root / "public"
    assert (out / "posts/beta/index.html").is_file()
    (root / "content/posts/beta.md").unlink()

    report = build(root, options, memory)  # the memory's file list, not a walk, finds it

    assert report.errors == [] and memory.files
    assert not (out / "posts/beta").exists()
    assert (out / "posts/alpha/index.html").is_file()
    assert "posts/beta/index.html" not in memory.files


def test_a_formula_put_in_a_title_is_typeset_by_the_preview_and_the_rebuild(
    site: tuple[Path, BuildOptions, BuildMemory],
) -> None:
    """A title is not rendered with the body: the preview typesets the edited page's title,
    and the rebuild every page showing it."""
    root, options, memory = site
    out = root / "public"
    _edit(root / "content/posts/beta.md", "title: Beta", "title: Beta $\\beta_1$")

    report = preview(root, options, memory, [root / "content/posts/beta.md"])

    assert report is not None and report.errors == []
    beta = read(out, "posts/beta/index.html")
    assert "<title>Beta β₁ · Preview</title>" in beta and '>Beta <span class="katex">' in beta
    full = build(root, options, memory)
    assert full.errors == [] and full.problems == []
    assert '>Beta <span class="katex">' in read(out, "posts/alpha/index.html")  # its neighbour
    assert '>Beta <span class="katex">' in read(out, "index.html")
    assert "<title>Beta β₁</title>" in read(out, "atom.xml")
