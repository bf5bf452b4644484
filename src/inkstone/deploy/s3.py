"""The ``s3`` target: upload the output folder to an S3 or S3-compatible bucket (boto3).

Each file is uploaded with its Content-Type and a Cache-Control header:

- pages and data (``.html``, ``.xml``, ``.json``, ``.txt``, ``.webmanifest``):
  ``public, max-age=0, must-revalidate`` — a new deploy shows at once;
- files under ``assets/`` (theme CSS, KaTeX CSS and fonts, the highlight stylesheet):
  ``public, max-age=86400``. Their names carry no content hash, so ``immutable`` with a year
  would keep a changed stylesheet out of readers' browsers for that year; a day bounds it;
- any other file (images beside posts, downloads): ``public, max-age=3600``, since authors
  replace them under the same name.

A file whose MD5 equals the object's ETag is not uploaded again (objects uploaded in parts, or
encrypted with SSE-KMS, have other ETags and are simply uploaded again). Objects under the
prefix that are not in the output are removed only with ``--delete``. Credentials come from
the usual AWS sources: ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` (and
``AWS_SESSION_TOKEN``), ``AWS_PROFILE`` or ``profile``, the AWS config files.
"""

from __future__ import annotations

import hashlib
import importlib
import mimetypes
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import Any

from inkstone.deploy.targets import DeployError, DeployResult, OutputFile, S3Settings, output_files

NO_CACHE = "public, max-age=0, must-revalidate"
ASSET_CACHE = "public, max-age=86400"
OTHER_CACHE = "public, max-age=3600"

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".json": "application/json",
    ".txt": "text/plain; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".map": "application/json",
    ".webmanifest": "application/manifest+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".pdf": "application/pdf",
    ".wasm": "application/wasm",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
}
"""Content types by suffix; other suffixes go by :mod:`mimetypes`, else octet-stream. Fixed
here because the system's MIME tables differ between machines."""

_NO_CACHE_SUFFIXES = {".html", ".htm", ".xml", ".json", ".txt", ".webmanifest"}
_WORKERS = 8


def content_type(rel: str) -> str:
    """The Content-Type for the output file at ``rel``."""
    suffix = PurePosixPath(rel).suffix.lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed, _ = mimetypes.guess_type(rel, strict=False)
    return guessed or "application/octet-stream"


def cache_control(rel: str) -> str:
    """The Cache-Control header for the output file at ``rel`` (see the module docstring)."""
    if PurePosixPath(rel).suffix.lower() in _NO_CACHE_SUFFIXES:
        return NO_CACHE
    if rel.startswith("assets/"):
        return ASSET_CACHE
    return OTHER_CACHE


def deploy_s3(
    out_dir: Path, settings: S3Settings, *, delete: bool = False, dry_run: bool = False
) -> DeployResult:
    """Upload ``out_dir`` to ``settings.bucket`` under ``settings.prefix``."""
    bucket = settings.bucket
    if not bucket:
        raise DeployError(
            "no bucket to deploy to", "set `bucket` in [deploy.s3] of site.toml or pass --bucket"
        )
    prefix = settings.prefix.strip("/")
    prefix = prefix + "/" if prefix else ""
    destination = f"s3://{bucket}/{prefix}"
    if settings.endpoint_url:
        destination += f" at {settings.endpoint_url}"
    botocore_exceptions = _import("botocore.exceptions")
    client = _client(settings)

    try:
        remote = _list(client, bucket, prefix)
        files = output_files(out_dir)
        changes: list[tuple[str, str]] = []
        uploads: list[OutputFile] = []
        for file in files:
            etag = remote.get(prefix + file.rel)
            if etag is None or etag != _md5(file.path):
                uploads.append(file)
                changes.append(("send", file.rel))
        local = {prefix + file.rel for file in files}
        stale = sorted(key for key in remote if key not in local and not key.endswith("/"))
        action = "delete" if delete else "keep"
        changes += [(action, key.removeprefix(prefix)) for key in stale]
        if not dry_run:
            _upload(client, bucket, prefix, uploads)
            if delete:
                _delete(client, bucket, stale)
    except botocore_exceptions.NoCredentialsError as exc:
        raise DeployError(
            "no AWS credentials found",
            "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE / --profile",
        ) from exc
    except botocore_exceptions.EndpointConnectionError as exc:
        raise DeployError(
            f"cannot reach the S3 endpoint: {exc}", "check `endpoint_url` and `region`"
        ) from exc
    except botocore_exceptions.ClientError as exc:
        raise _client_error(exc, bucket) from exc
    except botocore_exceptions.BotoCoreError as exc:
        raise DeployError(f"S3 deploy failed: {exc}", "check [deploy.s3] in site.toml") from exc

    return DeployResult(
        destination,
        sent=len(uploads),
        unchanged=len(files) - len(uploads),
        deleted=len(stale) if delete else 0,
        stale_kept=0 if delete else len(stale),
        dry_run=dry_run,
        changes=changes,
    )


def _import(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        raise DeployError(
            "the s3 target needs boto3, which is not installed", "pip install boto3"
        ) from exc


def _client(settings: S3Settings) -> Any:
    boto3_session = _import("boto3.session")
    botocore_config = _import("botocore.config")
    botocore_exceptions = _import("botocore.exceptions")
    try:
        session = boto3_session.Session(profile_name=settings.profile, region_name=settings.region)
        config = botocore_config.Config(
            s3={"addressing_style": settings.addressing_style},
            retries={"max_attempts": 5, "mode": "standard"},
            max_pool_connections=_WORKERS,
        )
        return session.client("s3", endpoint_url=settings.endpoint_url or None, config=config)
    except botocore_exceptions.ProfileNotFound as exc:
        raise DeployError(
            f"AWS profile `{settings.profile}` not found", "check `profile` or ~/.aws/config"
        ) from exc
    except ValueError as exc:
        raise DeployError(f"bad S3 settings: {exc}", "check `endpoint_url` and `region`") from exc


def _list(client: Any, bucket: str, prefix: str) -> dict[str, str]:
    """Key → ETag (unquoted, lower case) of every object under ``prefix``."""
    objects: dict[str, str] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for item in page.get("Contents", []):
            objects[item["Key"]] = str(item.get("ETag", "")).strip('"').lower()
    return objects


def _md5(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, lambda: hashlib.md5(usedforsecurity=False)).hexdigest()


def _upload(client: Any, bucket: str, prefix: str, uploads: list[OutputFile]) -> None:
    def put(file: OutputFile) -> None:
        client.put_object(
            Bucket=bucket,
            Key=prefix + file.rel,
            Body=file.path.read_bytes(),
            ContentType=content_type(file.rel),
            CacheControl=cache_control(file.rel),
        )

    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        for _ in pool.map(put, uploads):
            pass


def _delete(client: Any, bucket: str, keys: list[str]) -> None:
    for start in range(0, len(keys), 1000):
        batch = [{"Key": key} for key in keys[start : start + 1000]]
        answer = client.delete_objects(Bucket=bucket, Delete={"Objects": batch, "Quiet": True})
        errors = answer.get("Errors") or []
        if errors:
            first = errors[0]
            raise DeployError(
                f"could not delete {len(errors)} object(s), e.g. {first.get('Key')}: "
                f"{first.get('Code')} {first.get('Message', '')}".rstrip(),
                "check that the credentials may delete objects in the bucket",
            )


def _client_error(exc: Any, bucket: str) -> DeployError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code", ""))
    if code in ("NoSuchBucket", "404"):
        return DeployError(f"bucket {bucket} does not exist", "create it, or fix `bucket`")
    if code in ("AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"):
        return DeployError(
            f"access to bucket {bucket} denied ({code})",
            "check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or the profile, and the region",
        )
    message = error.get("Message") or str(exc)
    return DeployError(f"S3 error {code}: {message}", "check [deploy.s3] in site.toml")
