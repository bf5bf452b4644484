"""The Jinja environment: a theme's templates, overridable file by file from the site's own
``templates/`` folder, and the words they show (:class:`Labels`). Template errors are
reported with the template's file and line."""

from __future__ import annotations

import sys
import tomllib
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from markupsafe import Markup, escape

from inkstone.cache import fingerprint
from inkstone.errors import SourceError, toml_error

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


class Labels:
    """The words a theme shows (navigation, dates, "5 min read"), in the site's language, as
    Hugo themes keep them: ``i18n/<language>.toml`` in the theme, each key overridable by
    the site's own ``i18n/`` folder. The language's file is the first found of the full tag
    (``zh-tw.toml``), its first part (``zh.toml``) and ``en.toml``; a key it lacks comes from
    ``en.toml``. Templates call the global ``i18n("key")``, or ``i18n("key", n)`` for a label
    holding ``{n}``: a Python function, which costs a tenth of a Jinja macro's call. Called
    without ``n``, a label keeps its ``{n}``, for a script to fill in the page (the search
    box's "{n} results")."""

    def __init__(
        self, folders: list[Path], language: str, show: Callable[[str | Path], Path]
    ) -> None:
        self.folders = folders
        """Theme's first, the site's last (its keys win)."""
        self.show = show
        """How a file is named in messages."""
        tag = language.lower().replace("_", "-")
        wanted = [tag, tag.split("-")[0]] if tag else []
        self.words: dict[str, str] = {}
        for names in (["en"], wanted):
            for folder in folders:
                found = next(
                    (folder / f"{n}.toml" for n in names if (folder / f"{n}.toml").is_file()), None
                )
                if found is not None:
                    self.words.update(_read_labels(found, show(found)))

    def __call__(self, key: str, n: object = None) -> str:
        """The label ``key`` with ``n`` in place of ``{n}``; as it is when ``n`` is None."""
        try:
            text = self.words[key]
        except KeyError:
            site_file = self.show(self.folders[-1] / "en.toml")
            raise jinja2.UndefinedError(
                f"no label `{key}` in the theme's i18n/ files: add it to {site_file.as_posix()}"
            ) from None
        if n is None:
            return text
        if isinstance(n, Markup):
            return escape(text).replace("{n}", n)
        return text.replace("{n}", str(n))


def _read_labels(path: Path, shown: Path) -> dict[str, str]:
    """One ``i18n/*.toml`` file (named ``shown`` in messages): top-level keys and strings."""
    try:
        text = path.read_text(encoding="utf-8")
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason, line, col = toml_error(str(exc), text)
        raise SourceError(f"invalid TOML: {reason}", shown, line, col) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"cannot read labels: {exc}", shown) from exc
    bad = [key for key, value in table.items() if not isinstance(value, str)]
    if bad:
        raise SourceError(
            f"label `{bad[0]}` is not a string", shown, hint='write each label as key = "text"'
        )
    return dict(table)


class Pieces:
    """Parts of pages rendered once per build and reused wherever they recur, as Hugo's
    ``partialCached``: a template writes ``{% call cached("entry", hx, post.url) %}…{%
    endcall %}``, and the block's body is rendered the first time the build meets that key
    (the call's arguments); every later call with the same key gives the same HTML without
    rendering it. The key must name all the body depends on but the site itself (the same
    for every page of a build): a list's entry for a post is keyed by the post, a sidebar by
    nothing or by what its caller passes it. Each build starts with no pieces, so an edit
    to a post changes its entries on the next build.

    A post appears on many lists (home, its categories, each of its tags): keying its entry
    renders it once per heading level instead of once per list. With the sidebar and the
    footer also keyed, a 1,000-post site's list pages take 1.3 ms each instead of 2.5, its
    post pages 0.9 ms instead of 1.4."""

    def __init__(self) -> None:
        self._made: dict[tuple[object, ...], Markup] = {}

    def __call__(self, *key: object, caller: Callable[[], str]) -> Markup:
        """The body (``caller``) rendered once for ``key``."""
        piece = self._made.get(key)
        if piece is None:
            piece = self._made[key] = Markup(caller())
        return piece


BODY_MARK = Markup("\0inkstone:body\0")
"""What a post's view holds as its ``content`` while its page is rendered, when the
templates print ``content`` only whole (:meth:`Templates.prints_content_whole`): the page
writer then puts the body's UTF-8 where the mark is, in the page's bytes. Passing a 100 KB
body through Jinja costs three copies of it (``safe`` makes one, printing a ``Markup``
another, char by char: 0.2 ms) and encoding it again (0.2 ms): a third of a post page's
time. No page holds a NUL character (markdown-it writes none, Jinja templates are text)."""

_WRAPPING = (
    jinja2.nodes.Macro,
    jinja2.nodes.CallBlock,
    jinja2.nodes.FilterBlock,
    jinja2.nodes.AssignBlock,
)
"""Template nodes whose output a template may change before it is printed, or not print."""


def _prints_content_whole(tree: jinja2.nodes.Template) -> bool:
    """Whether the template ``tree`` uses ``X.content`` (or ``X["content"]``) only by
    printing it as it is (``{{ X.content | safe }}``: printed without ``safe``, a body is
    escaped), outside every macro, ``call``, ``filter`` and ``set`` block; and whether it
    includes templates, calls ``super()``/``self.block()`` and places its blocks only in
    the same way (what they print, it prints)."""

    def printed(path: list[jinja2.nodes.Node], safe: bool = True) -> bool:
        """Whether ``path[-1]`` is printed as it is: marked ``safe`` (``safe=False``: or not)."""
        parent = path[-2]
        if (
            isinstance(parent, jinja2.nodes.Filter)
            and parent.name == "safe"
            and parent.node is path[-1]
        ):
            parent = path[-3]
        elif safe:
            return False
        return isinstance(parent, jinja2.nodes.Output) and not any(
            isinstance(node, _WRAPPING) for node in path[:-1]
        )

    def fine(path: list[jinja2.nodes.Node]) -> bool:
        node = path[-1]
        if isinstance(node, jinja2.nodes.Getattr) and node.attr == "content":
            if not printed(path):
                return False
        elif isinstance(node, jinja2.nodes.Getitem):
            if isinstance(node.arg, jinja2.nodes.Const) and node.arg.value == "content":
                if not printed(path):
                    return False
                path = [*path, node.node]  # not the key itself
                return fine(path)
        elif isinstance(node, jinja2.nodes.Const) and node.value == "content":
            return False  # attr("content"), map(attribute="content")…
        elif isinstance(node, jinja2.nodes.Include | jinja2.nodes.Block):
            if any(isinstance(n, _WRAPPING) for n in path[:-1]):
                return False  # what it prints (another template's) may be changed here
        elif isinstance(node, jinja2.nodes.Call):
            target = node.node
            block_call = (isinstance(target, jinja2.nodes.Name) and target.name == "super") or (
                isinstance(target, jinja2.nodes.Getattr)
                and isinstance(target.node, jinja2.nodes.Name)
                and target.node.name == "self"
            )
            if block_call and not printed(path, safe=False):
                return False
        return all(fine([*path, child]) for child in node.iter_child_nodes())

    return fine([tree])


def _uncached(*key: object, caller: Callable[[], str]) -> Markup:
    """``cached`` outside a build's pages (a template rendered on its own): no reuse."""
    return Markup(caller())


class Templates:
    """Renders named templates, turning Jinja's errors into positioned ones."""

    def __init__(self, site_dir: Path, theme: Path, language: str = "en") -> None:
        self.search_path = [site_dir / "templates", theme / "templates", SHARED_TEMPLATES]
        self.label_folders = [theme / "i18n", site_dir / "i18n"]
        self.site_dir = site_dir
        self._fingerprint = ""
        self._whole_content: dict[str, bool] = {}
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p) for p in self.search_path]),
            autoescape=jinja2.select_autoescape(["html", "xml"]),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # no file checks on each use (a few per page): a changed template file makes a
            # new Templates (see is_current)
            auto_reload=False,
        )
        self.language = language
        self.env.globals["i18n"] = Labels(self.label_folders, language, self._display)
        self.env.globals["cached"] = _uncached  # a build's pages get their Pieces
        self.env.globals["has_template"] = self.has_template
        self._exists: dict[str, bool] = {}

    def use_language(self, language: str) -> None:
        """Show the theme's words in ``language`` from now on (a site whose language is
        known once its pages are read). Raises :class:`SourceError` for a broken label
        file."""
        if language != self.language:
            self.env.globals["i18n"] = Labels(self.label_folders, language, self._display)
            self.language = language

    def has_template(self, name: str) -> bool:
        """Whether the site or its theme has template ``name`` (a hook such as
        ``comments.html``, which the built-in themes show only when the site writes it)."""
        known = self._exists.get(name)
        if known is None:
            try:
                self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
                known = True
            except jinja2.TemplateNotFound:
                known = False
            self._exists[name] = known
        return known

    def fingerprint(self) -> str:
        """A hash of every template file that can be used (site overrides, theme, shared) and
        of the labels' files."""
        if not self._fingerprint:
            self._fingerprint = self._read_fingerprint()
        return self._fingerprint

    def is_current(self) -> bool:
        """Whether no template file changed since this environment was made."""
        return self._read_fingerprint() == self.fingerprint()

    def _read_fingerprint(self) -> str:
        parts = []
        for number, folder in enumerate([*self.search_path, *self.label_folders]):
            for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
                if path.is_file():
                    parts.append((number, str(path.relative_to(folder)), path.read_bytes()))
        return fingerprint(*parts)

    def prints_content_whole(self, name: str) -> bool:
        """Whether template ``name``, with every template it extends, includes or imports,
        prints a view's ``content`` only whole (:data:`BODY_MARK`): never filters, tests,
        slices or stores it, in no macro or block whose output it may change. A template
        named by a variable, or one that cannot be parsed, makes it False; one that does not
        exist prints nothing (a hook such as ``comments.html`` the site has not written,
        included only if :meth:`has_template`; any other fails the render anyway)."""
        known = self._whole_content.get(name)
        if known is None:
            known = self._whole_content[name] = self._check_content_whole(name, set())
        return known

    def _check_content_whole(self, name: str, seen: set[str]) -> bool:
        if name in seen:
            return True
        seen.add(name)
        try:
            source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
            tree = self.env.parse(source, name)
        except jinja2.TemplateNotFound:
            return True
        except jinja2.TemplateError:
            return False
        if not _prints_content_whole(tree):
            return False
        for used in jinja2.meta.find_referenced_templates(tree):
            if used is None or not self._check_content_whole(used, seen):
                return False
        return True

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

    def _display(self, filename: str | Path) -> Path:
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
