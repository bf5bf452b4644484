"""Reading the many ways people write dates, and the date hidden in file names."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

FILE_NAME_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[-_]")


def parse_date(value: object, tz: ZoneInfo) -> dt.datetime | None:
    """Turn a front-matter value into an aware datetime, or None when it is no date.

    Accepts YAML/TOML dates and datetimes and strings such as ``2025-03-14``,
    ``2025-03-14 10:20``, ``2025/3/14`` and ``2025-03-14T10:20:00+08:00``. A value
    without a zone is read in the site's ``tz``.
    """
    if isinstance(value, dt.datetime):
        result = value
    elif isinstance(value, dt.date):
        result = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        parsed = _parse_string(value.strip())
        if parsed is None:
            return None
        result = parsed
    else:
        return None
    if result.tzinfo is None:
        result = result.replace(tzinfo=tz)
    return result


def _parse_string(text: str) -> dt.datetime | None:
    normalised = re.sub(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", _pad, text)
    normalised = re.sub(r"^(\d{4})-(\d)(?=-)", r"\1-0\2", normalised)
    normalised = re.sub(r"^(\d{4}-\d{2})-(\d)(?!\d)", r"\1-0\2", normalised)
    normalised = normalised.replace("Z", "+00:00")
    try:
        return dt.datetime.fromisoformat(normalised)
    except ValueError:
        return None


def _pad(match: re.Match[str]) -> str:
    return f"{match.group(1)}-{int(match.group(2)):02d}-{int(match.group(3)):02d}"


def date_from_file_name(stem: str, tz: ZoneInfo) -> dt.datetime | None:
    """The date a file name starts with (``2017-12-23-svm`` → 2017-12-23), if any."""
    match = FILE_NAME_DATE.match(stem + "-")
    if match is None:
        return None
    try:
        return dt.datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=tz)
    except ValueError:
        return None


def strip_file_name_date(stem: str) -> str:
    """``2017-12-23-svm`` → ``svm``; other names unchanged."""
    stripped = FILE_NAME_DATE.sub("", stem)
    return stripped or stem
