"""The license a post is published under, and where its text is: a Creative Commons name
(``CC BY-NC-SA 4.0``, ``CC0 1.0``) links to its deed, in Chinese on a Chinese site; any other
name (``All rights reserved``) is shown as written."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CREATIVE_COMMONS = re.compile(
    r"CC[\s-]*(?P<kind>BY(?:-NC)?(?:-SA|-ND)?|0)[\s-]*(?P<version>\d\.\d)?", re.IGNORECASE
)
CC_VERSION = "4.0"
"""The version of a Creative Commons license named without one (``CC BY-SA``)."""


@dataclass(frozen=True)
class LicenseView:
    """A license as a theme shows it."""

    name: str
    """As the site or the post wrote it, e.g. ``CC BY-NC-SA 4.0``."""
    url: str | None
    """Its deed, for a Creative Commons license; None otherwise."""


def license_view(name: str, zh: bool) -> LicenseView:
    """``name`` with the address of its text, when inkstone knows it."""
    match = _CREATIVE_COMMONS.fullmatch(name.strip())
    if match is None:
        return LicenseView(name.strip(), None)
    kind = match["kind"].lower()
    deed = "deed.zh-hans" if zh else ""
    if kind == "0":
        url = f"https://creativecommons.org/publicdomain/zero/{match['version'] or '1.0'}/"
    else:
        url = f"https://creativecommons.org/licenses/{kind}/{match['version'] or CC_VERSION}/"
    return LicenseView(name.strip(), url + deed)
