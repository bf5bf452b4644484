"""Hexo: ``source/_posts/*.md``, its front matter, its tag plugins and ``_config.yml``.

Tag plugins become inkstone Markdown: ``{% asset_img %}`` a figure, ``{% codeblock %}`` a
fenced block, ``{% note %}`` an alert, ``{% blockquote %}`` a quote, ``{% folding %}`` a
``<details>``, ``{% post_link %}`` a link to the imported post, ``{% math %}`` a ``$$`` block.
A tag with no equivalent is left in place and reported.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from inkstone.content.dates import FILE_NAME_DATE
from inkstone.content.load import read_categories
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
from inkstone.importers.model import Formula, ImportBatch, ImportedPost
from inkstone.importers.permalinks import date_fields, fill, moment_of
from inkstone.importers.tags import TagConverter
from inkstone.importers.text import map_outside_code
from inkstone.markup.plugins.generator_tags import split_args

_BLOCK_TAGS = ("codeblock", "note", "blockquote", "raw", "math", "folding", "details")
_TAG = re.compile(
    r"\{%-?\s*(?P<block>" + "|".join(_BLOCK_TAGS) + r")\b(?P<bargs>.*?)-?%\}"
    r"(?P<content>.*?)\{%-?\s*end(?P=block)\s*-?%\}"
    r"|\{%-?\s*(?P<name>\w+)(?P<args>.*?)-?%\}",
    re.DOTALL,
)
NOTE_KINDS = {
    "default": "NOTE",
    "primary": "NOTE",
    "info": "NOTE",
    "success": "TIP",
    "warning": "WARNING",
    "danger": "CAUTION",
}
_DROPPED = {"layout", "mathjax", "katex", "permalink", "published"}
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif")


def import_hexo(source: Path) -> ImportBatch:
    """Read a Hexo site (or its ``source/_posts`` folder) into posts."""
    batch = ImportBatch(root=source)
    posts_dir = source / "source" / "_posts"
    if not posts_dir.is_dir():
        posts_dir = source
    site_source = posts_dir.parent if posts_dir.name == "_posts" else source
    config = source / "_config.yml"
    settings = _read_config(batch, config) if config.is_file() else {}
    batch.site = _site_settings(settings)
    permalink = str(settings.get("permalink") or DEFAULT_PERMALINK)
    dated_names = ":year" in str(settings.get("new_post_name") or "")
    files = sorted(p for p in posts_dir.rglob("*.md") if not _in_asset_folder(p, posts_dir))
    taken: set[str] = set()
    folders = {path.resolve(): unique_folder(path.stem, taken) for path in files}
    by_name = {path.stem: folders[path.resolve()] for path in files}
    for path in files:
        read = read_markdown(batch, path)
        if read is None:
            continue
        meta, body, body_line = read
        bundle = Bundle(batch, path, [path.parent / path.stem, site_source])
        found = find_formulas(body, body_line) + _tag_formulas(body, body_line)
        converter = _TagConverter(batch, path, bundle, by_name)
        body = map_outside_code(body, converter.at(body_line))
        body = bundle.rewrite(body, body_line)
        body = rewrite_links(body, path, folders)
        front = _front(meta, path, bundle)
        old = old_address(permalink, meta, front, path.relative_to(posts_dir), dated_names)
        if old is not None:
            front["aliases"] = [old]
        batch.posts.append(
            ImportedPost(folders[path.resolve()], front, body, path, bundle.files, found)
        )
    return batch


def _in_asset_folder(path: Path, posts_dir: Path) -> bool:
    """True for a file inside a post's asset folder (``_posts/x/`` beside ``_posts/x.md``)."""
    parent = path.parent
    while parent != posts_dir and parent != parent.parent:
        if (parent.parent / f"{parent.name}.md").is_file():
            return True
        parent = parent.parent
    return False


def _tag_formulas(body: str, first_line: int) -> list[Formula]:
    out = []
    for match in re.finditer(r"\{%-?\s*math\b.*?%\}(.*?)\{%-?\s*endmath\s*-?%\}", body, re.DOTALL):
        line = first_line + body.count("\n", 0, match.start())
        out.append(Formula(match[1].strip(), True, line))
    return out


def _read_config(batch: ImportBatch, config: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        batch.problem(
            "cannot read _config.yml; site.toml gets no title from it",
            config,
            line + 1 if line is not None else None,
            hint="fix the YAML, or set title in site.toml by hand",
        )
        return {}
    return data if isinstance(data, dict) else {}


def _site_settings(data: dict[str, Any]) -> dict[str, str]:
    site = {key: str(data[key]) for key in ("title", "author", "timezone") if data.get(key)}
    base_url = blog_base_url(data.get("url"), data.get("root"))
    if base_url:
        site["base_url"] = base_url
    language = data.get("language")
    if isinstance(language, list):
        language = language[0] if language else None
    if language:
        site["language"] = str(language).split("-")[0].split("_")[0].lower()
    return site


def _front(meta: dict[str, Any], path: Path, bundle: Bundle) -> dict[str, Any]:
    front = {key: value for key, value in meta.items() if key not in _DROPPED}
    if isinstance(front.get("math"), bool):
        del front["math"]
    if not front.get("title"):
        front["title"] = path.stem[11:] if FILE_NAME_DATE.match(path.stem + "-") else path.stem
    if not front.get("date"):
        front["date"] = mtime_date(path)
    for key in ("date", "updated"):
        if key in front:
            front[key] = clean_date(front[key])
    if "tags" in front:
        front["tags"] = string_list(front["tags"])
    if "category" in front and "categories" not in front:
        front["categories"] = front.pop("category")
    if "categories" in front:  # Hexo's [A, B] is B under A: written [[A, B]]
        paths = read_categories(front["categories"], nested=True)
        front["categories"] = [path[0] if len(path) == 1 else list(path) for path in paths]
    if meta.get("published") is False:
        front["draft"] = True
    permalink = str(meta.get("permalink") or "").strip("/").split("/")[-1]
    if permalink and "slug" not in front:
        front["slug"] = re.sub(r"\.html?$", "", permalink)
    for key in ("description", "excerpt"):
        if front.get(key) and not front.get("summary"):
            front["summary"] = front.pop(key)
    for key in ("thumbnail", "index_img", "banner_img"):
        if front.get(key) and not front.get("cover"):
            front["cover"] = front.pop(key)
    if isinstance(front.get("cover"), str):
        front["cover"] = bundle.add(front["cover"], None) or front["cover"]
    return front


DEFAULT_PERMALINK = ":year/:month/:day/:title/"
"""Hexo's own default for ``permalink`` in ``_config.yml``."""


def old_address(
    pattern: str, meta: dict[str, Any], front: dict[str, Any], rel: Path, dated_names: bool
) -> str | None:
    """The address Hexo gave the post (its front matter's ``permalink``, else the site's
    pattern filled in), to become its alias: the old links keep working. ``dated_names``:
    the site's ``new_post_name`` puts the date before the title in file names
    (``2023-04-08-rope.md``), which Hexo's ``:title`` leaves out. None when the pattern
    uses a field inkstone cannot know (``:id``, ``:hash``)."""
    if meta.get("permalink"):
        return "/" + str(meta["permalink"]).lstrip("/")
    moment = moment_of(front.get("date"))
    if moment is None:
        return None
    # Hexo's :category is the slug of the post's last category, a subcategory's with its
    # parents' (a/b)
    paths = read_categories(meta.get("categories", meta.get("category")), nested=True)
    category = "/".join(re.sub(r"\s+", "-", n) for n in paths[-1]) if paths else "uncategorized"
    name = rel.stem
    if dated_names and FILE_NAME_DATE.match(name):
        name = FILE_NAME_DATE.sub("", name, count=1)
    fields = {
        **date_fields(moment),
        "title": (rel.parent / name).as_posix().removeprefix("./"),
        "name": name,
        "post_title": str(front.get("title") or rel.stem),
        "category": category,
    }
    return fill(pattern, fields)


class _TagConverter(TagConverter):
    """Turns the tag plugins of one post into Markdown."""

    def convert(self, text: str, first_line: int) -> str:
        """Every tag of ``text`` (which starts on source line ``first_line``) converted."""

        def replace(match: re.Match[str]) -> str:
            line = first_line + text.count("\n", 0, match.start())
            if match["block"]:
                return self._block(match["block"], split_args(match["bargs"]), match, line)
            return self._inline(match["name"], split_args(match["args"]), match[0], line)

        return _TAG.sub(replace, text)

    def _block(self, name: str, args: list[str], match: re.Match[str], line: int) -> str:
        content = match["content"].strip("\n")
        if name == "raw":
            return content
        if name == "math":
            return f"$$\n{content.strip()}\n$$"
        if name == "codeblock":
            return _codeblock(args, content)
        inner_line = line + match[0].count("\n", 0, match.start("content") - match.start()) + 1
        inner = self.convert(content, inner_line)
        if name == "note":
            kind = NOTE_KINDS.get(args[0].lower(), "NOTE") if args else "NOTE"
            title = " ".join(a for a in args[1:] if a != "no-icon")
            if args and args[0].lower() not in NOTE_KINDS:
                title = " ".join(a for a in args if a != "no-icon")
            return quote_lines(inner, f"[!{kind}] {title}".rstrip())
        if name == "blockquote":
            return _blockquote(args, inner)
        title = " ".join(a for a in args if a not in {"open", "closed"}) or "Details"
        return f"<details><summary>{title}</summary>\n\n{inner.strip()}\n\n</details>"

    def _inline(self, name: str, args: list[str], original: str, line: int) -> str:
        if name in {"asset_img", "img"}:
            index = next(
                (i for i, a in enumerate(args) if a.lower().endswith(_IMAGE_SUFFIXES)), None
            )
            if index is not None:
                src = args[index]
                rest = [a for a in args[index + 1 :] if not re.fullmatch(r"\d+(px|%)?", a)]
                title, alt = (rest[0], rest[1]) if len(rest) == 2 else (" ".join(rest), "")
                alt = alt or title
                caption = f' "{title}"' if title else ""
                name_in_bundle = self.bundle.add(src, line) or src
                return f"![{alt}]({name_in_bundle}{caption})"
        if name in {"asset_path", "asset_link"} and args:
            target = self.bundle.add(args[0], line) or args[0]
            if name == "asset_path":
                return target
            return f"[{' '.join(args[1:]) or args[0]}]({target})"
        if name == "post_link" and args:
            folder = self.posts.get(args[0])
            if folder is not None:
                return f"[{' '.join(args[1:]) or args[0]}]({bundle_link(folder)})"
            self.batch.problem(
                f"{{% post_link {args[0]} %}} names no post of this site; left as it is",
                self.path,
                line,
                hint="fix the link by hand after the import",
            )
            return original
        if name == "youtube" and args:
            return f"🔖 https://www.youtube.com/watch?v={args[0]}"
        if name == "more":
            return "<!-- more -->"
        self.batch.problem(
            f"Hexo tag {{% {name} %}} has no inkstone equivalent; left as it is",
            self.path,
            line,
            hint="rewrite it as Markdown or HTML",
        )
        return original


def _codeblock(args: list[str], content: str) -> str:
    lang = next((a.split(":", 1)[1] for a in args if a.startswith("lang:")), "")
    words = [a for a in args if ":" not in a or a.startswith(("http://", "https://"))]
    title = " ".join(w for w in words if not w.startswith(("http://", "https://")))
    info = lang + (f' title="{title}"' if title else "")
    fence = "````" if "```" in content else "```"
    return f"{fence}{info}\n{content}\n{fence}"


def _blockquote(args: list[str], inner: str) -> str:
    """``{% blockquote author, source link link_title %}`` as a quote with its attribution."""
    link = next((a for a in args if a.startswith(("http://", "https://"))), "")
    words = [a for a in args if a != link]
    if link:
        link_index = args.index(link)
        words, link_title = args[:link_index], " ".join(args[link_index + 1 :])
    else:
        link_title = ""
    author = " ".join(words)
    quote = quote_lines(inner, "").split("\n", 1)[1]
    if not author and not link:
        return quote
    cite = f"[{link_title or link}]({link})" if link else ""
    attribution = ", ".join(part for part in (author, cite) if part)
    return f"{quote}\n>\n> — {attribution}"
