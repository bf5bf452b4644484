"""``inkstone deploy``: publish an already-built output folder.

The folder (``SITE_DIR/public``, or ``--output``) must be one ``inkstone build`` wrote: it
holds the marker file ``.inkstone-output``, which is never published. Three targets:

- ``git``: one new commit on a branch (``gh-pages``) of a repository, for GitHub Pages
  (:mod:`inkstone.deploy.git`);
- ``rsync``: a local folder or ``host:path`` (:mod:`inkstone.deploy.rsync`);
- ``s3``: an S3 or S3-compatible bucket, with boto3 (:mod:`inkstone.deploy.s3`).

Settings live in the ``[deploy]`` table of ``site.toml``; every key is optional and every
one has a command-line option that overrides it::

    [deploy]
    target = "git"            # git | rsync | s3: used when --target is not given

    [deploy.git]
    remote = "git@github.com:me/me.github.io.git"   # URL or path; default: the site repo's origin
    branch = "gh-pages"       # default gh-pages
    domain = "blog.example.com"  # written to CNAME; no CNAME without it
    message = "Deploy with inkstone"  # first line of each commit message

    [deploy.rsync]
    dest = "me@host:/var/www/blog"   # or a local folder (relative: to the site folder)

    [deploy.s3]
    bucket = "my-blog"
    prefix = ""               # a folder in the bucket, e.g. "blog"
    region = "us-east-1"      # default: the AWS configuration's
    endpoint_url = "https://<account>.r2.cloudflarestorage.com"  # S3-compatible services
    profile = "blog"          # a profile of ~/.aws/config
    addressing_style = "auto" # auto | path | virtual

Without ``target`` and ``--target``, the target is the only one with a table in site.toml,
else the only one whose options were given (``--remote``/``--branch``/``--domain``: git,
``--dest``: rsync, ``--bucket``/``--prefix``/``--endpoint-url``/...: s3).

Credentials are never read from site.toml (a key such as ``aws_secret_access_key`` in
``[deploy.s3]`` is an error): S3 takes them from ``AWS_ACCESS_KEY_ID``,
``AWS_SECRET_ACCESS_KEY`` and ``AWS_SESSION_TOKEN``, ``AWS_PROFILE`` or the AWS config files;
git and rsync use the user's ssh keys and git credential helpers.

The deploy commit's author and committer come from ``GIT_AUTHOR_NAME``/``GIT_AUTHOR_EMAIL``/
``GIT_COMMITTER_NAME``/``GIT_COMMITTER_EMAIL`` when set, else from git config (read in the
site's folder), else ``inkstone deploy <deploy@inkstone.invalid>``, so CI needs no setup.
"""

from __future__ import annotations

from pathlib import Path

from inkstone.deploy.targets import (
    TARGETS,
    DeployError,
    DeployResult,
    DeploySettings,
    Target,
    check_output,
    load_settings,
)

__all__ = [
    "TARGETS",
    "DeployError",
    "DeployResult",
    "DeploySettings",
    "Target",
    "choose_target",
    "deploy",
    "load_settings",
]


def choose_target(
    settings: DeploySettings, explicit: Target | None, hinted: set[Target] | None = None
) -> Target:
    """The target to use: ``explicit`` (``--target``), else ``[deploy] target``, else the
    only target configured in site.toml, else the only one ``hinted`` by its options."""
    if explicit is not None:
        return explicit
    if settings.target is not None:
        return settings.target
    for candidates in (settings.configured, tuple(sorted(hinted or ()))):
        if len(candidates) == 1:
            return candidates[0]
    raise DeployError(
        "no deploy target chosen",
        "pass --target git|rsync|s3, or set `target` in [deploy] of site.toml",
    )


def deploy(
    site_dir: Path,
    settings: DeploySettings,
    target: Target,
    *,
    out_dir: Path | None = None,
    delete: bool = False,
    dry_run: bool = False,
) -> DeployResult:
    """Publish ``out_dir`` (default ``site_dir/public``) to ``target``.

    Raises :class:`DeployError` with the reason and the fix when it cannot.
    """
    out = out_dir if out_dir is not None else site_dir / "public"
    check_output(out, site_dir)
    if target == "git":
        from inkstone.deploy.git import deploy_git

        return deploy_git(out, settings.git, site_dir, dry_run=dry_run)
    if target == "rsync":
        from inkstone.deploy.rsync import deploy_rsync

        return deploy_rsync(out, settings.rsync, delete=delete, dry_run=dry_run)
    from inkstone.deploy.s3 import deploy_s3

    return deploy_s3(out, settings.s3, delete=delete, dry_run=dry_run)
