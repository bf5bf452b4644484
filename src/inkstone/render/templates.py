"""The Jinja environment: a theme's templates, overridable file by file from the site's own
``templates/`` folder. Template errors are reported with the template's file and line."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from typing import Any

import jinja2

from inkstone.cache import fingerprint
from inkstone.errors import SourceError

THEMES_DIR = Path(__file__).resolve().parent.parent / "themes"
SHARED_TEMPLATES = THEMES_DIR / "_shared" / "templates"
"""Partials every theme may include (e.g. ``_mermaid.html``), found after the theme's own."""


def theme_dir(site_dir: Path, theme: str) -> Path:
    """The folder of theme ``theme``: a built-in name or a folder relative to the site."""
    builtin = THEMES_DIR / theme
    if builtin.is_dir() and not theme.startswith("_"):
        return builtin
    local = (site_dir / theme).resolve()
    if (local / "templates").is_dir():
        return local
    names = ", ".join(
        sorted(p.name for p in THEMES_DIR.iterdir() if p.is_dir() and not p.name.startswith("_"))
    )
    raise SourceError(
        f"unknown theme `{theme}`",
        Path("site.toml"),
        hint=f"built-in themes: {names}; or give a folder holding templates/",
    )


class Templates:
    """Renders named templates, turning Jinja's errors into positioned ones."""

    def __init__(self, site_dir: Path, theme: Path) -> None:
        self.search_path = [site_dir / "templates", theme / "templates", SHARED_TEMPLATES]
        self.site_dir = site_dir
        self._fingerprint = ""
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in self.search_path]),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def fingerprint(self) -> str:
        """A hash of every template file that can be used (site overrides, theme, shared)."""
        if not self._fingerprint:
            self._fingerprint = self._read_fingerprint()
        return self._fingerprint

    def is_current(self) -> bool:
        """Whether no template file changed since this environment was made."""
        return self._read_fingerprint() == self.fingerprint()

    def _read_fingerprint(self) -> str:
        parts = []
        for folder in self.search_path:
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if path.is_file():
                    parts.append((str(path.relative_to(folder)), path.read_bytes()))
        return fingerprint(*parts)

    def render(self, name: str, context: dict[str, Any]) -> str:
        """Render template ``name``; raises :class:`SourceError` naming the template and line."""
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateSyntaxError as exc:
            raise SourceError(
                f"template syntax error: {exc.message}",
                self._display(exc.filename or name),
                exc.lineno,
            ) from exc
        except jinja2.TemplateNotFound as exc:
            raise SourceError(f"template `{exc.name}` not found", Path(name)) from exc
        except Exception as exc:
            filename, line = _template_frame(exc)
            raise SourceError(
                f"template error: {type(exc).__name__}: {exc}",
                self._display(filename or name),
                line,
            ) from exc

    def _display(self, filename: str) -> Path:
        path = Path(filename)
        for base in (self.site_dir, THEMES_DIR.parent):
            try:
                return path.resolve().relative_to(base.resolve())
            except ValueError:
                continue
        return path


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost traceback frame that is a template (Jinja rewrites them to template lines)."""
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(sys.exc_info()[2] or exc.__traceback__):
        if frame.filename.endswith((".html", ".xml", ".jinja", ".j2")):
            found = (frame.filename, frame.lineno)
    return found
