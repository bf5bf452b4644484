"""Hugo and Jekyll: front matter (YAML or TOML), page bundles, and the shortcodes and Liquid
tags that have a Markdown equivalent.

- Hugo: ``{{< figure >}}`` a figure, ``{{< highlight >}}`` a fenced block, ``{{< ref >}}``
  and ``{{< relref >}}`` links to the imported posts, notice/admonition/hint shortcodes
  alerts, ``{{< details >}}`` a ``<details>``, ``{{< katex >}}``/``{{< math >}}`` a ``$$``
  block, ``{{< youtube >}}`` a bookmark card.
- Jekyll: ``{% highlight %}``, ``{% raw %}``, image includes, ``{% post_url %}`` and
  ``{% link %}``, ``{{ site.baseurl }}``; kramdown's inline ``$$x$$`` becomes ``$x$``.
- Both: math wrapped in backticks (`` `$x$` ``, a blogdown habit) becomes math.

Anything else in ``{{< >}}`` or ``{% %}`` is left in place and reported.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from inkstone.content.dates import FILE_NAME_DATE
from inkstone.host_site import blog_base_url
from inkstone.importers.assets import Bundle
from inkstone.importers.common import (
    clean_date,
    mtime_date,
    quote_lines,
    read_markdown,
    string_list,
    unique_folder,
)
from inkstone.importers.formulas import find_formulas
from inkstone.importers.links import bundle_link, rewrite_links
from inkstone.importers.model import ImportBatch, ImportedPost
from inkstone.importers.permalinks import hugo_address, jekyll_address
from inkstone.importers.tags import TagConverter
from inkstone.importers.text import map_outside_code
from inkstone.markup.plugins.generator_tags import named_args, split_args

_BACKTICK_MATH = re.compile(r"(?<!`)`(\$\$?)([^`\n]+?)\1`(?!`)")
_PAIRED = ("highlight", "notice", "admonition", "hint", "details", "katex", "math", "callout")
_SHORTCODE = re.compile(
    r"\{\{([<%])\s*(?P<pname>" + "|".join(_PAIRED) + r")\b(?P<pargs>.*?)\s*[>%]\}\}"
    r"(?P<content>.*?)\{\{[<%]\s*/(?P=pname)\s*[>%]\}\}"
    r"|\{\{([<%])\s*(?P<name>[\w/.-]+)(?P<args>.*?)\s*[>%]\}\}",
    re.DOTALL,
)
_LIQUID = re.compile(
    r"\{%-?\s*(?P<bname>highlight|raw)\b(?P<bargs>.*?)-?%\}(?P<content>.*?)"
    r"\{%-?\s*end(?P=bname)\s*-?%\}"
    r"|\{%-?\s*(?P<name>\w+)(?P<args>.*?)-?%\}"
    r"|\{\{-?\s*(?P<var>[^}]*?)\s*-?\}\}",
    re.DOTALL,
)
ALERTS = {
    "note": "NOTE",
    "info": "NOTE",
    "abstract": "NOTE",
    "tip": "TIP",
    "success": "TIP",
    "important": "IMPORTANT",
    "warning": "WARNING",
    "caution": "CAUTION",
    "danger": "CAUTION",
    "error": "CAUTION",
}
_DROPPED = {"layout", "math", "katex", "mathjax", "markup", "published", "permalink", "url"}


OldAddress = Callable[[dict[str, Any], object, Path], str | None]
"""``(front matter, date, source path)`` → the address the generator gave the post by the
site's permalink pattern; None when the pattern gives none."""


def import_hugo(source: Path) -> ImportBatch:
    """Read a Hugo site (or its ``content/`` folder) into posts."""
    batch = ImportBatch(root=source)
    content = source / "content" if (source / "content").is_dir() else source
    files = sorted(p for p in content.rglob("*.md") if p.name != "_index.md")
    config = _hugo_config(batch, source)
    batch.site = _hugo_site(config)
    roots = [source / "static", source / "assets", content]
    permalinks = hugo_permalinks(config)

    def old_address(meta: dict[str, Any], date: object, path: Path) -> str | None:
        rel = PurePosixPath(path.relative_to(content).as_posix())
        return hugo_address(permalinks, meta, date, rel)

    _import_files(batch, files, roots, _HugoShortcodes, old_address, jekyll=False)
    return batch


def import_jekyll(source: Path) -> ImportBatch:
    """Read a Jekyll site (``_posts/``, ``_drafts/``) into posts."""
    batch = ImportBatch(root=source)
    files = sorted((source / "_posts").rglob("*.md")) + sorted((source / "_drafts").rglob("*.md"))
    if not files:
        files = sorted(source.rglob("*.md"))
    config = _jekyll_config(batch, source)
    batch.site = _jekyll_site(config)
    pattern = str(config.get("permalink") or "date")
    zone = _jekyll_zone(batch, config.get("timezone"))

    def old_address(meta: dict[str, Any], date: object, path: Path) -> str | None:
        if "_drafts" in path.parts:
            return None  # a draft had no address
        rel = PurePosixPath(path.relative_to(source).as_posix())
        return jekyll_address(pattern, meta, date, rel, zone)

    _import_files(batch, files, [source], _LiquidTags, old_address, jekyll=True)
    return batch


class _Tags(TagConverter):
    """Turns one post's shortcodes or Liquid tags into Markdown."""

    def unknown(self, original: str, line: int, what: str) -> str:
        """Leave a tag with no equivalent in place, and say so."""
        self.batch.problem(
            f"{what} {original.strip()[:60]} has no inkstone equivalent; left as it is",
            self.path,
            line,
            hint="rewrite it as Markdown or HTML",
        )
        return original

    def post_link(self, name: str, original: str, line: int) -> str:
        """A link target for another post named by file name or path."""
        key = Path(name.split("#")[0]).stem
        folder = self.posts.get(key) or self.posts.get(name)
        if folder is None:
            self.batch.problem(
                f"{original.strip()} names no imported post; left as it is",
                self.path,
                line,
                hint="fix the link by hand after the import",
            )
            return original
        fragment = name.partition("#")[2]
        return bundle_link(folder, fragment)

    def figure(self, src: str, caption: str, alt: str, line: int) -> str:
        """An image with its caption (``![alt](img.png "caption")``)."""
        name = self.bundle.add(src, line) or src
        title = caption.replace('"', "'")
        return f"![{alt or caption}]({name}" + (f' "{title}"' if title else "") + ")"


class _HugoShortcodes(_Tags):
    def convert(self, text: str, first_line: int) -> str:
        def replace(match: re.Match[str]) -> str:
            line = first_line + text.count("\n", 0, match.start())
            if match["pname"]:
                return self._paired(match["pname"], match["pargs"], match["content"], line)
            return self._single(match["name"], match["args"], match[0], line)

        return _SHORTCODE.sub(replace, text)

    def _paired(self, name: str, args: str, content: str, line: int) -> str:
        named, positional = named_args(args)
        content = content.strip("\n")
        if name == "highlight":
            lang = positional[0] if positional else named.get("lang", "")
            return f"```{lang}\n{content}\n```"
        if name in {"katex", "math"}:
            return f"$$\n{content.strip()}\n$$"
        inner = self.convert(content, line + 1)
        if name == "details":
            title = named.get("title") or (positional[0] if positional else "Details")
            return f"<details><summary>{title}</summary>\n\n{inner.strip()}\n\n</details>"
        kind = named.get("type") or (positional[0] if positional else "note")
        title = named.get("title") or (" ".join(positional[1:]) if len(positional) > 1 else "")
        alert = ALERTS.get(kind.lower(), "NOTE")
        return quote_lines(inner, f"[!{alert}] {title}".rstrip())

    def _single(self, name: str, args: str, original: str, line: int) -> str:
        named, positional = named_args(args)
        if name == "figure":
            src = named.get("src", positional[0] if positional else "")
            caption = named.get("caption") or named.get("title") or ""
            return self.figure(src, caption, named.get("alt", ""), line)
        if name in {"ref", "relref"} and positional:
            return self.post_link(positional[0], original, line)
        if name == "youtube" and (positional or named.get("id")):
            return f"🔖 https://www.youtube.com/watch?v={named.get('id') or positional[0]}"
        if name == "gist" and len(positional) >= 2:
            return f"🔖 https://gist.github.com/{positional[0]}/{positional[1]}"
        return self.unknown(original, line, "shortcode")


class _LiquidTags(_Tags):
    def convert(self, text: str, first_line: int) -> str:
        def replace(match: re.Match[str]) -> str:
            line = first_line + text.count("\n", 0, match.start())
            if match["bname"] == "raw":
                return match["content"]
            if match["bname"] == "highlight":
                lang = (split_args(match["bargs"]) or [""])[0]
                return f"```{lang}\n{match['content'].strip(chr(10))}\n```"
            if match["var"] is not None:
                return self._variable(match["var"], match[0], line)
            return self._tag(match["name"], match["args"], match[0], line)

        return _LIQUID.sub(replace, text)

    def _variable(self, expression: str, original: str, line: int) -> str:
        if expression.strip() in {"site.baseurl", "site.url", "site.url }}{{ site.baseurl"}:
            return ""
        quoted = re.fullmatch(r"([\"'])(.*?)\1\s*\|\s*(relative_url|absolute_url)", expression)
        if quoted:
            return quoted[2]
        return self.unknown(original, line, "Liquid output")

    def _tag(self, name: str, args: str, original: str, line: int) -> str:
        named, positional = named_args(args)
        if name in {"post_url", "link"} and positional:
            return self.post_link(positional[0], original, line)
        if name == "include":
            src = next(
                (named[k] for k in ("url", "src", "image", "file", "path") if k in named), ""
            )
            if src:
                caption = named.get("caption") or named.get("description") or named.get("title")
                return self.figure(src, caption or "", named.get("alt", ""), line)
        return self.unknown(original, line, "Liquid tag")


def _import_files(
    batch: ImportBatch,
    files: list[Path],
    roots: list[Path],
    tags: Callable[[ImportBatch, Path, Bundle, dict[str, str]], _Tags],
    old_address: OldAddress,
    *,
    jekyll: bool,
) -> None:
    """Import ``files``; ``old_address(front matter, date, path)`` is the address the
    generator gave a post by the site's permalink pattern (an alias unless the post set its
    own)."""
    taken: set[str] = set()
    folders: dict[Path, str] = {}
    names: dict[str, str] = {}
    for path in files:
        bundle_index = path.stem == "index" and path.parent not in roots
        stem = path.parent.name if bundle_index else path.stem
        folder = unique_folder(stem, taken)
        folders[path.resolve()] = folder
        names[stem] = folder
        names[stem[11:] if FILE_NAME_DATE.match(stem + "-") else stem] = folder
    for path in files:
        read = read_markdown(batch, path)
        if read is None:
            continue
        meta, body, body_line = read
        body = map_outside_code(body, _unwrap_backtick_math)
        if jekyll:
            body = map_outside_code(body, _kramdown_inline_math)
        found = find_formulas(body, body_line)
        bundle = Bundle(batch, path, roots)
        converter = tags(batch, path, bundle, names)
        body = map_outside_code(body, converter.at(body_line))
        body = bundle.rewrite(body, body_line)
        body = rewrite_links(body, path, folders)
        front = _front(meta, path, bundle, old_address, jekyll=jekyll)
        batch.posts.append(
            ImportedPost(folders[path.resolve()], front, body, path, bundle.files, found)
        )


def _unwrap_backtick_math(text: str, _start: int) -> str:
    return _BACKTICK_MATH.sub(lambda m: f"{m[1]}{m[2]}{m[1]}", text)


def _kramdown_inline_math(text: str, _start: int) -> str:
    """kramdown reads ``$$x$$`` inside a paragraph as inline math: write it ``$x$``. A line
    holding one ``$$…$$`` and nothing else stays a display formula."""
    out = []
    for line in text.split("\n"):
        stripped = line.strip()
        if re.fullmatch(r"\$\$[^$]*\$\$", stripped) or "$$" not in stripped.strip("$"):
            out.append(line)
        else:
            out.append(re.sub(r"\$\$([^$\n]+?)\$\$", r"$\1$", line))
    return "\n".join(out)


def _items(value: object) -> list[str]:
    """A front matter value that is one string or a list of them, as a list."""
    if value is None or value == "":
        return []
    return [str(item) for item in value] if isinstance(value, list) else [str(value)]


def _front(
    meta: dict[str, Any],
    path: Path,
    bundle: Bundle,
    old_address: OldAddress,
    *,
    jekyll: bool,
) -> dict[str, Any]:
    front = {key: value for key, value in meta.items() if key not in _DROPPED}
    stem = path.parent.name if path.stem == "index" else path.stem
    if not front.get("title"):
        front["title"] = stem[11:] if FILE_NAME_DATE.match(stem + "-") else stem
    if not front.get("date"):
        match = FILE_NAME_DATE.match(stem + "-")
        front["date"] = (
            dt.date(int(match[1]), int(match[2]), int(match[3])) if match else mtime_date(path)
        )
    for old in ("lastmod", "last_modified_at"):
        if front.get(old) and not front.get("updated"):
            front["updated"] = front.pop(old)
    for key in ("date", "updated"):
        if key in front:
            front[key] = clean_date(front[key])
    for key in ("tags", "categories"):
        if key in front:
            front[key] = string_list(front[key], spaces=jekyll)
    if "category" in front and "categories" not in front:
        front["categories"] = string_list(front.pop("category"))
    if meta.get("published") is False or (jekyll and "_drafts" in path.parts):
        front["draft"] = True
    address = str(meta.get("url") or meta.get("permalink") or "")
    link = address.strip("/").split("/")[-1]
    if link and "slug" not in front:
        front["slug"] = re.sub(r"\.html?$", "", link)
    # old addresses: the one the site's permalink pattern gave the post (unless it set its
    # own url), Hugo's aliases, Jekyll's redirect_from, and the post's own url
    aliases = [*_items(front.pop("aliases", None)), *_items(front.pop("redirect_from", None))]
    by_pattern = None if address else old_address(meta, front.get("date"), path)
    if by_pattern is not None:
        aliases.insert(0, by_pattern)
    if address.strip("/"):
        aliases.append("/" + address.lstrip("/"))
    if aliases:
        front["aliases"] = list(dict.fromkeys(aliases))
    if isinstance(front.get("series"), list) and front["series"]:
        front["series"] = str(front["series"][0])
    for key in ("description", "excerpt"):
        if front.get(key) and not front.get("summary"):
            front["summary"] = front.pop(key)
    for key in ("featured_image", "featuredImage", "image"):
        if isinstance(front.get(key), str) and not front.get("cover"):
            front["cover"] = front.pop(key)
    if isinstance(front.get("cover"), str):
        front["cover"] = bundle.add(front["cover"], None) or front["cover"]
    return front


def _hugo_config(batch: ImportBatch, source: Path) -> dict[str, Any]:
    """The Hugo site's settings (``hugo.toml``, ``config.toml`` or their YAML twins)."""
    for name in ("hugo.toml", "config.toml", "hugo.yaml", "config.yaml", "hugo.yml"):
        path = source / name
        if not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
            data = tomllib.loads(text) if name.endswith(".toml") else yaml.safe_load(text)
        except (tomllib.TOMLDecodeError, yaml.YAMLError, UnicodeDecodeError) as exc:
            batch.problem(f"cannot read {name}: {exc}", path, hint="fix it, then import again")
            return {}
        return data if isinstance(data, dict) else {}
    return {}


def hugo_permalinks(data: dict[str, Any]) -> dict[str, str]:
    """Section → permalink pattern of a page, from ``[permalinks]`` (or its newer
    ``[permalinks.page]``)."""
    table = data.get("permalinks")
    if not isinstance(table, dict):
        return {}
    page = table.get("page")
    pages: dict[Any, Any] = page if isinstance(page, dict) else table
    return {str(k): str(v) for k, v in pages.items() if isinstance(v, str)}


def _hugo_site(data: dict[str, Any]) -> dict[str, str]:
    site = {"title": str(data.get("title") or "")}
    params = data.get("params") if isinstance(data.get("params"), dict) else {}
    author = data.get("author") or (params or {}).get("author")
    if isinstance(author, dict):
        author = author.get("name")
    if author:
        site["author"] = str(author)
    base_url = blog_base_url(data.get("baseURL") or data.get("baseurl"))
    if base_url:
        site["base_url"] = base_url
    language = data.get("languageCode") or data.get("defaultContentLanguage")
    if language:
        site["language"] = str(language).split("-")[0].lower()
    return {k: v for k, v in site.items() if v}


def _jekyll_config(batch: ImportBatch, source: Path) -> dict[str, Any]:
    """The Jekyll site's ``_config.yml``."""
    path = source / "_config.yml"
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        batch.problem(f"cannot read _config.yml: {exc}", path, hint="fix it, then import again")
        return {}
    return data if isinstance(data, dict) else {}


def _jekyll_zone(batch: ImportBatch, name: object) -> dt.tzinfo:
    """The site's ``timezone``, in which Jekyll dated its posts' addresses. Without one
    Jekyll used the zone of the machine that built the site; UTC is that of GitHub Pages."""
    if not name:
        return dt.UTC
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError):
        config = batch.root / "_config.yml"
        lines = config.read_text(encoding="utf-8", errors="replace").split("\n")
        line = next((n for n, t in enumerate(lines, 1) if t.startswith("timezone:")), None)
        batch.problem(
            f"`timezone: {name}` is not a time zone; old addresses are dated in UTC",
            config,
            line,
            hint="use an IANA name such as Asia/Shanghai, then import again",
        )
        return dt.UTC


def _jekyll_site(data: dict[str, Any]) -> dict[str, str]:
    site = {key: str(data[key]) for key in ("title", "timezone") if data.get(key)}
    author = data.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    if author:
        site["author"] = str(author)
    base_url = blog_base_url(data.get("url"), data.get("baseurl"))
    if base_url:
        site["base_url"] = base_url
    if data.get("lang"):
        site["language"] = str(data["lang"]).split("-")[0].split("_")[0].lower()
    return site
