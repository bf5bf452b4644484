"""The ``inkstone deploy`` command, registered on the main group with
``main.add_command(deploy_command)``."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import click

from inkstone.deploy import TARGETS, DeployError, Target, choose_target, deploy, load_settings
from inkstone.deploy.targets import local_path

_GIT_OPTIONS = ("remote", "branch", "domain", "message")
_RSYNC_OPTIONS = ("dest",)
_S3_OPTIONS = ("bucket", "prefix", "region", "endpoint_url", "profile")


@click.command("deploy")
@click.argument("site_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."))
@click.option(
    "--target", type=click.Choice(TARGETS), help="Where to publish [default: from site.toml]."
)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The built folder to publish [default: SITE_DIR/public].",
)
@click.option(
    "--delete",
    is_flag=True,
    help="Remove files at the destination that the output no longer has (rsync, s3; "
    "a git deploy always mirrors the output).",
)
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("-v", "--verbose", is_flag=True, help="List every file sent or deleted.")
@click.option("--remote", help="git: repository URL or path [default: the site repo's origin].")
@click.option("--branch", help="git: branch to commit to [default: gh-pages].")
@click.option("--domain", help="git: custom domain, written to CNAME.")
@click.option("--message", help="git: first line of the commit message.")
@click.option("--dest", help="rsync: a folder, or host:path.")
@click.option("--bucket", help="s3: the bucket.")
@click.option("--prefix", help="s3: a folder inside the bucket.")
@click.option("--region", help="s3: the bucket's region.")
@click.option("--endpoint-url", help="s3: the URL of an S3-compatible service.")
@click.option("--profile", help="s3: a profile of the AWS config files (for credentials).")
def deploy_command(
    site_dir: Path,
    target: str | None,
    out_dir: Path | None,
    delete: bool,
    dry_run: bool,
    verbose: bool,
    **options: str | None,
) -> None:
    """Publish the built site of SITE_DIR (default: the current folder) to git, rsync or s3.

    Build first with `inkstone build`; settings come from [deploy] in site.toml.
    """
    try:
        settings, warnings = load_settings(site_dir)
        for warning in warnings:
            click.echo(f"warning: {warning}", err=True)
        given = {name for name, value in options.items() if value is not None}
        hinted: set[Target] = set()
        if given & set(_GIT_OPTIONS):
            hinted.add("git")
        if given & set(_RSYNC_OPTIONS):
            hinted.add("rsync")
        if given & set(_S3_OPTIONS):
            hinted.add("s3")
        chosen = choose_target(settings, cast("Target | None", target), hinted)
        for other in sorted(hinted - {chosen}):
            click.echo(f"warning: the {other} options are ignored by a {chosen} deploy", err=True)
        cwd = Path.cwd()
        for name in given:
            value = options[name]
            assert value is not None
            if name == "remote":
                settings.git.remote = local_path(value, cwd)
            elif name == "dest":
                settings.rsync.dest = local_path(value, cwd)
            elif name in _GIT_OPTIONS:
                setattr(settings.git, name, value)
            else:
                setattr(settings.s3, name, value)
        result = deploy(site_dir, settings, chosen, out_dir=out_dir, delete=delete, dry_run=dry_run)
    except DeployError as exc:
        raise click.ClickException(str(exc)) from exc
    if verbose or dry_run:
        verbs = {"send": "send", "delete": "delete", "keep": "stale (kept)"}
        for action, path in result.changes:
            click.echo(f"{verbs[action]:>12}  {path}")
    click.echo(result.summary())
