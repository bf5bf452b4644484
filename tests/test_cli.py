"""The command line: scaffolding, building, exit codes and the summary line."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
import threading
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from rich.console import Console

from inkstone import cli
from inkstone.build import BuildOptions
from inkstone.build import build as build_site
from inkstone.cli import main
from inkstone.errors import BuildReport
from inkstone.scaffold import new_post, new_site


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_new_site_then_build_gives_a_working_site(tmp_path: Path) -> None:
    site = tmp_path / "blog"
    code, output = run("new", "site", str(site))
    assert code == 0, output
    assert (site / "site.toml").is_file() and (site / "static").is_dir()
    assert (site / "content/about.md").is_file()
    assert len(list((site / "content/posts").glob("*.md"))) == 1
    code, output = run("build", str(site))
    assert code == 0, output
    assert re.search(
        r"\d+ pages \(\d+ files unchanged\), 2 formulas \(2 typeset\), 0 warnings, 0 errors in [\d.]+ s",
        output,
    )
    assert (site / "public/index.html").is_file()
    assert (site / "public/about/index.html").is_file()
    code, output = run("new", "site", str(site))
    assert code == 1 and "already exists" in output


def test_new_post_with_chinese_title_gets_a_pinyin_slug(tmp_path: Path) -> None:
    run("new", "site", str(tmp_path))
    code, output = run("new", "post", "注意力机制的复杂度", "--site", str(tmp_path))
    assert code == 0, output
    zone = ZoneInfo(tomllib.loads((tmp_path / "site.toml").read_text())["timezone"])
    today = dt.datetime.now(zone).strftime("%Y-%m-%d")  # the day by the site's clock
    path = tmp_path / f"content/posts/{today}-zhu-yi-li-ji-zhi-de-fu-za-du.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "注意力机制的复杂度"\ndate: ')
    assert "slug: zhu-yi-li-ji-zhi-de-fu-za-du\n" in text
    code, output = run("new", "post", "注意力机制的复杂度", "--site", str(tmp_path))
    assert code == 1 and "already exists" in output


def test_new_page_is_a_standalone_page_in_the_navigation(tmp_path: Path) -> None:
    """``inkstone new page`` (Hexo's ``hexo new page``) writes ``content/<slug>.md``; the
    build makes it a page at ``/<slug>/`` that the header links to."""
    site = tmp_path / "blog"
    run("new", "site", str(site))
    code, output = run("new", "page", "友情链接", "--site", str(site))
    assert code == 0, output
    path = site / "content/you-qing-lian-jie.md"
    assert path.read_text(encoding="utf-8") == '---\ntitle: "友情链接"\n---\n\n'
    path.write_text(path.read_text(encoding="utf-8") + "朋友们的博客。\n", encoding="utf-8")
    assert run("build", str(site))[0] == 0
    page = (site / "public/you-qing-lian-jie/index.html").read_text(encoding="utf-8")
    assert "朋友们的博客" in page
    assert '<a href="/you-qing-lian-jie/" aria-current="page">友情链接</a>' in page
    code, output = run("new", "page", "友情链接", "--site", str(site))
    assert code == 1 and "already exists" in output


def test_new_post_hash_slug_style(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text('slug_style = "hash"\ntimezone = "UTC"\n')
    now = dt.datetime(2026, 1, 11, 9, 30, tzinfo=dt.UTC)
    path = new_post(tmp_path, "RoPE 旋转位置编码", now)
    assert re.fullmatch(r"2026-01-11-rope-[0-9a-f]{8}\.md", path.name)
    other = tmp_path / "other"
    other.mkdir()
    (other / "site.toml").write_text('slug_style = "hash"\ntimezone = "UTC"\n')
    assert new_post(tmp_path, "同一个标题", now).name == new_post(other, "同一个标题", now).name


def test_build_output_option_drafts_and_exit_code(tmp_path: Path) -> None:
    run("new", "site", str(tmp_path))
    posts = tmp_path / "content/posts"
    (posts / "draft.md").write_text("---\ntitle: d\ndate: 2024-01-01\ndraft: true\n---\nx\n")
    code, _ = run("build", str(tmp_path), "-o", str(tmp_path / "out"))
    assert code == 0 and not (tmp_path / "out/posts/draft").exists()
    code, _ = run("build", str(tmp_path), "-o", str(tmp_path / "out"), "--drafts")
    assert code == 0 and (tmp_path / "out/posts/draft/index.html").is_file()
    (posts / "bad.md").write_text("---\ntitle: [\n---\n")
    code, output = run("build", str(tmp_path), "-o", str(tmp_path / "out"))
    assert code == 1
    assert "content/posts/bad.md:3:1: invalid YAML front matter" in output.replace("\n", "")


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    run("new", "site", str(tmp_path))
    (tmp_path / "content/posts/w.md").write_text(
        "---\ntitle: w\ndate: 2024-01-01\n---\n![a](gone.png)\n"
    )
    assert run("build", str(tmp_path))[0] == 0
    code, output = run("build", str(tmp_path), "--strict")
    assert code == 1 and "missing image `gone.png`" in output


def test_base_url_option(tmp_path: Path) -> None:
    run("new", "site", str(tmp_path))
    code, _ = run("build", str(tmp_path), "--base-url", "https://x.github.io/blog/")
    assert code == 0
    assert 'href="/blog/assets/style.css"' in (tmp_path / "public/index.html").read_text()


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "inkstone", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("inkstone, version ")


def test_the_progress_bar_in_a_terminal_runs_no_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It is redrawn by the build's progress calls, not by a thread of rich's: a build with
    no other thread running can fork its render workers (``rendering.start_method``)."""
    new_site(tmp_path / "blog")
    screen = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=screen, force_terminal=True, width=80))
    running: set[str] = set()
    original = build_site

    def build(site_dir: Path, options: BuildOptions) -> BuildReport:
        progress = options.progress
        assert progress is not None

        def counted(stage: str, done: int, total: int) -> None:
            progress(stage, done, total)
            running.update(type(t).__module__ for t in threading.enumerate())

        options.progress = counted
        return original(site_dir, options)

    monkeypatch.setattr(cli, "build", build)
    report = cli._run_build(tmp_path / "blog", BuildOptions())
    assert not report.errors
    assert "threading" in running and not any(m.startswith("rich") for m in running)
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.getvalue())  # no colours
    assert re.search(r"render \S+ 2/2", shown) and "pages (0 files unchanged)" in shown
