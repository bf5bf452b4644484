"""Jupyter notebooks as pages: a notebook becomes front matter and a Markdown body.

The body goes through the same Markdown stage as any post, so math, links and code
highlighting behave the same. Markdown cells are copied verbatim (``attachment:x.png``
images become data URIs); code cells become fenced code in the kernel's language; outputs
become raw HTML blocks, each on a single line (markdown-it ends an HTML block at a blank
line, so newlines inside ``<pre>`` are written as ``&#10;``):

- ``stream`` → ``<pre class="nb-output nb-stream">`` (``nb-stderr`` for stderr);
- ``execute_result``/``display_data`` → the richest safe type, in nbconvert's order:
  ``text/html`` (sanitised with nh3: tables kept, scripts, styles and event attributes
  dropped), ``text/latex`` and ``text/markdown`` (Markdown, typeset like the cells),
  ``image/svg+xml``, ``image/png``, ``image/jpeg`` (embedded as data URIs, with the size
  Pillow reads from the bytes), ``text/plain``;
- ``error`` → the traceback with its ANSI colour codes removed, ``nb-error``.

Front matter, later sources winning: the notebook's top-level metadata keys listed in
:data:`NOTEBOOK_KEYS`, then the ``metadata.inkstone`` mapping, then a first raw cell holding
``---`` YAML front matter (as Jupytext and Quarto write it). Without a title, the first
Markdown cell's leading ``#`` heading is the title and is not repeated in the body.

Cell tags follow Jupyter Book: ``remove-cell``, ``remove-input``, ``remove-output``,
``hide-input``, ``hide-output``, ``hide-cell`` (hidden = folded in a ``<details>``);
JupyterLab's ``metadata.jupyter.source_hidden``/``outputs_hidden`` hide too.

Positions: each Markdown cell is placed in the body on the line its source has in the
notebook's JSON (blank lines make up the difference), so a problem found while rendering
(a KaTeX error) names the notebook's own ``file:line``.
"""

from __future__ import annotations

import base64
import binascii
import html
import io
import json
import re
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nh3

from inkstone.content.frontmatter import FrontMatter, split_front_matter
from inkstone.content.language import page_language, text_language
from inkstone.errors import Problem, Severity, SourceError

NOTEBOOK_KEYS = (
    "title",
    "date",
    "updated",
    "tags",
    "categories",
    "summary",
    "slug",
    "draft",
    "lang",
    "authors",
    "series",
    "pinned",
)
"""Top-level notebook metadata keys read as front matter (Jupyter itself writes ``title``
and ``authors``); anything else goes under ``metadata.inkstone``."""
MIME_ORDER = (
    "text/html",
    "text/latex",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/markdown",
    "text/plain",
)
"""Which representation of a rich output is shown: the first one present (nbconvert's
order for HTML)."""
HTML_TAGS = (set(nh3.ALLOWED_TAGS) | {"tfoot"}) - {"img"}
"""Tags kept in ``text/html`` outputs: nh3's defaults (tables included) and ``tfoot``; images
are left out, since an output's own images would be requests to other sites."""
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")
_ATX_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1 = re.compile(r"^ {0,3}=+[ \t]*$")
_ONE_FORMULA = re.compile(r"\$\$(.*)\$\$|\$(.*)\$|\\\[(.*)\\\]", re.DOTALL)
_ATTACHMENT = re.compile(r"attachment:([^\s)\"'>]+)")
_JSON_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]')
_LABELS = {
    "en": {"input": "Show code", "output": "Show output", "cell": "Show cell", "img": "Output"},
    "zh": {"input": "显示代码", "output": "显示输出", "cell": "显示单元格", "img": "输出图像"},
}
FIX_HINT = "open and save it in Jupyter, or check it with `jupyter nbconvert --to notebook`"


@dataclass
class NotebookPage:
    """A notebook read as a page."""

    front: FrontMatter
    """Its front matter and its Markdown body (which starts on line 1 of the file)."""
    text_language: str | None
    """The language of its Markdown cells (:func:`~inkstone.content.language.text_language`)."""
    problems: list[Problem] = field(default_factory=list)
    """Warnings noticed while converting (an image that cannot be read…)."""


def read_notebook(text: str, path: Path, site_language: str) -> NotebookPage:
    """Convert a notebook's JSON ``text`` (read from ``path``) into a page's front matter and
    Markdown body; called while loading. Raises :class:`SourceError` for a file that is not
    a notebook. The "Show code" labels are in the page's language
    (:func:`~inkstone.content.language.page_language`: its ``lang``, that of its Markdown
    cells, or ``site_language``)."""
    text = text.removeprefix("\ufeff")
    nb = _parse(text, path)
    lines = _source_lines(text)
    if len(lines) != len(nb.cells):  # not nbformat 4 on disk (converted): no positions
        lines = [[] for _ in nb.cells]
    converter = _Converter(path, nb, lines)
    meta = converter.front_matter()
    prose = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    found = text_language(prose)
    lang = page_language(str(meta.get("lang") or "") or None, found, site_language).lower()
    converter.labels = _LABELS["zh" if lang.startswith("zh") else "en"]
    if not meta.get("title"):
        title = converter.take_title()
        if title:
            meta["title"] = title
    body = converter.body()
    return NotebookPage(FrontMatter(meta, body, 1), found, converter.problems)


def _parse(text: str, path: Path) -> Any:
    """The notebook as nbformat 4; what ``nbformat.reads(text, as_version=4)`` does, with
    its validation errors raised instead of logged."""
    import nbformat
    from nbformat.reader import NotJSONError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # nbformat's MissingIDFieldWarning
            raw = nbformat.reader.reads(text)
            nb = nbformat.convert(raw, 4)
            nbformat.validate(nb)
    except NotJSONError as exc:
        raise _json_error(text, path) from exc
    except nbformat.ValidationError as exc:
        where = "/".join(str(part) for part in exc.absolute_path)
        cell_line = _validation_line(text, list(exc.absolute_path))
        raise SourceError(
            f"not a valid Jupyter notebook: {exc.message}" + (f" (at `{where}`)" if where else ""),
            path,
            cell_line,
            hint=FIX_HINT,
        ) from exc
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        raise SourceError(
            "not a Jupyter notebook: the JSON has no notebook's `cells` and `metadata`",
            path,
            hint=FIX_HINT,
        ) from exc
    return nb


def _json_error(text: str, path: Path) -> SourceError:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return SourceError(
            f"notebook is not valid JSON: {exc.msg}",
            path,
            exc.lineno,
            exc.colno,
            hint="a notebook is JSON: look for a missing comma or quote, or re-save it in Jupyter",
        )
    return SourceError("notebook is not valid JSON", path, hint=FIX_HINT)


def _validation_line(text: str, where: list[Any]) -> int | None:
    if len(where) >= 2 and where[0] == "cells" and isinstance(where[1], int):
        lines = _source_lines(text)
        if where[1] < len(lines) and lines[where[1]]:
            return lines[where[1]][0]
    return None


def _source_lines(text: str) -> list[list[int]]:
    """For each cell of a notebook's JSON, the 1-based line of each string of its
    ``source`` (one string per line, as Jupyter writes it). A small scan of JSON tokens:
    strings hold no raw newline, so counting newlines between tokens counts lines."""
    cells: list[list[int]] = []
    stack: list[list[Any]] = []  # frames: ["{", key, expecting_key] or ["[", index]
    line, last = 1, 0
    for match in _JSON_TOKEN.finditer(text):
        token = match.group()
        line += text.count("\n", last, match.start())
        last = match.start()
        top = stack[-1] if stack else None
        if token == ":":
            continue
        if token == ",":
            if top is not None and top[0] == "{":
                top[2] = True
            elif top is not None:
                top[1] += 1
            continue
        if token in "}]":
            if stack:
                stack.pop()
            continue
        if top is not None and top[0] == "{" and top[2] and token.startswith('"'):
            top[1], top[2] = json.loads(token), False
            continue
        path = [frame[1] for frame in stack]
        if token.startswith('"'):
            in_source = path[:1] == ["cells"] and len(path) in (3, 4) and path[2] == "source"
            if in_source and path[1] < len(cells):
                cells[path[1]].append(line)
        elif token == "{":
            if len(path) == 2 and path[0] == "cells":
                cells.append([])
            stack.append(["{", None, True])
        else:
            stack.append(["[", 0])
    return cells


class _Converter:
    """Builds the Markdown body of one notebook, cell by cell."""

    def __init__(self, path: Path, nb: Any, lines: list[list[int]]) -> None:
        self.path = path
        self.nb = nb
        self.lines = lines
        """Per cell, the file line of each source line (empty when unknown)."""
        self.out: list[str] = []
        """The body so far, one entry per line."""
        self.problems: list[Problem] = []
        self.labels = _LABELS["en"]
        self.skipped: set[int] = set()
        """Cells already used up (front matter raw cell)."""
        self.sources: dict[int, str] = {}
        """Cell sources as changed before writing (the title heading blanked)."""
        meta = nb.metadata
        kernel = meta.get("kernelspec", {}).get("language") or meta.get("language_info", {}).get(
            "name"
        )
        self.language = str(kernel or "").strip().lower()

    def front_matter(self) -> dict[str, Any]:
        """Front matter merged from the notebook metadata, ``metadata.inkstone`` and a
        leading raw cell of YAML."""
        meta: dict[str, Any] = {}
        top = self.nb.metadata
        for key in NOTEBOOK_KEYS:
            if key in top and top[key] not in (None, ""):
                meta[key] = _plain_data(top[key])
        own = top.get("inkstone")
        if isinstance(own, Mapping):
            meta.update({str(k): _plain_data(v) for k, v in own.items()})
        elif own is not None:
            self._warn(
                None,
                "`metadata.inkstone` must be a mapping of front matter keys; ignored",
                'write e.g. "inkstone": {"title": "…", "tags": ["…"]}',
            )
        first = next((i for i, c in enumerate(self.nb.cells) if c.source.strip()), None)
        if first is not None and self.nb.cells[first].cell_type == "raw":
            source = self.nb.cells[first].source
            raw = source.lstrip("\n")
            if raw.startswith(("---", "+++")):
                meta.update(self._raw_front_matter(first, raw, len(source) - len(raw)))
                self.skipped.add(first)
        return meta

    def _raw_front_matter(self, index: int, raw: str, shift: int) -> dict[str, Any]:
        try:
            return split_front_matter(raw, self.path).data
        except SourceError as exc:
            problem = exc.problem
            raise SourceError(
                problem.message + f" (in the front matter of cell {index + 1})",
                self.path,
                self._file_line(index, (problem.line or 1) - 1 + shift),
                hint=problem.hint,
            ) from exc

    def take_title(self) -> str | None:
        """The first Markdown cell's leading ``#`` heading, removed from that cell."""
        for index, cell in enumerate(self.nb.cells):
            if cell.cell_type != "markdown" or self._removed(index):
                continue
            lines = cell.source.split("\n")
            first = next((i for i, line in enumerate(lines) if line.strip()), None)
            if first is None:
                continue
            match = _ATX_H1.match(lines[first])
            if match:
                title = match.group(1).strip()
                lines[first] = ""
            elif first + 1 < len(lines) and _SETEXT_H1.match(lines[first + 1]):
                title = lines[first].strip()
                lines[first] = lines[first + 1] = ""
            else:
                return None
            self.sources[index] = "\n".join(lines)
            return title
        return None

    def body(self) -> str:
        """The whole Markdown body."""
        for index, cell in enumerate(self.nb.cells):
            if index in self.skipped or self._removed(index):
                continue
            if cell.cell_type == "markdown":
                self._markdown_cell(index, cell)
            elif cell.cell_type == "code":
                self._code_cell(index, cell)
            # raw cells are meant for other nbconvert formats: not shown
        return "\n".join(self.out).rstrip("\n") + "\n"

    def _removed(self, index: int) -> bool:
        return "remove-cell" in _tags(self.nb.cells[index])

    def _markdown_cell(self, index: int, cell: Any) -> None:
        source = self.sources.get(index, cell.source)
        source = self._attachments(index, source, cell.get("attachments") or {})
        if not source.strip():
            return
        cell_lines = self.lines[index]
        if cell_lines:
            self.out.extend([""] * (cell_lines[0] - 1 - len(self.out)))
        self._block(source)

    def _attachments(self, index: int, source: str, attachments: Mapping[str, Any]) -> str:
        def data_uri(match: re.Match[str]) -> str:
            name = match.group(1)
            bundle = attachments.get(name)
            mime = next((m for m in bundle or {} if m.startswith("image/")), None)
            if bundle is None or mime is None:
                self._warn(
                    index,
                    f"attachment `{name}` is not in the cell's attachments",
                    "paste the image into the cell again in Jupyter",
                )
                return match.group()
            data = bundle[mime]
            if mime == "image/svg+xml":
                data = base64.b64encode(_text(data).encode()).decode()
            return f"data:{mime};base64,{_text(data).replace(chr(10), '')}"

        return _ATTACHMENT.sub(data_uri, source) if "attachment:" in source else source

    def _code_cell(self, index: int, cell: Any) -> None:
        tags = _tags(cell)
        hidden = cell.metadata.get("jupyter", {})
        code = cell.source.rstrip("\n")
        show_input = bool(code.strip()) and "remove-input" not in tags
        outputs = [] if "remove-output" in tags else list(self._outputs(index, cell.outputs))
        if not show_input and not outputs:
            return
        whole = "hide-cell" in tags
        if whole:
            self._open_details("cell")
        if show_input:
            fold = not whole and ("hide-input" in tags or hidden.get("source_hidden") is True)
            if fold:
                self._open_details("input")
            fence = "`" * max(3, _longest_run(code, "`") + 1)
            self._block(f"{fence}{self.language}\n{code}\n{fence}")
            if fold:
                self._close_details()
        if outputs:
            fold = not whole and ("hide-output" in tags or hidden.get("outputs_hidden") is True)
            if fold:
                self._open_details("output")
            for output in outputs:
                self._block(output)
            if fold:
                self._close_details()
        if whole:
            self._close_details()

    def _open_details(self, what: str) -> None:
        """A folded part. The ``<details>`` opens on the line of its ``<div>``, so the whole
        opening is one raw HTML block: it stays as written, and excerpts leave its label out."""
        label = html.escape(self.labels[what])
        self._block(f'<div class="nb-hidden nb-hidden-{what}"><details><summary>{label}</summary>')

    def _close_details(self) -> None:
        self._block("</details></div>")

    def _block(self, text: str) -> None:
        self.out.extend(text.split("\n"))
        self.out.append("")

    def _outputs(self, index: int, outputs: list[Any]) -> Iterator[str]:
        """Each output as one Markdown block (most are a single line of HTML)."""
        pending: tuple[str, list[str]] | None = None  # a stream, merged with the next ones
        for output in outputs:
            kind = output.get("output_type")
            if kind == "stream":
                name = str(output.get("name", "stdout"))
                if pending is not None and pending[0] == name:
                    pending[1].append(_text(output.get("text", "")))
                    continue
                if pending is not None:
                    yield _stream(*pending)
                pending = (name, [_text(output.get("text", ""))])
                continue
            if pending is not None:
                yield _stream(*pending)
                pending = None
            if kind in ("execute_result", "display_data"):
                shown = self._rich(index, output.get("data", {}), output.get("metadata", {}))
                if shown:
                    yield shown
            elif kind == "error":
                trace = "\n".join(_text(line) for line in output.get("traceback", []))
                trace = trace or f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
                yield _pre("nb-output nb-error", _clean_text(trace))
        if pending is not None:
            yield _stream(*pending)

    def _rich(self, index: int, data: Mapping[str, Any], meta: Mapping[str, Any]) -> str | None:
        for mime in MIME_ORDER:
            if mime not in data:
                continue
            value = _text(data[mime])
            if mime == "text/html":
                cleaned = _sanitise(value)
                if cleaned.strip():
                    return f'<div class="nb-output nb-html">{cleaned}</div>'
            elif mime == "text/latex":
                return f'<div class="nb-output nb-latex">\n\n{_display_math(value)}\n\n</div>'
            elif mime == "text/markdown":
                return f'<div class="nb-output nb-markdown">\n\n{value.strip()}\n\n</div>'
            elif mime == "image/svg+xml":
                encoded = base64.b64encode(value.encode()).decode()
                return self._img(mime, encoded, None)
            elif mime in ("image/png", "image/jpeg"):
                size = self._image_size(index, mime, value, meta.get(mime))
                if size is not None:
                    return self._img(mime, value.replace("\n", ""), size)
            elif mime == "text/plain":
                return _pre("nb-output nb-text", _clean_text(value))
        return None

    def _img(self, mime: str, encoded: str, size: tuple[int, int] | None) -> str:
        dims = f' width="{size[0]}" height="{size[1]}"' if size else ""
        alt = html.escape(self.labels["img"])
        return (
            f'<div class="nb-output nb-image"><img src="data:{mime};base64,{encoded}"'
            f'{dims} alt="{alt}" loading="lazy"></div>'
        )

    def _image_size(
        self, index: int, mime: str, encoded: str, meta: object
    ) -> tuple[int, int] | None:
        """The size to show an image at: Jupyter's ``width``/``height`` metadata, else the
        pixels Pillow reads. None (with a warning) when the bytes are not that image."""
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(base64.b64decode(encoded, validate=False))) as image:
                width, height = image.size
        except (binascii.Error, UnidentifiedImageError, OSError, ValueError):
            self._warn(
                index,
                f"output {mime} of this cell is not a readable image; shown as text",
                "run the cell again and save the notebook",
            )
            return None
        if isinstance(meta, Mapping) and isinstance(meta.get("width"), int | float):
            shown = float(meta["width"])
            given = meta.get("height")
            tall = float(given) if isinstance(given, int | float) else height * shown / width
            return round(shown), round(tall)
        return width, height

    def _file_line(self, index: int, offset: int) -> int | None:
        lines = self.lines[index]
        if not lines:
            return None
        return lines[min(offset, len(lines) - 1)]

    def _warn(self, index: int | None, message: str, hint: str) -> None:
        line = self._file_line(index, 0) if index is not None else None
        where = f"cell {index + 1}: " if index is not None else ""
        self.problems.append(
            Problem(Severity.WARNING, where + message, self.path, line, None, hint)
        )


def _tags(cell: Any) -> set[str]:
    tags = cell.metadata.get("tags", [])
    return {str(tag) for tag in tags} if isinstance(tags, list) else set()


def _text(value: object) -> str:
    """A multi-line string as nbformat may store it (a string or a list of lines)."""
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _plain_data(value: Any) -> Any:
    """nbformat's attribute dictionaries as plain ``dict`` (templates compare types)."""
    if isinstance(value, Mapping):
        return {str(k): _plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    return value


def _display_math(latex: str) -> str:
    """A ``text/latex`` output that is one formula (``$…$``, ``$$…$$``, ``\\[…\\]``, as
    SymPy writes them) as a display formula block; anything else as Markdown."""
    text = latex.strip()
    match = _ONE_FORMULA.fullmatch(text)
    if match is None:
        return text
    tex = next(group for group in match.groups() if group is not None)
    if not tex.strip() or any(mark in tex for mark in ("$", "\\[", "\\]")):
        return text
    return "$$\n" + re.sub(r"\n\s*\n", "\n", tex.strip()) + "\n$$"


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(re.escape(char) + "+", text)
    return max((len(run) for run in runs), default=0)


def _clean_text(text: str) -> str:
    """Terminal text as a reader sees it: ANSI colour codes gone, ``\\r`` overwrites."""
    text = _ANSI.sub("", text.replace("\r\n", "\n"))
    lines = []
    for line in text.split("\n"):
        parts = [part for part in line.split("\r") if part]
        lines.append(parts[-1] if parts else "")
    return "\n".join(lines).rstrip("\n")


def _stream(name: str, texts: list[str]) -> str:
    kind = " nb-stderr" if name == "stderr" else ""
    return _pre(f"nb-output nb-stream{kind}", _clean_text("".join(texts)))


def _pre(css_class: str, text: str) -> str:
    """One line of HTML: ``text`` escaped, its newlines as ``&#10;``; the Tab key reaches
    it, to scroll a line wider than the column."""
    escaped = html.escape(text).replace(chr(10), "&#10;")
    return f'<pre class="{css_class}" tabindex="0">{escaped}</pre>'


def _sanitise(markup: str) -> str:
    """A ``text/html`` output made safe, on one line (its newlines as character references;
    nh3 writes no newline inside a tag). An empty header cell, as pandas writes above a
    DataFrame's index, is a ``<td>``: a screen reader announces no nameless column."""
    cleaned = nh3.clean(markup, tags=HTML_TAGS).replace("<th></th>", "<td></td>")
    return cleaned.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "&#10;")
