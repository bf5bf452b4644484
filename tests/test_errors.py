"""Bad input gets a clear message naming file:line, and the rest of the site still builds."""

from __future__ import annotations

from pathlib import Path

from inkstone.build import has_failed
from tests.sites import build_site, messages, read, write_site

GOOD = "-- site.toml --\ntitle = 'x'\n-- content/posts/good.md --\n---\ntitle: Good\ndate: 2024-01-01\n---\nfine\n"


def _error_for(report_messages: list[str], name: str) -> str:
    found = [m for m in report_messages if m.startswith(name)]
    assert found, report_messages
    return found[0]


def test_invalid_yaml_is_reported_at_the_file_line(tmp_path: Path) -> None:
    site = (
        GOOD
        + "-- content/posts/bad.md --\n---\ntitle: ok\ntags: [a, b\ndate: 2024-01-01\n---\nbody\n"
    )
    report, out = build_site(tmp_path, site)
    message = _error_for(messages(report), "content/posts/bad.md")
    assert message.startswith("content/posts/bad.md:4:5: invalid YAML front matter: ")
    assert "expected ',' or ']'" in message and "flow sequence on line 3" in message
    assert (out / "posts/good/index.html").is_file()
    assert has_failed(report, strict=False)


def test_invalid_toml_front_matter_counts_the_fence(tmp_path: Path) -> None:
    site = GOOD + '-- content/posts/bad.md --\n+++\ntitle = "ok"\ndate = nope\n+++\nbody\n'
    report, _ = build_site(tmp_path, site)
    assert _error_for(messages(report), "content/posts/bad.md").startswith(
        "content/posts/bad.md:3:8: invalid TOML front matter"
    )


def test_unclosed_front_matter(tmp_path: Path) -> None:
    report, _ = build_site(tmp_path, GOOD + "-- content/posts/bad.md --\n---\ntitle: x\n\nbody\n")
    assert "content/posts/bad.md:1: front matter opened with `---` on line 1 is never closed" in (
        _error_for(messages(report), "content/posts/bad.md")
    )


def test_bad_date_names_its_line(tmp_path: Path) -> None:
    site = GOOD + "-- content/posts/bad.md --\n---\ntitle: x\ndate: last tuesday\n---\nbody\n"
    report, _ = build_site(tmp_path, site)
    assert _error_for(messages(report), "content/posts/bad.md").startswith(
        "content/posts/bad.md:3: `date: last tuesday` is not a date"
    )


def test_invalid_utf8_binary_empty_and_huge_files(tmp_path: Path) -> None:
    write_site(tmp_path, GOOD)
    posts = tmp_path / "content/posts"
    (posts / "latin1.md").write_bytes(b"---\ntitle: x\n---\ncaf\xe9\n")
    (posts / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (posts / "empty.md").write_text("  \n")
    (posts / "huge.md").write_text("---\ntitle: huge\ndate: 2024-01-01\n---\n" + "x" * (11 * 2**20))
    report, out = build_site(tmp_path)
    found = messages(report)
    assert _error_for(found, "content/posts/latin1.md").startswith(
        "content/posts/latin1.md:4:4: not valid UTF-8 (byte 0xe9)"
    )
    assert "binary file" in _error_for(found, "content/posts/binary.md")
    assert "empty file" in _error_for(found, "content/posts/empty.md")
    assert "over the 10 MB limit" in _error_for(found, "content/posts/huge.md")
    assert (out / "posts/good/index.html").is_file()


def test_unbalanced_dollars_do_not_swallow_the_page(tmp_path: Path) -> None:
    site = GOOD + (
        "-- content/posts/dollars.md --\n---\ntitle: d\ndate: 2024-01-01\n---\n"
        "a lone $ sign here\n\n$$\nx = 1\n\nlater paragraph stays\n"
    )
    _report, out = build_site(tmp_path, site)
    html = read(out, "posts/dollars/index.html")
    assert "a lone $ sign here" in html
    assert "later paragraph stays" in html


def test_katex_error_shows_source_and_names_line(tmp_path: Path) -> None:
    site = GOOD + (
        "-- content/posts/m.md --\n---\ntitle: m\ndate: 2024-01-01\n---\n"
        "first line\nsecond $\\frac{a$ here\n"
    )
    report, out = build_site(tmp_path, site)
    message = _error_for(messages(report), "content/posts/m.md")
    assert message.startswith("content/posts/m.md:6: KaTeX error:")
    assert '<code class="math-error"' in read(out, "posts/m/index.html")
    assert not has_failed(report, strict=False)
    assert has_failed(report, strict=True)


def test_strict_build_with_warnings_keeps_previous_output(tmp_path: Path) -> None:
    report, out = build_site(tmp_path, GOOD)
    assert report.problems == []
    write_site(
        tmp_path, "-- content/posts/m.md --\n---\ntitle: m\ndate: 2024-01-01\n---\n$\\bad{$\n"
    )
    report, out = build_site(tmp_path, strict=True)
    assert has_failed(report, strict=True)
    assert not (out / "posts/m").exists(), "the failed build was not swapped in"
    assert (out / "posts/good/index.html").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".public.inkstone-")], (
        "no staging"
    )


def test_a_killed_builds_staging_folder_is_removed_by_the_next_build(tmp_path: Path) -> None:
    """A build that was killed leaves its staging folder beside the output; the next build
    removes it, but not the one of a build still running (its process is alive)."""
    import subprocess
    import sys

    from inkstone.output.writer import staging_prefix
    from inkstone.serve import relevant_changes

    out = tmp_path / "public"
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = tmp_path / f"{staging_prefix(out, int(gone.stdout))}abc123"
    (dead / "posts/a").mkdir(parents=True)
    (dead / "posts/a/index.html").write_text("half written")
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = tmp_path / f"{staging_prefix(out, running.pid)}def456"
        alive.mkdir()
        report, out = build_site(tmp_path, GOOD)
        assert not report.errors
        assert not dead.exists(), "the killed build's folder is gone"
        assert alive.is_dir(), "a running build keeps its own"
        assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".public.")] == [alive.name]
    finally:
        running.kill()
        running.wait()
    # and the dev server does not take the writes into a staging folder for edits, nor
    # those into another folder a site was built into (serving with -o elsewhere)
    changed = [dead / "posts/a/index.html", alive, tmp_path / "content/posts/good.md"]
    assert relevant_changes(changed, tmp_path, out) == [tmp_path / "content/posts/good.md"]
    changed = [out / "posts/good/index.html", out / ".inkstone-output", out, changed[-1]]
    served = tmp_path / "served"
    assert relevant_changes(changed, tmp_path, served) == [tmp_path / "content/posts/good.md"]


def test_missing_image_is_a_warning_with_line(tmp_path: Path) -> None:
    site = (
        GOOD
        + "-- content/posts/img.md --\n---\ntitle: i\ndate: 2024-01-01\n---\n\n![x](nope.png)\n"
    )
    report, _ = build_site(tmp_path, site)
    assert "content/posts/img.md:6: missing image `nope.png`" in _error_for(
        messages(report), "content/posts/img.md"
    )


def test_slug_that_escapes_output_is_an_error(tmp_path: Path) -> None:
    site = (
        GOOD
        + "-- content/posts/evil.md --\n---\ntitle: e\ndate: 2024-01-01\nslug: ../../etc\n---\nx\n"
    )
    report, _out = build_site(tmp_path, site)
    assert _error_for(messages(report), "content/posts/evil.md").startswith(
        "content/posts/evil.md:4: slug '../../etc' would leave its folder"
    )
    assert not (tmp_path / "etc").exists()


def test_two_sources_claiming_one_url_name_both(tmp_path: Path) -> None:
    site = GOOD + (
        "-- content/posts/a.md --\n---\ntitle: a\ndate: 2024-01-01\nslug: same\n---\nx\n"
        "-- content/posts/b.md --\n---\ntitle: b\ndate: 2024-01-01\nslug: same\n---\ny\n"
    )
    report, out = build_site(tmp_path, site)
    errors = [str(p) for p in report.errors]
    assert len(errors) == 2
    assert all("content/posts/a.md and content/posts/b.md" in e for e in errors)
    assert (out / "posts/good/index.html").is_file()


def test_symlink_loop_is_reported_and_skipped(tmp_path: Path) -> None:
    write_site(tmp_path, GOOD)
    (tmp_path / "content/posts/loop").symlink_to(tmp_path / "content/posts")
    (tmp_path / "content/posts/self.md").symlink_to(tmp_path / "content/posts/self.md")
    report, out = build_site(tmp_path)
    found = messages(report)
    assert any(m.startswith("content/posts/loop: symlink loop") for m in found), found
    assert any(m.startswith("content/posts/self.md: cannot read file") for m in found), found
    assert (out / "posts/good/index.html").is_file()


def test_output_folder_not_made_by_inkstone_is_never_replaced(tmp_path: Path) -> None:
    write_site(tmp_path, GOOD)
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    report, _ = build_site(tmp_path, out_dir=precious)
    assert report.errors and "not made by inkstone" in str(report.errors[0])
    assert (precious / "thesis.tex").read_text() == "years of work"


def test_config_errors_are_reported_together_and_unknown_keys_suggest(tmp_path: Path) -> None:
    site = (
        "-- site.toml --\ntitle = 3\nposts_per_page = 'ten'\ntimezone = 'Mars/Base'\n"
        "titel = 'x'\n[math]\nmacross = {}\n[code]\nlight_style = 'monokia'\n"
        "dark_style = 'monokai'\n-- content/posts/a.md --\nx\n"
    )
    report, _ = build_site(tmp_path, site)
    found = messages(report)
    assert "site.toml: `title` must be a string, not 3" in found
    assert "site.toml: `posts_per_page` must be a whole number, not 'ten'" in found
    assert any("unknown `timezone` 'Mars/Base'" in m for m in found)
    assert "site.toml: unknown setting `titel` (did you mean `title`?)" in found
    assert "site.toml: unknown setting `math.macross` (did you mean `math.macros`?)" in found
    assert "site.toml: unknown Pygments style `monokia` (did you mean `monokai`?)" in found
    assert not any("`monokai`" in m and "unknown" in m for m in found if "monokia" not in m)


def test_invalid_toml_in_site_config_names_line(tmp_path: Path) -> None:
    report, _ = build_site(tmp_path, "-- site.toml --\ntitle = 'x'\nbase_url = \n")
    assert messages(report)[0].startswith("site.toml:2:12: invalid TOML")


def test_template_error_names_template_file_and_line(tmp_path: Path) -> None:
    site = GOOD + "-- templates/404.html --\nline one\n{{ site.nonexistent.deeper }}\n"
    report, _ = build_site(tmp_path, site)
    assert any(m.startswith("templates/404.html:2: template error") for m in messages(report))
    site = GOOD + "-- templates/404.html --\n{% if %}\n"
    report, _ = build_site(tmp_path, site)
    assert any(
        m.startswith("templates/404.html:1: template syntax error") for m in messages(report)
    )
