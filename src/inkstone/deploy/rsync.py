"""The ``rsync`` target: copy the output folder to a folder or a server.

Runs ``rsync -a --checksum`` (content decides what is sent, not timestamps), makes every file
world-readable and every folder traversable (``--chmod=a+rX``: a web server must read them),
leaves inkstone's marker file behind, and removes stale files only with ``--delete``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from inkstone.deploy.targets import (
    DeployError,
    DeployResult,
    RsyncSettings,
    is_remote_spec,
    output_files,
)
from inkstone.output.writer import MARKER

INSTALL_HINT = "install rsync (Debian/Ubuntu: apt-get install rsync; macOS: brew install rsync)"


def deploy_rsync(
    out_dir: Path, settings: RsyncSettings, *, delete: bool = False, dry_run: bool = False
) -> DeployResult:
    """Copy ``out_dir`` to ``settings.dest`` with rsync."""
    exe = shutil.which("rsync")
    if exe is None:
        raise DeployError("rsync is not installed", INSTALL_HINT)
    dest = settings.dest
    if not dest:
        raise DeployError(
            "no rsync destination", "set `dest` in [deploy.rsync] of site.toml or pass --dest"
        )
    if not is_remote_spec(dest):
        _check_local_dest(out_dir, Path(dest))
        if not dry_run:
            Path(dest).mkdir(parents=True, exist_ok=True)

    files = output_files(out_dir)
    base = [exe, "-a", "--chmod=a+rX", "--itemize-changes", f"--exclude=/{MARKER}"]
    paths = [f"{out_dir}/", dest.rstrip("/") + "/"]
    sync = [*base, "--checksum", *(["--delete"] if delete else [])]
    changes = _run([*sync, *(["--dry-run"] if dry_run else []), *paths], dest)
    if not delete:
        # Only list what --delete would remove (nothing is sent), to report stale files.
        listing = [*base, "--dry-run", "--delete", "--existing", "--ignore-existing", *paths]
        changes += [("keep", path) for action, path in _run(listing, dest) if action == "delete"]

    sent = sum(1 for action, _ in changes if action == "send")
    return DeployResult(
        dest,
        sent=sent,
        unchanged=len(files) - sent,
        deleted=sum(1 for action, _ in changes if action == "delete"),
        stale_kept=sum(1 for action, _ in changes if action == "keep"),
        dry_run=dry_run,
        changes=changes,
    )


def _check_local_dest(out_dir: Path, dest: Path) -> None:
    out, target = out_dir.resolve(), dest.resolve()
    if target == out or target in out.parents or out in target.parents:
        raise DeployError(
            f"rsync destination {dest} overlaps the output folder {out_dir}",
            "choose a folder outside it",
        )
    if target.exists() and not target.is_dir():
        raise DeployError(f"rsync destination {dest} is a file", "choose a folder")


def _run(command: list[str], dest: str) -> list[tuple[str, str]]:
    """Run rsync; its itemized changes as ``(send|delete, path)`` for files."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        reason = lines[0].removeprefix("rsync: ") if lines else f"exit code {done.returncode}"
        raise DeployError(
            f"rsync to {dest} failed: {reason}",
            "check the destination path, and your ssh access and write permission there",
        )
    changes: list[tuple[str, str]] = []
    for line in done.stdout.splitlines():
        if line.startswith("*deleting "):
            path = line.removeprefix("*deleting ").strip()
            if not path.endswith("/"):
                changes.append(("delete", path))
        else:
            code, _, path = line.partition(" ")
            if len(code) == 11 and code[0] in "<>c" and code[1] in "fL":
                changes.append(("send", path))
    return changes
