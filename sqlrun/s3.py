"""Sources on S3 (or an S3-compatible store): listing keys, globbing, and the filesystems
the engines read through.

Credentials always come from boto3's usual chain (environment, profile, SSO, instance role),
never from sqlrun.toml; they are read when a source is used, passed to the readers in memory,
and never put in an error message. boto3 and pyarrow are imported lazily.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from sqlrun.errors import ConfigError, EngineError

if TYPE_CHECKING:
    import pyarrow.dataset as ds
    import pyarrow.fs

    from sqlrun.config import Source

SCHEMES = ("s3://", "s3a://")
SETTINGS = ("endpoint_url", "region", "profile")
DEFAULT_REGION = "us-east-1"


def is_s3(path: str) -> bool:
    return path.startswith(SCHEMES)


@dataclass(frozen=True)
class S3Location:
    """Where an S3 source lives: a bucket and a key, a key prefix or a key glob."""

    bucket: str
    key: str
    endpoint_url: str | None = None
    region: str | None = None
    profile: str | None = None

    @classmethod
    def parse(cls, name: str, path: str, settings: dict) -> S3Location:
        bucket, _, key = path.split("://", 1)[1].partition("/")
        if not bucket:
            raise ConfigError(f"[sources.{name}] path '{path}' names no bucket (s3://bucket/prefix/*.parquet)")
        endpoint = settings.get("endpoint_url")
        if endpoint is not None and not re.match(r"https?://[^/]+", str(endpoint)):
            # Not echoed: a URL may carry credentials (http://user:password@host).
            raise ConfigError(f"[sources.{name}] endpoint_url must be http(s)://host[:port]")
        for key_name in ("region", "profile"):
            if key_name in settings and not isinstance(settings[key_name], str):
                raise ConfigError(f"[sources.{name}] {key_name} must be a string")
        return cls(bucket, key, endpoint, settings.get("region"), settings.get("profile"))

    def url(self, key: str) -> str:
        return f"s3://{self.bucket}/{key}"

    def __str__(self) -> str:  # never the endpoint: it may carry a token
        return self.url(self.key)


@dataclass(frozen=True)
class S3Object:
    key: str
    size: int
    etag: str
    last_modified: str


def glob_regex(pattern: str) -> re.Pattern:
    """A key glob as a regex (fsspec's), like local globs: `*` and `?` stay within one `/` level,
    a `**` segment spans any. ValueError for `**` inside a segment."""
    from fsspec.utils import glob_translate

    return re.compile(glob_translate(pattern))


def _has_magic(key: str) -> bool:
    return any(c in key for c in "*?[")


def boto_session(location: S3Location):
    import boto3
    from botocore.exceptions import BotoCoreError

    try:
        return boto3.Session(profile_name=location.profile, region_name=location.region)
    except BotoCoreError as exc:  # e.g. ProfileNotFound: names the profile, holds no secret
        raise ConfigError(f"s3://{location.bucket}: {exc}") from None


@lru_cache(maxsize=16)
def client(location: S3Location):
    """A boto3 S3 client for the location (endpoint, region and profile from sqlrun.toml).
    Kept per process: creating one costs ~0.1 s, and a run lists its sources several times;
    botocore refreshes temporary credentials itself."""
    session = boto_session(location)
    return session.client(
        "s3", endpoint_url=location.endpoint_url, region_name=location.region or session.region_name or DEFAULT_REGION
    )


def list_objects(source: Source) -> list[S3Object]:
    """The objects behind an S3 source, sorted by key: an exact key, a glob, or every
    `*.<format>` object under a prefix (skipping `_SUCCESS`-style and hidden files)."""
    from botocore.exceptions import BotoCoreError, ClientError

    loc = source.s3
    magic = _has_magic(loc.key)
    prefix = re.split(r"[*?\[]", loc.key, maxsplit=1)[0] if magic else loc.key
    try:
        regex = glob_regex(loc.key) if magic else None
    except ValueError as exc:
        raise ConfigError(f"source '{source.name}': s3://{loc.bucket}/{loc.key}: {exc}") from None
    try:
        pages = client(loc).get_paginator("list_objects_v2").paginate(Bucket=loc.bucket, Prefix=prefix)
        listed = [obj for page in pages for obj in page.get("Contents", [])]
    except ClientError as exc:
        error = exc.response.get("Error", {})
        where = f"source '{source.name}': s3://{loc.bucket}/{prefix}"
        raise EngineError(f"{where}: {error.get('Code')}: {error.get('Message')}") from None
    except BotoCoreError as exc:
        raise EngineError(f"source '{source.name}': s3://{loc.bucket}/{prefix}: {exc}") from None
    if regex is not None:
        keep = [o for o in listed if regex.match(o["Key"])]
    else:
        exact = [o for o in listed if o["Key"] == loc.key]
        folder = loc.key.rstrip("/") + "/" if loc.key else ""
        keep = exact or [
            o for o in listed
            if o["Key"].startswith(folder) and o["Key"].endswith(f".{source.format}")
            and not o["Key"].rsplit("/", 1)[-1].startswith((".", "_"))
        ]
    return sorted(
        (S3Object(o["Key"], o["Size"], o.get("ETag", "").strip('"'), o["LastModified"].isoformat()) for o in keep),
        key=lambda o: o.key,
    )


def credentials(location: S3Location):
    """Frozen credentials from the AWS chain; a clear error (without any secret) when there are none."""
    creds = boto_session(location).get_credentials()
    if creds is None:
        raise ConfigError(
            f"s3://{location.bucket}: no AWS credentials found (set AWS_PROFILE, AWS_ACCESS_KEY_ID/"
            "AWS_SECRET_ACCESS_KEY, or run on a machine with a role)"
        )
    return creds.get_frozen_credentials()


def _region(location: S3Location) -> str:
    return location.region or boto_session(location).region_name or DEFAULT_REGION


def arrow_filesystem(location: S3Location) -> pyarrow.fs.S3FileSystem:
    """pyarrow's S3 filesystem with the chain's credentials and the source's endpoint."""
    return _arrow_filesystem(location, *_credential_tuple(location))


def _credential_tuple(location: S3Location) -> tuple[str, str, str | None]:
    creds = credentials(location)
    return creds.access_key, creds.secret_key, creds.token


@lru_cache(maxsize=8)
def _arrow_filesystem(location: S3Location, access_key: str, secret_key: str, token: str | None):
    from pyarrow import fs

    kwargs = {}
    if location.endpoint_url:
        kwargs["endpoint_override"] = location.endpoint_url
        kwargs["scheme"] = location.endpoint_url.split("://", 1)[0]
    return fs.S3FileSystem(
        access_key=access_key, secret_key=secret_key, session_token=token, region=_region(location), **kwargs
    )


def arrow_dataset(source: Source, urls: list[str] | None = None) -> ds.Dataset:
    """A lazy pyarrow dataset over the source's objects (footers and row groups read on demand)."""
    import pyarrow.dataset as ds

    urls = urls if urls is not None else source.files()
    paths = [u.split("://", 1)[1] for u in urls]
    return ds.dataset(paths, format=source.format, filesystem=arrow_filesystem(source.s3))


def polars_storage_options(location: S3Location) -> dict[str, str]:
    """storage_options for Polars' native object-store reader."""
    access_key, secret_key, token = _credential_tuple(location)
    options = {"aws_access_key_id": access_key, "aws_secret_access_key": secret_key, "aws_region": _region(location)}
    if token:
        options["aws_session_token"] = token
    if location.endpoint_url:
        options["aws_endpoint_url"] = location.endpoint_url
        options["aws_allow_http"] = str(location.endpoint_url.startswith("http://")).lower()
    return options


def fingerprint_entries(source: Source) -> list[list]:
    """Keys, sizes, ETags and modification times: a changed object changes the fingerprint."""
    return [[source.s3.url(o.key), o.size, o.etag, o.last_modified] for o in list_objects(source)]


def download(source: Source, directory: str, copies: dict[tuple[str, str], str]) -> list[str]:
    """Copy the source's objects under `directory`, keeping their key paths (and so any
    Hive-style partition folders); `copies` maps (url, ETag) to a file already downloaded,
    so an unchanged object is fetched once. Returns the local files."""
    from pathlib import Path

    from botocore.exceptions import BotoCoreError, ClientError

    s3 = client(source.s3)
    files = []
    for obj in list_objects(source):
        url = source.s3.url(obj.key)
        if (url, obj.etag) not in copies:
            parts = obj.key.split("/")
            if any(part in ("", ".", "..") for part in parts):  # a key is a name, never a way out of `directory`
                raise EngineError(
                    f"source '{source.name}': object key {obj.key!r} cannot be copied to local disk"
                    " (empty, '.' or '..' path segments); use s3_read = \"s3a\" or rename the object"
                )
            target = Path(directory, source.s3.bucket, *parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                s3.download_file(source.s3.bucket, obj.key, str(target))
            except (ClientError, BotoCoreError) as exc:
                raise EngineError(f"source '{source.name}': cannot download {url}: {exc}") from None
            copies[(url, obj.etag)] = str(target)
        files.append(copies[(url, obj.etag)])
    if not files:
        raise ConfigError(f"source '{source.name}': no {source.format} objects at {source.path}")
    return files
