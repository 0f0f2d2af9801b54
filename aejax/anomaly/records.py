"""The user's records: CSV, .npy, .npz and Parquet files as named columns, read whole or in chunks.

Every column is numeric (float64), text (categorical codes into the levels of the chunk) or time
(float64 seconds, from numbers or ISO 8601 timestamps). Booleans (true/false) are text. Rows are
counted as errors and outputs name them: the line number where the record starts in a CSV file
(the header is line 1; blank lines and line breaks inside quoted fields are counted), else the
1-based record index.

Kinds are inferred from every cell of the file (`file_columns`): a column whose cells are all
numbers is numeric; one whose cells are mostly numbers but for a few that are not is reported
with those cells (`FileColumns.stray`), never turned into text silently. Missing values: an empty
cell, a cell listed in `na_values` and a NaN are missing; `read_chunks` gives them as NaN in the
numeric columns named `missing` and refuses them (naming the cell) elsewhere. An empty text cell
is the level "".

CSV is parsed by pyarrow (a C++ reader, streamed in blocks; it drops a UTF-8 byte-order mark).
When pyarrow refuses a block, the file is read again with Python's csv module up to the bad
record, so the error names the file, the row and the column. A CSV whose first row is all numbers
has no header: its columns are named x0, x1, ... (as the columns of an .npy array are).
.npz: a 2-D array (named X, or the only one) gives columns x0, x1, ...; every 1-D array of the
same length is a column under its own name (labels `y`, a time stamp, a series id).
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from aejax.anomaly.tables import RecordError

NUMERIC, TEXT, TIME = "numeric", "text", "time"
FORMATS = (".csv", ".npy", ".npz", ".parquet")
CHUNK_ROWS = 65536
# what pyarrow's CSV reader accepts as a float (surrounding blanks are trimmed)
NUMBER_PATTERN = r"^\s*[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|nan|inf|infinity)\s*$"
STRAY_SHOWN = 5  # stray cells named in an error


class InputError(ValueError):
    """A file that cannot be read as records (format, encoding, no records, missing columns)."""


@dataclasses.dataclass(frozen=True, eq=False)
class Columns:
    """Records of a file: n of them, the first at row `first_row`.

    numeric: name -> float64 [n] (numeric and time columns; NaN = missing); text: name -> (codes
    int32 [n], levels): the values of a text column are levels[codes]; lines: the row of each
    record, int64 [n] (None: first_row, first_row + 1, ...).
    """

    first_row: int
    n: int
    numeric: dict[str, np.ndarray]
    text: dict[str, tuple[np.ndarray, tuple[str, ...]]]
    lines: np.ndarray | None = None

    def __len__(self) -> int:
        return self.n

    def text_values(self, name: str) -> np.ndarray:
        """The strings of text column `name`, object [n]."""
        codes, levels = self.text[name]
        return np.asarray(levels, dtype=object)[codes]

    def rows(self) -> np.ndarray:
        """Row numbers int64 [n]."""
        if self.lines is not None:
            return self.lines
        return np.arange(self.first_row, self.first_row + self.n)

    def row(self, i: int) -> int:
        """The row number of record i of these columns."""
        return int(self.lines[i]) if self.lines is not None else self.first_row + int(i)


@dataclasses.dataclass(frozen=True)
class StrayCells:
    """Cells of a column of numbers that are not numbers: how many, in how many numbers, the
    first few as (row, value), and their distinct values (the first few)."""

    count: int
    numbers: int
    first: tuple[tuple[int, str], ...]
    values: tuple[str, ...]

    def describe(self) -> str:
        cells = ", ".join(f"row {r} {v!r}" for r, v in self.first)
        more = f" and {self.count - len(self.first)} more" if self.count > len(self.first) else ""
        what = "cell that is not a number" if self.count == 1 else "cells that are not numbers"
        return f"{self.count} {what} among {self.numbers} numbers: {cells}{more}"


@dataclasses.dataclass(frozen=True)
class FileColumns:
    """The columns of a file in order, the kind of each, and the numeric columns with stray
    non-number cells (their kind is NUMERIC; reading them as numbers fails at those cells)."""

    names: tuple[str, ...]
    kinds: dict[str, str]
    stray: dict[str, StrayCells] = dataclasses.field(default_factory=dict)


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{path}: unsupported file type {suffix or '(none)'!r}; use one of {', '.join(FORMATS)}")
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    return suffix


def _no_records(path: Path) -> InputError:
    return InputError(f"no records in {path}")


# --------------------------------------------------------------------------------------------- CSV


def _check_utf8(path: Path) -> None:
    """Names the first line of `path` that is not UTF-8."""
    with open(path, "rb") as f:
        for line_number, line in enumerate(f, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as err:
                raise InputError(f"{path} is not UTF-8 text: line {line_number} holds byte "
                                 f"0x{line[err.start]:02x} at position {err.start + 1}; save the file as UTF-8") from None


def _first_row(path: Path) -> list[str]:
    with open(path, "rb") as f:
        line = f.readline()
    try:
        text = line.decode("utf-8-sig")
    except UnicodeDecodeError:
        _check_utf8(path)
    if not text.strip():
        raise _no_records(path)
    return [field.strip() for field in next(csv.reader([text]))]


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _csv_header(path: Path, expected: tuple[str, ...] | None = None,
                optional: tuple[str, ...] = ()) -> tuple[tuple[str, ...], bool]:
    """(column names, whether line 1 is a header). With `expected` (the columns the file should
    hold), line 1 is a header when it names an expected column; otherwise the file's columns are
    the expected ones in order (without the `optional` ones if it has that many fewer fields).
    Without, a first row of numbers is data (columns x0, x1, ...)."""
    first = _first_row(path)
    if expected is not None:
        if any(f in expected for f in first) and not all(_is_number(f) for f in first):
            return tuple(first), True  # a header (columns it lacks are named by read_chunks)
        required = tuple(c for c in expected if c not in optional)
        return (required if len(first) == len(required) else tuple(expected)), False
    if all(_is_number(f) for f in first):
        return tuple(f"x{i}" for i in range(len(first))), False
    duplicated = sorted({f for f in first if first.count(f) > 1})
    if duplicated:
        raise InputError(f"{path}: the header names columns {duplicated} more than once")
    if "" in first:
        raise InputError(f"{path}: the header has an empty column name (column {first.index('') + 1})")
    return tuple(first), True


def _csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line where the record starts, fields) of every record of `path`, blank lines skipped
    (as pyarrow skips them), by Python's csv module."""
    _check_utf8(path)
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        end = 0
        for record in reader:
            start, end = end + 1, reader.line_num
            if record:
                yield start, record


@dataclasses.dataclass(frozen=True)
class _Layout:
    """Where the records of a CSV file start: record i (0-based, the header not counted) starts
    on line i + shift[j] for the last j with starts[j] <= i; multiline: a quoted field holds a
    line break (pyarrow must be told)."""

    starts: np.ndarray
    shift: np.ndarray
    multiline: bool

    def lines(self, first: int, n: int) -> np.ndarray:
        index = np.arange(first, first + n)
        return index + self.shift[np.searchsorted(self.starts, index, side="right") - 1]


_LAYOUTS: dict = {}


def _layout(path: Path, header: bool) -> _Layout:
    """The line of each record of `path`: record index + 1 (+ 1 for the header) unless the file
    has blank lines or quotes, which are then read with Python's csv module once (cached by
    the file's size and mtime)."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, header)
    if key in _LAYOUTS:
        return _LAYOUTS[key]
    irregular, tail = False, b""
    with open(path, "rb") as f:
        while block := f.read(1 << 24):
            block = tail + block
            if b'"' in block or b"\n\n" in block or b"\n\r\n" in block or block.startswith((b"\n", b"\r\n")) and not tail:
                irregular = True
                break
            tail = block[-2:]
    base = 2 if header else 1
    if not irregular:
        layout = _Layout(np.array([0]), np.array([base]), False)
    else:
        starts, shift, multiline, record = [0], [base], False, -1 if header else 0
        for line, fields in _csv_records(path):
            if record >= 0 and line - record != shift[-1]:
                starts.append(record)
                shift.append(line - record)
            multiline = multiline or any("\n" in v or "\r" in v for v in fields)
            record += 1
        layout = _Layout(np.array(starts), np.array(shift), multiline)
    if len(_LAYOUTS) > 16:
        _LAYOUTS.clear()
    _LAYOUTS[key] = layout
    return layout


def _locate_bad_record(path: Path, names: tuple[str, ...], header: bool, numeric: set[str],
                       na_values: tuple[str, ...] = ()) -> None:
    """Reads `path` with Python's csv module and raises RecordError for the first record with the
    wrong number of fields or a numeric field that is not a number."""
    missing = {"", *na_values}
    for index, (row, record) in enumerate(_csv_records(path)):
        if header and index == 0:
            continue
        if len(record) != len(names):
            raise RecordError(f"row {row}: {len(record)} fields, expected {len(names)} ({', '.join(names)})")
        for col, (name, field) in enumerate(zip(names, record), start=1):
            if name not in numeric or field in missing or field.strip() in missing:
                continue
            text = field.strip()
            try:
                value = float(text)
            except ValueError:
                raise RecordError(f"row {row}, column {col} ({name!r}): {text!r} is not a number") from None
            if np.isinf(value):
                raise RecordError(f"row {row}, column {col} ({name!r}): {text!r} is not finite")


def _csv_options(names, header: bool, types: dict | None, block_size: int | None = None,
                 na_values: tuple[str, ...] = (), multiline: bool = False, strings_can_be_null: bool = False):
    import pyarrow.csv as pcsv

    read = pcsv.ReadOptions(column_names=list(names), skip_rows=1 if header else 0,
                            **({"block_size": block_size} if block_size else {}))
    convert = pcsv.ConvertOptions(column_types=types or {}, include_columns=list(types) if types else None,
                                  null_values=["", *na_values], strings_can_be_null=strings_can_be_null,
                                  quoted_strings_can_be_null=True)
    parse = pcsv.ParseOptions(newlines_in_values=multiline)
    return read, convert, parse


def _block_size(path: Path, chunk_rows: int) -> int:
    """Bytes of about `chunk_rows` records (pyarrow splits the file into byte blocks)."""
    with open(path, "rb") as f:
        sample = f.read(1 << 16)
    line = max(len(sample) / max(sample.count(b"\n"), 1), 8)
    return int(min(max(line * chunk_rows, 1 << 14), 1 << 28))


# ----------------------------------------------------------------------------------- arrow -> columns


def _kind_of(arrow_type) -> str:
    import pyarrow as pa

    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return NUMERIC
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return TIME
    if pa.types.is_null(arrow_type):
        return NUMERIC  # an all-empty column: its missing values are reported when it is read
    return TEXT  # strings and booleans (categorical)


def _arrow_type(kind: str):
    import pyarrow as pa

    return {NUMERIC: pa.float64(), TIME: pa.timestamp("ns"), TEXT: pa.string()}[kind]


def _to_columns(batch, kinds: dict[str, str], rows: np.ndarray, names: tuple[str, ...],
                missing: frozenset = frozenset()) -> Columns:
    """Columns of an arrow record batch (or table) whose records are on `rows`. Missing values
    (nulls, NaN) are NaN in the numeric columns `missing` and "" in their text columns; elsewhere,
    and for infinite numbers, RecordErrors naming the row and column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    numeric, text = {}, {}
    for name, kind in kinds.items():
        column = batch.column(batch.schema.get_field_index(name))
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        col = names.index(name) + 1
        if column.null_count and name not in missing:
            bad = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
            raise RecordError(f"row {rows[bad]}, column {col} ({name!r}): empty value; fill or drop it")
        if kind == TEXT:
            encoded = pc.dictionary_encode(column.cast(pa.string()).fill_null(""))
            text[name] = (encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32),
                          tuple(encoded.dictionary.to_pylist()))
            continue
        if kind == TIME:
            column = column.cast(pa.timestamp("ns")).cast(pa.int64())
            values = column.to_numpy(zero_copy_only=False).astype(np.float64) / 1e9
        else:
            values = column.cast(pa.float64()).fill_null(np.nan).to_numpy(zero_copy_only=False)
        finite = np.isfinite(values)
        if not finite.all():
            infinite = np.isinf(values) if name in missing else ~finite
            if infinite.any():
                bad = int(np.flatnonzero(infinite)[0])
                raise RecordError(f"row {rows[bad]}, column {col} ({name!r}): '{float(values[bad])}' is not finite")
        numeric[name] = values
    return Columns(int(rows[0]) if len(rows) else 1, batch.num_rows, numeric, text, rows)


# ---------------------------------------------------------------------------------------- NumPy


def _npy_columns(array: np.ndarray) -> dict[str, np.ndarray]:
    if array.dtype.names:
        return {name: array[name] for name in array.dtype.names}
    if array.ndim == 1:
        return {"x0": array}
    if array.ndim != 2:
        raise InputError(f"an .npy array of shape {array.shape}: expected [N, D] records")
    return {f"x{i}": array[:, i] for i in range(array.shape[1])}


def _npz_columns(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    matrices = {k: a for k, a in arrays.items() if a.ndim == 2}
    if len(matrices) > 1 and "X" not in matrices:
        raise InputError(f"{path} holds several 2-D arrays {sorted(matrices)}; name the features X")
    columns = {}
    if matrices:
        key = "X" if "X" in matrices else next(iter(matrices))
        columns.update({f"x{i}": matrices[key][:, i] for i in range(matrices[key].shape[1])})
    n = len(next(iter(columns.values()))) if columns else None
    for k, a in arrays.items():
        if a.ndim == 1:
            if n is not None and len(a) != n:
                raise InputError(f"{path}: array {k!r} has {len(a)} rows, the features {n}")
            columns[k] = a
            n = len(a)
    if not columns:
        raise InputError(f"{path} holds no 1-D or 2-D arrays")
    return columns


def _array_kind(array: np.ndarray) -> str:
    if array.dtype.kind in "iuf":
        return NUMERIC
    if array.dtype.kind == "M":
        return TIME
    return TEXT  # strings and booleans


def _numpy_batch(arrays: dict[str, np.ndarray], kinds: dict[str, str], start: int, stop: int):
    """Records start .. stop - 1 of the arrays as an arrow table of the columns `kinds`."""
    import pyarrow as pa

    return pa.table({name: pa.array(_as_arrow_input(arrays[name][start:stop], kinds[name])) for name in kinds})


def _as_arrow_input(values: np.ndarray, kind: str):
    if kind == TEXT:
        return np.asarray(values).astype(str)
    if kind == TIME:
        return np.asarray(values).astype("datetime64[ns]")
    return np.asarray(values, np.float64)


# ----------------------------------------------------------------------------------- kinds of CSV


@dataclasses.dataclass
class _Census:
    """What one streamed pass saw in a CSV column read as strings."""

    present: int = 0
    numbers: int = 0
    times: bool = True  # every block's present cells parse as ISO 8601 timestamps
    others: int = 0
    first: list = dataclasses.field(default_factory=list)
    values: list = dataclasses.field(default_factory=list)


def _census(column, census: _Census, rows: np.ndarray) -> None:
    import pyarrow as pa
    import pyarrow.compute as pc

    present = len(column) - column.null_count
    if not present:
        return
    census.present += present
    try:
        column.cast(pa.float64())
        census.numbers += present
        census.times = False
        return
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    is_number = pc.match_substring_regex(column, NUMBER_PATTERN, ignore_case=True).fill_null(True)
    numbers = int(pc.sum(is_number).as_py() or 0) - column.null_count
    census.numbers += numbers
    census.others += present - numbers
    if census.times:
        try:
            column.cast(pa.timestamp("ns"))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            census.times = False
    if len(census.first) < STRAY_SHOWN or len(census.values) < STRAY_SHOWN:
        bad = np.flatnonzero(~is_number.to_numpy(zero_copy_only=False))
        values = column.take(pa.array(bad[: 10 * STRAY_SHOWN])).to_pylist()
        for i, value in zip(bad, values):
            if len(census.first) < STRAY_SHOWN:
                census.first.append((int(rows[i]), value))
            if value not in census.values and len(census.values) < STRAY_SHOWN:
                census.values.append(value)


def _csv_file_columns(path: Path, na_values: tuple[str, ...]) -> FileColumns:
    """Kinds of a CSV's columns from one streamed pass over every cell, read as strings."""
    import pyarrow as pa
    import pyarrow.csv as pcsv

    names, header = _csv_header(path)
    layout = _layout(path, header)
    read, convert, parse = _csv_options(names, header, {n: pa.string() for n in names},
                                        _block_size(path, CHUNK_ROWS), na_values, layout.multiline,
                                        strings_can_be_null=True)
    census = {n: _Census() for n in names}
    first = 0
    try:
        for batch in pcsv.open_csv(path, read_options=read, convert_options=convert, parse_options=parse):
            rows = layout.lines(first, batch.num_rows)
            for i, name in enumerate(names):
                _census(batch.column(i), census[name], rows)
            first += batch.num_rows
    except pa.ArrowInvalid as err:
        _locate_bad_record(path, names, header, set(), na_values)
        raise InputError(f"{path}: {err}") from None
    kinds, stray = {}, {}
    for name, c in census.items():
        if c.others == 0:
            kinds[name] = NUMERIC  # all numbers, or all missing
        elif c.times and c.numbers == 0:
            kinds[name] = TIME
        elif c.numbers > c.others:
            kinds[name] = NUMERIC
            stray[name] = StrayCells(c.others, c.numbers, tuple(c.first), tuple(c.values))
        else:
            kinds[name] = TEXT
    return FileColumns(names, kinds, stray)


# ----------------------------------------------------------------------------------------- API


def file_columns(path, na_values: tuple[str, ...] = ()) -> FileColumns:
    """The columns of `path` and their kinds, inferred from the whole file (CSV: every cell, in one
    streamed pass; NumPy: the dtype; Parquet: the schema). `na_values`: cells that mean "missing"."""
    path = Path(path)
    suffix = _format(path)
    if suffix == ".csv":
        return _csv_file_columns(path, tuple(na_values))
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        schema = pq.ParquetFile(path).schema_arrow
        return FileColumns(tuple(schema.names), {n: _kind_of(schema.field(n).type) for n in schema.names})
    arrays = _npz_columns(path) if suffix == ".npz" else _npy_columns(np.load(path, mmap_mode="r"))
    return FileColumns(tuple(arrays), {n: _array_kind(a) for n, a in arrays.items()})


def column_names(path, *, expected: tuple[str, ...] | None = None, optional: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The columns `path` holds (a CSV without a header: those `expected` in order, see read_chunks)."""
    path = Path(path)
    suffix = _format(path)
    if suffix == ".csv":
        return _csv_header(path, expected, optional)[0]
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return tuple(pq.ParquetFile(path).schema_arrow.names)
    return tuple(_npz_columns(path) if suffix == ".npz" else _npy_columns(np.load(path, mmap_mode="r")))


def read_chunks(path, kinds: dict[str, str], *, expected: tuple[str, ...] | None = None,
                optional: tuple[str, ...] = (), chunk_rows: int = CHUNK_ROWS, na_values: tuple[str, ...] = (),
                missing: tuple[str, ...] = ()) -> Iterator[Columns]:
    """The columns `kinds` (name -> NUMERIC | TEXT | TIME) of `path`, `chunk_rows` records at a time.

    `expected`: the columns the file was fitted on, in order: a CSV without a header row must hold
    exactly these. `optional` columns are read when the file has them (e.g. a label column).
    `na_values`: CSV cells that are missing values (besides empty ones); `missing`: the columns
    where a missing value is allowed (NaN, or "" in a text column); elsewhere it is an error.
    Raises InputError for a file without records or without a needed column, RecordError naming
    the row and column of a bad value.
    """
    path = Path(path)
    suffix = _format(path)
    missing = frozenset(missing)
    if suffix == ".csv":
        names, header = _csv_header(path, expected, optional)
        yield from _csv_chunks(path, names, header, _present(path, names, kinds, optional), chunk_rows,
                               tuple(na_values), missing)
        return
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        kinds = _present(path, tuple(parquet.schema_arrow.names), kinds, optional)
        first, seen = 1, False
        for batch in parquet.iter_batches(batch_size=chunk_rows, columns=list(kinds)):
            seen = seen or batch.num_rows > 0
            yield _to_columns(batch, kinds, np.arange(first, first + batch.num_rows), tuple(parquet.schema_arrow.names),
                              missing)
            first += batch.num_rows
        if not seen:
            raise _no_records(path)
        return
    arrays = _npz_columns(path) if suffix == ".npz" else _npy_columns(np.load(path, mmap_mode="r"))
    kinds = _present(path, tuple(arrays), kinds, optional)
    n = len(next(iter(arrays.values())))
    if n == 0:
        raise _no_records(path)
    for start in range(0, n, chunk_rows):
        stop = min(start + chunk_rows, n)
        yield _to_columns(_numpy_batch(arrays, kinds, start, stop), kinds, np.arange(start + 1, stop + 1),
                          tuple(arrays), missing)


def read_all(path, kinds: dict[str, str], **kwargs) -> Columns:
    """All records of `path` as one Columns (see `read_chunks`)."""
    chunks = list(read_chunks(path, kinds, **kwargs))
    numeric = {k: np.concatenate([c.numeric[k] for c in chunks]) for k in chunks[0].numeric}
    text = {}
    for k in chunks[0].text:
        levels = sorted({v for c in chunks for v in c.text[k][1]})
        index = {v: i for i, v in enumerate(levels)}
        text[k] = (np.concatenate([np.asarray([index[v] for v in c.text[k][1]], np.int32)[c.text[k][0]]
                                   for c in chunks]), tuple(levels))
    return Columns(chunks[0].first_row, sum(c.n for c in chunks), numeric, text,
                   np.concatenate([c.rows() for c in chunks]))


def _present(path: Path, names: tuple[str, ...], kinds: dict[str, str], optional: tuple[str, ...]) -> dict[str, str]:
    missing = [n for n in kinds if n not in names and n not in optional]
    if missing:
        raise InputError(f"{path} has no column {', '.join(map(repr, missing))}; its columns: {', '.join(names)}")
    return {n: k for n, k in kinds.items() if n in names}


def _csv_chunks(path: Path, names, header: bool, kinds: dict[str, str], chunk_rows: int,
                na_values: tuple[str, ...], missing: frozenset) -> Iterator[Columns]:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    layout = _layout(path, header)
    read, convert, parse = _csv_options(names, header, {n: _arrow_type(k) for n, k in kinds.items()},
                                        _block_size(path, chunk_rows), na_values, layout.multiline)
    first = 0
    try:
        reader = pcsv.open_csv(path, read_options=read, convert_options=convert, parse_options=parse)
        for batch in reader:
            for start in range(0, batch.num_rows, chunk_rows):
                piece = batch.slice(start, chunk_rows)
                yield _to_columns(piece, kinds, layout.lines(first, piece.num_rows), names, missing)
                first += piece.num_rows
    except pa.ArrowInvalid as err:
        _locate_bad_record(path, names, header, {n for n, k in kinds.items() if k == NUMERIC}, na_values)
        raise InputError(f"{path}: {err}") from None
    if first == 0:
        raise _no_records(path)
