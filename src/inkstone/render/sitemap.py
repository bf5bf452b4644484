"""``sitemap.xml`` and ``robots.txt``."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@dataclass
class SitemapEntry:
    """One URL of the site."""

    url: str
    """Absolute."""
    lastmod: str | None = None
    """``YYYY-MM-DD`` or full ISO 8601."""


def sitemap(entries: list[SitemapEntry]) -> str:
    """A sitemap of ``entries``, in the order given."""
    ET.register_namespace("", SITEMAP_NS)
    root = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for entry in entries:
        url = ET.SubElement(root, f"{{{SITEMAP_NS}}}url")
        ET.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = entry.url
        if entry.lastmod:
            ET.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = entry.lastmod
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def robots(sitemap_url: str) -> str:
    """A robots.txt allowing everything and naming the sitemap."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap_url}\n"
