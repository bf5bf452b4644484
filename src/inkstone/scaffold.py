"""``inkstone new``: a new site, a new post. Never overwrites a file."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path
from zoneinfo import ZoneInfo

from inkstone.config import CONFIG_FILE, load_config
from inkstone.content.slug import ascii_slug

SITE_TOML = """\
# inkstone site settings; every key is optional. See the README for all of them.
title = "My Notes"
description = "Notes on machine learning, math and code."
author = ""
language = "zh"
base_url = "http://127.0.0.1:8000/"
timezone = "Asia/Shanghai"
posts_per_page = 10
excerpt_length = 160
permalink = "/posts/{slug}/"

[math.macros]
"\\\\RR" = "\\\\mathbb{R}"
"""

FIRST_POST = """\
---
title: "你好，inkstone"
date: {date}
categories: [随笔]
tags: [inkstone]
---

这是第一篇文章。行内公式 $e^{{i\\pi}} + 1 = 0$，以及一个行间公式：

$$
\\mathcal{{L}}(\\theta) = -\\sum_{{i=1}}^{{N}} \\log p_\\theta(x_i), \\quad \\theta \\in \\RR^d
$$

```python
print("hello, inkstone")
```
"""

ABOUT = """\
---
title: About
---

A few words about this site and its author.
"""


def new_site(directory: Path) -> list[Path]:
    """Create a site skeleton in ``directory``; refuses a folder that already has a site."""
    if (directory / CONFIG_FILE).exists():
        raise FileExistsError(f"{directory / CONFIG_FILE} already exists")
    zone = ZoneInfo(tomllib.loads(SITE_TOML)["timezone"])
    today = dt.datetime.now(zone).date().isoformat()  # the day by the new site's clock
    files = {
        directory / CONFIG_FILE: SITE_TOML,
        directory / "content" / "posts" / f"{today}-hello-inkstone.md": FIRST_POST.format(
            date=today
        ),
        directory / "content" / "about.md": ABOUT,
    }
    created = []
    for path, text in files.items():
        if path.exists():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        created.append(path)
    (directory / "static").mkdir(parents=True, exist_ok=True)
    created.append(directory / "static")
    return created


def new_post(site_dir: Path, title: str, now: dt.datetime | None = None) -> Path:
    """Write ``content/posts/<date>-<slug>.md`` for ``title``; the slug is readable ASCII."""
    config, _ = load_config(site_dir)
    now = now or dt.datetime.now(ZoneInfo(config.timezone))
    slug = ascii_slug(title, config.slug_style)
    return _write_new(
        site_dir / "content" / "posts" / f"{now:%Y-%m-%d}-{slug}.md",
        f'title: "{_quoted(title)}"\ndate: {now:%Y-%m-%d %H:%M:%S}\nslug: {slug}\n'
        "categories: []\ntags: []\ndraft: false\n",
    )


def new_page(site_dir: Path, title: str) -> Path:
    """Write ``content/<slug>.md`` for ``title``: a standalone page at ``/<slug>/``, listed
    in the navigation (as Hexo's ``hexo new page``)."""
    config, _ = load_config(site_dir)
    slug = ascii_slug(title, config.slug_style)
    return _write_new(site_dir / "content" / f"{slug}.md", f'title: "{_quoted(title)}"\n')


def _quoted(title: str) -> str:
    """``title`` for a double-quoted YAML string."""
    return title.replace("\\", "\\\\").replace('"', '\\"')


def _write_new(path: Path, front_matter: str) -> Path:
    """Write a new source with ``front_matter`` (YAML lines) and an empty body; never over
    an existing file."""
    if path.exists():
        raise FileExistsError(f"{path} already exists")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"---\n{front_matter}---\n\n", encoding="utf-8")
    return path
