"""Links between imported posts: a relative link to another source file is pointed at the
bundle that file became (``../<folder>/index.md``), which inkstone resolves to its page."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from inkstone.importers.assets import is_remote
from inkstone.importers.text import map_outside_code

_MD_LINK = re.compile(
    r"(?<!!)\[(?P<text>[^\]\n]*)\]\((?P<url><[^>\n]+>|[^)\s]+)(?P<title>\s+\"[^\"\n]*\")?\)"
)


def bundle_link(folder: str, fragment: str = "") -> str:
    """The link from one imported post to the one in ``folder``."""
    target = f"../{folder}/index.md" + (f"#{fragment}" if fragment else "")
    return f"<{target}>" if re.search(r"[\s()]", target) else target


def rewrite_links(body: str, source: Path, targets: dict[Path, str]) -> str:
    """Point relative links of ``body`` (read from ``source``) at imported posts.

    ``targets`` maps each imported source file (resolved) to its bundle folder; links to
    anything else are left as they are.
    """

    def link(match: re.Match[str]) -> str:
        url = match["url"].strip("<>")
        if is_remote(url):
            return match[0]
        path, _, fragment = url.partition("#")
        resolved = (source.parent / unquote(path)).resolve() if path else None
        folder = targets.get(resolved) if resolved is not None else None
        if folder is None:
            return match[0]
        return f"[{match['text']}]({bundle_link(folder, fragment)}{match['title'] or ''})"

    return map_outside_code(body, lambda text, _start: _MD_LINK.sub(link, text))
