"""Files written to S3 (or an S3-compatible store): the whole object or nothing.

An object is sent as a multipart upload from a local file: created, its parts uploaded, completed
only at the very end. On any failure or Ctrl-C the upload is aborted, so neither a partial object
nor an unfinished upload remains, and an object already at that key stays until the new one is
complete. Results and charts are first written to a private temp file (`uploading`), so a big
result is never held twice in memory.

Settings (endpoint_url, region, profile) are the project's [s3] table; credentials come from
boto3's chain (sqlrun.s3). No message shows a credential or the endpoint URL.

Local files stay with sqlrun.atomic: `destination`, `check_destination` and `open_destination`
pick one or the other, so results and charts have one code path per kind.
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import signal
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from sqlrun.atomic import check_target, open_output, remove_stale_temps
from sqlrun.errors import SqlrunError
from sqlrun.s3 import S3Location, client, is_s3

PART_SIZE = 8 * 2**20  # S3 takes 5 MiB at least for every part but the last
MAX_PARTS = 10_000  # S3's limit: bigger files get bigger parts
# Test knob, private: tests/test_s3_output.py sets it to a few hundred bytes so that an upload to moto
# (started with a matching S3_UPLOAD_PART_MIN_SIZE) has many parts and can be interrupted mid-way.
# Real S3 refuses parts under 5 MiB.
_PART_SIZE_ENV = "_SQLRUN_S3_PART_BYTES"
_BUCKET = re.compile(r"[A-Za-z0-9._-]{1,255}")  # botocore's own check; S3's rules are stricter
_SPOOL = "sqlrun-upload"  # temp files in the temp directory: .sqlrun-upload.<pid>.<random>.tmp
CONTENT_TYPES = {
    ".parquet": "application/vnd.apache.parquet",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/x-ndjson",
    ".jsonl": "application/x-ndjson",
    ".png": "image/png",
    ".html": "text/html; charset=utf-8",
}


def location(url: str, settings: Mapping | None = None) -> S3Location:
    """The object at `url` (s3://bucket/key) with the project's [s3] settings; a one-line error
    for a URL that names no bucket or no object."""
    if not is_s3(url):
        raise SqlrunError("an S3 output is s3://bucket/key")
    bucket, _, key = url.split("://", 1)[1].partition("/")
    if not bucket:
        raise SqlrunError(f"{url}: names no bucket (s3://bucket/key)")
    if not _BUCKET.fullmatch(bucket):  # not echoed: it may be anything, even a credential
        raise SqlrunError("an S3 output URL names an invalid bucket (s3://bucket/key)")
    if not key or key.endswith("/"):
        raise SqlrunError(f"{url}: names no object; give its key (s3://{bucket}/path/result.parquet)")
    if len(key.encode("utf-8", "surrogateescape")) > 1024:
        raise SqlrunError(f"s3://{bucket}/...: an object key is at most 1024 bytes")
    settings = settings or {}
    return S3Location(bucket, key, settings.get("endpoint_url"), settings.get("region"), settings.get("profile"))


def check(dest: S3Location) -> None:
    """Before any work: the bucket exists and we may write the object. Starts a multipart upload
    (it needs the same permission as the real one) and aborts it, so nothing is left behind."""
    s3 = _client(dest)
    upload_id = _create(s3, dest, "application/octet-stream")
    _abort(s3, dest, upload_id)


def upload(
    dest: str | S3Location,
    data: bytes | str | os.PathLike,
    settings: Mapping | None = None,
    *,
    content_type: str | None = None,
    part_size: int | None = None,
) -> None:
    """`data` (bytes, or the path of a local file) as the whole object at `dest` (an s3:// URL
    with `settings`, or a location), or nothing: see the module's docstring."""
    dest = dest if isinstance(dest, S3Location) else location(dest, settings)
    if isinstance(data, (bytes, bytearray, memoryview)):
        stream, size = io.BytesIO(data), len(data)
    else:
        try:
            stream = open(data, "rb")
        except OSError as exc:
            raise SqlrunError(f"cannot upload {data}: {(exc.strerror or str(exc)).lower()}") from None
        size = os.fstat(stream.fileno()).st_size
    with stream:
        part = max(part_size or int(os.environ.get(_PART_SIZE_ENV) or PART_SIZE), -(-size // MAX_PARTS), 1)
        _multipart(dest, stream, part, content_type or content_type_of(dest.key))


@contextmanager
def uploading(
    dest: str | S3Location, settings: Mapping | None = None, *, content_type: str | None = None
) -> Iterator[str]:
    """A private local temp file to write into, uploaded as the whole object at `dest` when the
    block succeeds (nothing is uploaded when it fails); removed either way."""
    dest = dest if isinstance(dest, S3Location) else location(dest, settings)
    spool = Path(tempfile.gettempdir(), _SPOOL)
    remove_stale_temps(spool)  # left by a sqlrun that was killed
    fd, tmp = tempfile.mkstemp(prefix=f".{_SPOOL}.{os.getpid()}.", suffix=".tmp", dir=spool.parent)
    os.close(fd)
    try:
        yield tmp
        upload(dest, tmp, content_type=content_type)
    finally:
        with suppress(OSError):
            os.unlink(tmp)


def content_type_of(key: str) -> str:
    return CONTENT_TYPES.get(Path(key).suffix.lower(), "application/octet-stream")


# -- a result or chart: a local file (sqlrun.atomic) or an S3 object ----------------------------------------------


def destination(path: str | Path, settings: Mapping | None = None) -> Path | S3Location:
    """Where `--output PATH` goes: an S3 object for s3:// URLs (with the [s3] settings), else the path."""
    return location(str(path), settings) if is_s3(str(path)) else Path(path)


def check_destination(dest: str | Path | S3Location) -> None:
    """Before the query runs: a one-line error if the destination cannot be written."""
    dest = destination(dest) if isinstance(dest, str) else dest  # an s3:// string is never a local path
    if isinstance(dest, S3Location):
        check(dest)
    else:
        check_target(dest)


@contextmanager
def open_destination(dest: str | Path | S3Location) -> Iterator[BinaryIO]:
    """A binary handle for a result or chart; the destination is replaced only if the block succeeds."""
    dest = destination(dest) if isinstance(dest, str) else dest
    if not isinstance(dest, S3Location):
        with open_output(dest) as handle:
            yield handle
        return
    with uploading(dest) as tmp:
        try:
            with open(tmp, "wb") as handle:
                yield handle
        except OSError as exc:  # the local disk is full: nothing is uploaded
            raise SqlrunError(f"cannot write {dest}: {exc.strerror or exc} (its local temp file {tmp})") from None


# -- the multipart upload --------------------------------------------------------------------------------------------


def _client(dest: S3Location):
    return client(dataclasses.replace(dest, key=""))  # one client per endpoint, not per object


def _multipart(dest: S3Location, stream: BinaryIO, part_size: int, content_type: str) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    s3 = _client(dest)
    upload_id = _create(s3, dest, content_type)
    try:
        parts: list[dict] = []
        while True:
            chunk = stream.read(part_size)
            if parts and not chunk:
                break
            number = len(parts) + 1
            sent = s3.upload_part(Bucket=dest.bucket, Key=dest.key, UploadId=upload_id, PartNumber=number, Body=chunk)
            parts.append({"ETag": sent["ETag"], "PartNumber": number})
            if len(chunk) < part_size:
                break
        s3.complete_multipart_upload(
            Bucket=dest.bucket, Key=dest.key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )
    except BaseException as exc:  # an error, Ctrl-C, anything: no partial object, no unfinished upload
        _abort(s3, dest, upload_id)
        if isinstance(exc, (ClientError, BotoCoreError)):
            raise _error(dest, exc) from None
        raise


def _create(s3, dest: S3Location, content_type: str) -> str:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return s3.create_multipart_upload(Bucket=dest.bucket, Key=dest.key, ContentType=content_type)["UploadId"]
    except (ClientError, BotoCoreError) as exc:
        raise _error(dest, exc) from None


def _abort(s3, dest: S3Location, upload_id: str) -> None:
    """Abort the upload, undisturbed by another Ctrl-C (which would leave it behind)."""
    from botocore.exceptions import BotoCoreError, ClientError

    with _no_interrupts(), suppress(ClientError, BotoCoreError):
        s3.abort_multipart_upload(Bucket=dest.bucket, Key=dest.key, UploadId=upload_id)


@contextmanager
def _no_interrupts() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.getsignal(signal.SIGINT)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _error(dest: S3Location, exc: Exception) -> SqlrunError:
    """One line naming the object, never the endpoint URL (it may carry a token) nor a credential."""
    from botocore.exceptions import ClientError, NoCredentialsError
    from botocore.exceptions import ConnectionError as Unreachable

    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        if error.get("Code") == "NoSuchBucket":
            return SqlrunError(f"cannot write {dest}: bucket '{dest.bucket}' does not exist")
        reason = f"{error.get('Code')}: {error.get('Message')}"
    elif isinstance(exc, NoCredentialsError):
        reason = "no AWS credentials found (set AWS_PROFILE, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or use a role)"
    elif isinstance(exc, Unreachable):
        reason = "cannot reach the S3 endpoint" + (" ([s3] endpoint_url)" if dest.endpoint_url else "")
    else:
        reason = f"{type(exc).__name__}: {exc}"
    if dest.endpoint_url:
        reason = reason.replace(dest.endpoint_url, "the endpoint")
    return SqlrunError(f"cannot write {dest}: {' '.join(reason.split())}")
