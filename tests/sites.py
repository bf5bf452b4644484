"""Whole sites written inline, Hugo-txtar style, for tests.

    -- site.toml --
    title = "x"
    -- content/posts/a.md --
    # A

Each ``-- path --`` line starts a file; its text runs to the next such line.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from inkstone.build import BuildOptions, build
from inkstone.errors import BuildReport

_HEADER = re.compile(r"^-- (.+?) --$", re.MULTILINE)

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "examples" / "demo"


def write_site(root: Path, text: str) -> Path:
    """Write the files described by ``text`` under ``root``; returns ``root``."""
    parts = _HEADER.split(text)
    for name, body in zip(parts[1::2], parts[2::2], strict=True):
        path = root / name.strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body.removeprefix("\n"), encoding="utf-8")
    return root


def build_site(root: Path, text: str | None = None, **options: object) -> tuple[BuildReport, Path]:
    """Write (when ``text`` is given) and build a site; returns the report and output folder."""
    if text is not None:
        write_site(root, text)
    out = Path(str(options.pop("out_dir", root / "public")))
    report = build(root, BuildOptions(out_dir=out, **options))  # type: ignore[arg-type]
    return report, out


def demo_in_theme(root: Path, theme: str) -> Path:
    """A copy of the demo's sources under ``root`` whose ``site.toml`` names ``theme``."""
    shutil.copytree(DEMO / "content", root / "content")
    config = (DEMO / "site.toml").read_text(encoding="utf-8")
    assert "\ntheme =" not in config
    (root / "site.toml").write_text(f'theme = "{theme}"\n' + config, encoding="utf-8")
    return root


def read(out: Path, rel: str) -> str:
    """The text of one built file."""
    return (out / rel).read_text(encoding="utf-8")


def messages(report: BuildReport) -> list[str]:
    """Every problem as printed: ``path:line: message (hint)``."""
    return [str(p) for p in report.problems]
