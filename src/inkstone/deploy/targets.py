"""What every deploy target shares: the ``[deploy]`` settings, the output folder, the result.

:func:`load_settings` reads the ``[deploy]`` table of ``site.toml`` (the keys are listed in
:mod:`inkstone.deploy`), :func:`check_output` refuses a folder inkstone did not make, and
:func:`output_files` lists what is to be published, without inkstone's marker file.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from inkstone.errors import Problem, Severity
from inkstone.output.writer import MARKER, is_built_site

CONFIG_FILE = "site.toml"
Target = Literal["git", "rsync", "s3"]
TARGETS: tuple[Target, ...] = ("git", "rsync", "s3")

_CREDENTIAL_KEYS = {
    "access_key",
    "access_key_id",
    "aws_access_key_id",
    "secret_key",
    "secret_access_key",
    "aws_secret_access_key",
    "session_token",
    "aws_session_token",
}


class DeployError(Exception):
    """A deploy that cannot go on: one sentence saying what is wrong, and the fix."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


@dataclass
class GitSettings:
    """``[deploy.git]``: publish to a branch of a git repository (GitHub Pages)."""

    remote: str | None = None
    """URL or path of the repository; default: the ``origin`` of the repository holding the
    site. A relative path is relative to the site folder."""
    branch: str = "gh-pages"
    """The branch to commit to; made as an orphan branch the first time."""
    domain: str | None = None
    """A custom domain: written to ``CNAME`` at the root of the branch."""
    message: str = "Deploy with inkstone"
    """The first line of each deploy commit's message."""


@dataclass
class RsyncSettings:
    """``[deploy.rsync]``: copy to a folder or a server with rsync."""

    dest: str | None = None
    """A local folder, or ``host:path`` / ``user@host:path`` / ``rsync://...``. A relative
    local folder is relative to the site folder."""


@dataclass
class S3Settings:
    """``[deploy.s3]``: upload to an S3 or S3-compatible bucket. Credentials never go here."""

    bucket: str | None = None
    """The bucket's name."""
    prefix: str = ""
    """A folder inside the bucket, e.g. ``blog``; empty for the bucket's root."""
    region: str | None = None
    """The bucket's region; default: the AWS configuration's."""
    endpoint_url: str | None = None
    """The service's URL for S3-compatible services (R2, MinIO, OSS, COS, ...)."""
    profile: str | None = None
    """A profile of the AWS configuration files to take credentials from."""
    addressing_style: Literal["auto", "path", "virtual"] = "auto"
    """How the bucket is named in URLs: ``auto`` (path-style for an IP address endpoint),
    ``path`` (MinIO and most self-hosted servers) or ``virtual`` (Aliyun OSS, Tencent COS)."""


@dataclass
class DeploySettings:
    """The whole ``[deploy]`` table."""

    target: Target | None = None
    """The default target when ``--target`` is not given."""
    git: GitSettings = field(default_factory=GitSettings)
    rsync: RsyncSettings = field(default_factory=RsyncSettings)
    s3: S3Settings = field(default_factory=S3Settings)
    configured: tuple[Target, ...] = ()
    """The targets that have a table in ``site.toml``."""


@dataclass
class DeployResult:
    """What a deploy did (or, on a dry run, would do)."""

    destination: str
    """Where the files went, for the summary line."""
    sent: int = 0
    """Files uploaded or copied: new or changed."""
    unchanged: int = 0
    """Files already there with the same content."""
    deleted: int = 0
    """Stale files removed from the destination."""
    stale_kept: int = 0
    """Stale files left at the destination because ``--delete`` was not given."""
    dry_run: bool = False
    note: str = ""
    """One more thing to say, e.g. the commit made."""
    changes: list[tuple[str, str]] = field(default_factory=list)
    """``(action, path)`` per file: action is ``send``, ``delete`` or ``keep`` (stale)."""

    def summary(self) -> str:
        """One line: ``deployed to X: 3 sent, 40 unchanged, 1 deleted; ...``."""
        if self.dry_run:
            text = (
                f"dry run, nothing changed at {self.destination}: {self.sent} to send, "
                f"{self.unchanged} unchanged, {self.deleted} to delete"
            )
        else:
            text = (
                f"deployed to {self.destination}: {self.sent} sent, "
                f"{self.unchanged} unchanged, {self.deleted} deleted"
            )
        if self.stale_kept:
            text += f"; {self.stale_kept} stale file(s) left in place (--delete removes them)"
        if self.note:
            text += f"; {self.note}"
        return text


@dataclass(frozen=True)
class OutputFile:
    """One file to publish."""

    rel: str
    """Its path in the site, ``/``-separated, e.g. ``posts/x/index.html``."""
    path: Path
    """Where it is on disk."""


def check_output(out_dir: Path, site_dir: Path) -> None:
    """Refuse a missing folder, or one that ``inkstone build`` did not write."""
    if not out_dir.exists():
        raise DeployError(
            f"output folder {out_dir} does not exist",
            f"build the site first: inkstone build {site_dir}, or pass --output",
        )
    if not out_dir.is_dir():
        raise DeployError(f"output path {out_dir} is not a folder", "pass the built folder")
    if not is_built_site(out_dir):
        raise DeployError(
            f"{out_dir} is not an inkstone output folder (it has no {MARKER} file)",
            f"deploy the folder `inkstone build` wrote, or rebuild: inkstone build {site_dir}",
        )


def output_files(out_dir: Path) -> list[OutputFile]:
    """Every file under ``out_dir`` (symlinks to files included), sorted, minus the marker."""
    files: list[OutputFile] = []
    for root, dirs, names in os.walk(out_dir):
        dirs.sort()
        base = Path(root)
        rel_root = base.relative_to(out_dir).as_posix()
        for name in sorted(names):
            path = base / name
            rel = name if rel_root == "." else f"{rel_root}/{name}"
            if rel == MARKER or not path.is_file():
                continue
            files.append(OutputFile(rel, path))
    return files


def is_remote_spec(spec: str) -> bool:
    """True for ``scheme://...`` and scp-like ``host:path``; False for a local path."""
    if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", spec):
        return True
    head, colon, _ = spec.partition(":")
    return bool(colon) and "/" not in head and len(head) > 1


def local_path(spec: str, base: Path) -> str:
    """``spec`` unchanged when remote, else an absolute path (relative ones from ``base``)."""
    if is_remote_spec(spec):
        return spec
    path = Path(spec).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def load_settings(site_dir: Path) -> tuple[DeploySettings, list[Problem]]:
    """Read ``[deploy]`` from ``site_dir/site.toml`` (defaults without one).

    Returns the settings and warnings (unknown keys); raises :class:`DeployError` for an
    unreadable file, a wrong type, or credentials written into the file.
    """
    path = site_dir / CONFIG_FILE
    if not path.is_file():
        return DeploySettings(), []
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise DeployError(
            f"{path}: {exc}", "fix site.toml (inkstone build reports it too)"
        ) from exc
    table = raw.get("deploy", {})
    if not isinstance(table, dict):
        raise DeployError(f"{path}: `deploy` must be a table", "write it as [deploy]")
    return settings_from_dict(table, site_dir)


def settings_from_dict(
    table: dict[str, Any], site_dir: Path
) -> tuple[DeploySettings, list[Problem]]:
    """Build :class:`DeploySettings` from the parsed ``[deploy]`` table."""
    rel = Path(CONFIG_FILE)
    s3_table = table.get("s3")
    if isinstance(s3_table, dict):
        secrets = sorted(_CREDENTIAL_KEYS & {k.lower() for k in s3_table})
        if secrets:
            raise DeployError(
                f"{rel}: credentials do not belong in site.toml (`deploy.s3.{secrets[0]}`)",
                "remove them; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or use a profile",
            )
    problems: list[Problem] = []
    errors: list[str] = []
    settings = _fill(DeploySettings, table, "deploy.", problems, errors)
    if errors:
        raise DeployError(f"{rel}: " + "; ".join(errors), "fix the [deploy] table")
    assert isinstance(settings, DeploySettings)
    settings.configured = tuple(t for t in TARGETS if isinstance(table.get(t), dict))
    if settings.git.remote is not None:
        settings.git.remote = local_path(settings.git.remote, site_dir)
    if settings.rsync.dest is not None:
        settings.rsync.dest = local_path(settings.rsync.dest, site_dir)
    return settings, problems


def _fill(
    cls: type, raw: dict[str, Any], prefix: str, problems: list[Problem], errors: list[str]
) -> object:
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls) if f.name != "configured"]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        name = prefix + key
        if key not in names:
            close = difflib.get_close_matches(key, names, n=1)
            hint = f"did you mean `{prefix}{close[0]}`?" if close else "it is ignored"
            problems.append(
                Problem(Severity.WARNING, f"unknown setting `{name}`", Path(CONFIG_FILE), hint=hint)
            )
            continue
        expected = hints[key]
        if dataclasses.is_dataclass(expected):
            if isinstance(value, dict):
                values[key] = _fill(expected, value, name + ".", problems, errors)  # type: ignore[arg-type]
            else:
                errors.append(f"`{name}` must be a table, not {value!r}")
            continue
        choices = _choices(expected)
        if not isinstance(value, str):
            errors.append(f"`{name}` must be a string, not {value!r}")
        elif choices and value not in choices:
            errors.append(f"`{name}` must be one of {', '.join(choices)}, not {value!r}")
        else:
            values[key] = value
    return cls(**values)


def _choices(expected: Any) -> list[str]:
    """The strings a ``Literal`` (possibly ``| None``) allows; empty for plain ``str``."""
    if typing.get_origin(expected) is Literal:
        return [str(a) for a in typing.get_args(expected)]
    for arg in typing.get_args(expected):
        if typing.get_origin(arg) is Literal:
            return [str(a) for a in typing.get_args(arg)]
    return []
