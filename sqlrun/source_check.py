"""Source files are checked before any engine reads them, so that every engine reads the same
rows or none does (one line naming the file).

- Parquet starts and ends with PAR1, ORC starts with ORC; a CSV is neither.
- All files of one source have the same columns (parquet/orc: names and types from the footers;
  CSV: the header line). Engines otherwise take the first file's, fail, or merge.
- A CSV is UTF-8 text (a BOM is fine) with a header naming every column once, and every row has
  as many fields as the header. Blank lines are refused: DuckDB and Spark skip them, Polars
  reads a row of NULLs. Engines disagree on everything else (DuckDB's sniffer reads a ragged
  file as `column0..3` from its widest rows, Spark drops or pads fields, Polars pads short rows).

Each file's verdict is kept per (path, size, mtime), in this process and in the schema cache
(`.sqlrun/schemas.json`), so a file is scanned once per version. CSV rows are counted for files
up to CSV_SCAN_BYTES (the demo's 300k plays as a 16 MB CSV: ~0.2 s on a busy 2-core machine);
beyond that only the header is checked, and the engines' strict readers (DuckDB strict_mode, Spark
FAILFAST; Polars refuses long rows but pads short ones) catch the rest at run time.
S3 objects are left to those readers (checking them would mean a request per object).
"""

from __future__ import annotations

import csv
import json
import os
import re
import stat

from sqlrun.errors import ConfigError

CSV_SCAN_BYTES = 256 * 1024 * 1024
CHUNK = 8 * 1024 * 1024
BOM = b"\xef\xbb\xbf"
MAGIC = {"parquet": b"PAR1", "orc": b"ORC"}
CHECKED: dict[str, list] = {}  # file key -> its columns, for files found sound in this process


class SourceFileError(ConfigError):
    """A source file that is not what its format says, or that engines would read differently."""


def file_key(source, path: str, info: os.stat_result) -> str:
    return json.dumps([source.format, source.options, path, info.st_size, info.st_mtime_ns])


def check_files(source, files: list[str]) -> list[str]:
    """Check the local files of a source; returns the keys of the files checked (for the cache)."""
    keys, first = [], None
    for path in files:
        if "://" in path:
            continue
        try:
            info = os.stat(path)
        except OSError as exc:
            raise SourceFileError(f"source '{source.name}': cannot read {path}: {exc.strerror}") from None
        if not stat.S_ISREG(info.st_mode):  # a FIFO would block every reader
            raise SourceFileError(f"source '{source.name}': {path} is not a regular file")
        key = file_key(source, path, info)
        if key not in CHECKED:
            CHECKED[key] = _columns(source, path, info.st_size)
        keys.append(key)
        if first is None:
            first = (path, CHECKED[key])
        elif CHECKED[key] != first[1]:
            raise SourceFileError(
                f"source '{source.name}': {path} has other columns than {first[0]}"
                f" ({_difference(CHECKED[key], first[1])}); engines would read them differently"
            )
    return keys


def _difference(these: list, those: list) -> str:
    """Where two files' columns first differ, shortly: a source may have hundreds of columns."""
    def shown(column) -> str:
        return column if isinstance(column, str) else " ".join(column)

    for i, (a, b) in enumerate(zip(these, those), 1):
        if a != b:
            return f"column {i}: {shown(a)} vs {shown(b)}"
    return f"{len(these)} columns vs {len(those)}"


def _columns(source, path: str, size: int) -> list:
    """The file's columns (to compare the files of one source), once its bytes pass the checks."""
    where = f"source '{source.name}': {path}"
    try:
        with open(path, "rb") as f:
            head = f.read(4)
            f.seek(max(size - 4, 0))
            tail = f.read(4)
    except OSError as exc:
        raise SourceFileError(f"{where}: cannot read it: {exc.strerror}") from None
    if size == 0:
        raise SourceFileError(f"{where}: the file is empty")
    found = next((fmt for fmt, magic in MAGIC.items() if head.startswith(magic)), None)
    if source.format == "csv":
        if found:
            raise SourceFileError(f'{where}: is {_an(found)} file, not CSV (set format = "{found}")')
        return _csv_columns(source, path, where, size)
    if found != source.format:
        what = f"it is {_an(found)} file" if found else "it starts with neither PAR1 nor ORC"
        raise SourceFileError(f'{where}: not {_an(source.format)} file ({what}; set format = "{found or "csv"}"?)')
    if source.format == "parquet" and tail != MAGIC["parquet"]:
        raise SourceFileError(f"{where}: not a complete parquet file (it does not end with PAR1: truncated?)")
    try:
        schema = _footer_schema(path, source.format)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError... for a damaged footer
        problem = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise SourceFileError(f"{where}: cannot read its {source.format} footer: {problem}") from None
    problem = _columns_problem(schema)
    if problem:
        raise SourceFileError(f"{where}: {problem}")
    return [[field.name, str(field.type)] for field in schema]


def _columns_problem(schema) -> str | None:
    """Columns the engines would read differently: duplicate names, over-wide decimals, durations."""
    seen: set[str] = set()
    for field in schema:
        if field.name.lower() in seen:  # DuckDB renames the second one, Polars refuses the file
            return f"column {field.name!r} appears twice (names are case-insensitive in SQL)"
        seen.add(field.name.lower())
        wrong = _type_problem(field.type)
        if wrong:
            return f"column {field.name!r} ({field.type}): {wrong}"
    return None


def _type_problem(arrow_type) -> str | None:
    import pyarrow as pa

    if pa.types.is_decimal(arrow_type) and arrow_type.precision > 38:
        return "more than 38 digits (DuckDB reads it as a rounded DOUBLE, Polars and Spark refuse it)"
    if pa.types.is_duration(arrow_type):
        return "a duration (DuckDB reads the bare number without its unit, Polars a duration)"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type) or pa.types.is_fixed_size_list(arrow_type):
        return _type_problem(arrow_type.value_type)
    if pa.types.is_map(arrow_type):
        return _type_problem(arrow_type.key_type) or _type_problem(arrow_type.item_type)
    if pa.types.is_struct(arrow_type):
        return next((p for f in arrow_type for p in [_type_problem(f.type)] if p), None)
    return None


def _an(fmt: str) -> str:
    return {"parquet": "a parquet", "orc": "an ORC", "csv": "a CSV"}[fmt]


def _footer_schema(path: str, fmt: str):
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_schema(path)
    import pyarrow.orc as orc

    return orc.ORCFile(path).schema


def _csv_columns(source, path: str, where: str, size: int) -> list:
    delimiter = source.options.get("delimiter", ",")
    if size <= 4096:
        with open(path, "rb") as f:
            if not f.read().removeprefix(BOM).strip():
                raise SourceFileError(f"{where}: the file is empty (a CSV needs a header line)")
    scan = size <= CSV_SCAN_BYTES
    suspicious = scan and _scan_bytes(path, where)
    csv.field_size_limit(max(csv.field_size_limit(), 1 << 30))  # long text values are fine
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        try:
            header = next(reader, [])
        except (UnicodeDecodeError, csv.Error) as exc:  # files past CSV_SCAN_BYTES: not scanned
            raise SourceFileError(f"{where}: near line 1: {_csv_problem(exc)}") from None
    if not header:
        raise SourceFileError(f"{where}: line 1 is blank (the first line must be the header)")
    seen: dict[str, int] = {}
    for i, name in enumerate(header, 1):
        if not name.strip():
            raise SourceFileError(f"{where}: column {i} of the header has no name")
        if name.lower() in seen:  # SQL names are case-insensitive; engines rename duplicates differently
            first = seen[name.lower()]
            raise SourceFileError(f'{where}: the header names column {i} "{name}" twice (see column {first})')
        seen[name.lower()] = i
    if scan and (suspicious or not _rows_even(path, delimiter, len(header))):
        _check_csv_rows(path, delimiter, len(header), where)
    return header


def _csv_problem(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "not UTF-8 text (save the file as UTF-8)"
    return f"not valid CSV ({exc})"


def _scan_bytes(path: str, where: str) -> bool:
    """One pass over the bytes: raises, naming the line, for text that is not UTF-8 or has a
    carriage return alone (Polars does not end a line there; the others do). Returns True when
    the file may have a blank line or an unclosed quote, which pyarrow's reader lets pass."""
    carry, offset, quotes, suspicious = b"", 0, 0, False  # offset: where `body` starts in the file
    with open(path, "rb") as f:
        while True:
            chunk = f.read(CHUNK)
            data = carry + chunk
            cut = data.rfind(b"\n") + 1 if chunk else len(data)
            body, carry = data[:cut], data[cut:]
            try:
                body.isascii() or body.decode("utf-8")  # cut at a newline, never inside a character
            except UnicodeDecodeError as exc:
                line = _line_at(path, offset + exc.start)
                raise SourceFileError(f"{where}: line {line}: not UTF-8 text (save the file as UTF-8)") from None
            if b"\r" in body and body.count(b"\r") != body.count(b"\r\n"):
                line = _line_at(path, offset + re.search(rb"\r(?!\n)", body).start())
                raise SourceFileError(
                    f"{where}: line {line} has a carriage return without a newline (Polars would not end a line"
                    " there, DuckDB and Spark would): end lines with \\n or \\r\\n"
                )
            quotes += body.count(b'"')
            suspicious = (
                suspicious or b"\n\n" in body or body.startswith((b"\n", b"\r\n"))
                or (b"\r" in body and b"\n\r\n" in body)
            )
            offset += len(body)
            if not chunk:
                return suspicious or quotes % 2 == 1


def _line_at(path: str, offset: int) -> int:
    """The line number of a byte offset (counted only when there is a problem to report)."""
    with open(path, "rb") as f:
        return f.read(offset).count(b"\n") + 1


def _rows_even(path: str, delimiter: str, fields: int) -> bool:
    """Whether every row has the header's field count, by pyarrow's CSV parser (quotes and
    newlines in values as RFC 4180; ~5x the csv module's speed); False: look with the csv module."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(fields)]
    options = {
        "read_options": pacsv.ReadOptions(column_names=names, skip_rows=1, block_size=1 << 22),
        "parse_options": pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        # One column, as text: parsing still counts every row's fields; nothing is converted.
        "convert_options": pacsv.ConvertOptions(include_columns=["c0"], column_types={"c0": pa.string()}),
    }
    try:
        with pacsv.open_csv(path, **options) as reader:
            for _ in reader:
                pass
    except Exception:  # pyarrow's errors (ArrowInvalid, OSError...): the csv module decides and explains
        return False
    return True


def _check_csv_rows(path: str, delimiter: str, fields: int, where: str) -> None:
    """Every row, with the csv module (quotes, newlines in values); raises naming the line."""
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f, delimiter=delimiter, strict=True)
        try:
            for row in reader:
                if not row:
                    raise SourceFileError(f"{where}: line {reader.line_num} is blank (engines disagree on blank lines)")
                if len(row) != fields:
                    raise SourceFileError(
                        f"{where}: line {reader.line_num} has {len(row)} fields, the header has {fields}"
                    )
        except (UnicodeDecodeError, csv.Error) as exc:
            raise SourceFileError(f"{where}: line {max(reader.line_num, 1)}: {_csv_problem(exc)}") from None
