"""The user's records: CSV, .npy, .npz and Parquet files as named columns, read whole or in chunks.

Every column is numeric (float64), text (categorical codes into the levels of the chunk) or time
(float64 seconds, from numbers or ISO 8601 timestamps). Rows are counted as errors and outputs
name them: the line number in a CSV file (the header is line 1), else the 1-based record index.

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


class InputError(ValueError):
    """A file that cannot be read as records (format, encoding, no records, missing columns)."""


@dataclasses.dataclass(frozen=True, eq=False)
class Columns:
    """Records first_row .. first_row + n - 1 of a file.

    numeric: name -> float64 [n] (numeric and time columns); text: name -> (codes int32 [n],
    levels): the values of a text column are levels[codes].
    """

    first_row: int
    n: int
    numeric: dict[str, np.ndarray]
    text: dict[str, tuple[np.ndarray, tuple[str, ...]]]

    def __len__(self) -> int:
        return self.n

    def text_values(self, name: str) -> np.ndarray:
        """The strings of text column `name`, object [n]."""
        codes, levels = self.text[name]
        return np.asarray(levels, dtype=object)[codes]

    def rows(self) -> np.ndarray:
        """Row numbers int64 [n]."""
        return np.arange(self.first_row, self.first_row + self.n)


@dataclasses.dataclass(frozen=True)
class FileColumns:
    """The columns of a file in order, and the kind of each."""

    names: tuple[str, ...]
    kinds: dict[str, str]


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


def _locate_bad_record(path: Path, names: tuple[str, ...], header: bool, numeric: set[str]) -> None:
    """Reads `path` with Python's csv module and raises RecordError for the first record with the
    wrong number of fields or a numeric field that is not a finite number."""
    _check_utf8(path)
    with open(path, newline="", encoding="utf-8-sig") as f:
        for row, record in enumerate(csv.reader(f), start=1):
            if header and row == 1:
                continue
            if len(record) != len(names):
                raise RecordError(f"row {row}: {len(record)} fields, expected {len(names)} ({', '.join(names)})")
            for col, (name, field) in enumerate(zip(names, record), start=1):
                if name not in numeric:
                    continue
                text = field.strip()
                try:
                    value = float(text)
                except ValueError:
                    raise RecordError(f"row {row}, column {col} ({name!r}): {text!r} is not a number") from None
                if not np.isfinite(value):
                    raise RecordError(f"row {row}, column {col} ({name!r}): {text!r} is not finite")


def _csv_options(names, header: bool, types: dict | None, block_size: int | None = None):
    import pyarrow.csv as pcsv

    read = pcsv.ReadOptions(column_names=list(names), skip_rows=1 if header else 0,
                            **({"block_size": block_size} if block_size else {}))
    convert = pcsv.ConvertOptions(column_types=types or {}, include_columns=list(types) if types else None,
                                  null_values=[""], strings_can_be_null=False, quoted_strings_can_be_null=False)
    return read, convert


# ----------------------------------------------------------------------------------- arrow -> columns


def _kind_of(arrow_type) -> str:
    import pyarrow as pa

    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type) or pa.types.is_boolean(arrow_type):
        return NUMERIC
    if pa.types.is_timestamp(arrow_type) or pa.types.is_date(arrow_type):
        return TIME
    if pa.types.is_null(arrow_type):
        return NUMERIC  # an all-empty column: its nulls are reported below
    return TEXT


def _arrow_type(kind: str):
    import pyarrow as pa

    return {NUMERIC: pa.float64(), TIME: pa.timestamp("ns"), TEXT: pa.string()}[kind]


def _to_columns(batch, kinds: dict[str, str], first_row: int, path: Path, names: tuple[str, ...]) -> Columns:
    """Columns of an arrow record batch (or table); empty or non-finite numeric values are
    RecordErrors naming the row and column."""
    import pyarrow as pa
    import pyarrow.compute as pc

    numeric, text = {}, {}
    for name, kind in kinds.items():
        column = batch.column(batch.schema.get_field_index(name))
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        col = names.index(name) + 1
        if column.null_count:
            bad = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
            raise RecordError(f"row {first_row + bad}, column {col} ({name!r}): empty value; fill or drop it")
        if kind == TEXT:
            encoded = pc.dictionary_encode(column.cast(pa.string()))
            text[name] = (encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32),
                          tuple(encoded.dictionary.to_pylist()))
            continue
        if kind == TIME:
            column = column.cast(pa.timestamp("ns")).cast(pa.int64())
            values = column.to_numpy(zero_copy_only=False).astype(np.float64) / 1e9
        else:
            values = column.cast(pa.float64()).to_numpy(zero_copy_only=False)
        finite = np.isfinite(values)
        if not finite.all():
            bad = int(np.flatnonzero(~finite)[0])
            raise RecordError(f"row {first_row + bad}, column {col} ({name!r}): '{float(values[bad])}' is not finite")
        numeric[name] = values
    return Columns(first_row, batch.num_rows, numeric, text)


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
    if array.dtype.kind in "biuf":
        return NUMERIC
    if array.dtype.kind == "M":
        return TIME
    return TEXT


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


# ----------------------------------------------------------------------------------------- API


def file_columns(path) -> FileColumns:
    """The columns of `path` and their kinds, inferred from the whole file (CSV: pyarrow's type
    inference; NumPy: the dtype; Parquet: the schema)."""
    path = Path(path)
    suffix = _format(path)
    if suffix == ".csv":
        import pyarrow as pa
        import pyarrow.csv as pcsv

        names, header = _csv_header(path)
        read, _ = _csv_options(names, header, None)
        try:
            table = pcsv.read_csv(path, read_options=read,
                                  convert_options=pcsv.ConvertOptions(null_values=[""], strings_can_be_null=False))
        except pa.ArrowInvalid as err:
            _locate_bad_record(path, names, header, set())
            raise InputError(f"{path}: {err}") from None
        return FileColumns(names, {n: _kind_of(table.schema.field(n).type) for n in names})
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        schema = pq.ParquetFile(path).schema_arrow
        return FileColumns(tuple(schema.names), {n: _kind_of(schema.field(n).type) for n in schema.names})
    arrays = _npz_columns(path) if suffix == ".npz" else _npy_columns(np.load(path, mmap_mode="r"))
    return FileColumns(tuple(arrays), {n: _array_kind(a) for n, a in arrays.items()})


def read_chunks(path, kinds: dict[str, str], *, expected: tuple[str, ...] | None = None,
                optional: tuple[str, ...] = (), chunk_rows: int = CHUNK_ROWS) -> Iterator[Columns]:
    """The columns `kinds` (name -> NUMERIC | TEXT | TIME) of `path`, `chunk_rows` records at a time.

    `expected`: the columns the file was fitted on, in order: a CSV without a header row must hold
    exactly these. `optional` columns are read when the file has them (e.g. a label column).
    Raises InputError for a file without records or without a needed column, RecordError naming
    the row and column of a bad value.
    """
    path = Path(path)
    suffix = _format(path)
    if suffix == ".csv":
        names, header = _csv_header(path, expected, optional)
        yield from _csv_chunks(path, names, header, _present(path, names, kinds, optional), chunk_rows)
        return
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(path)
        kinds = _present(path, tuple(parquet.schema_arrow.names), kinds, optional)
        first, seen = 1, False
        for batch in parquet.iter_batches(batch_size=chunk_rows, columns=list(kinds)):
            seen = seen or batch.num_rows > 0
            yield _to_columns(batch, kinds, first, path, tuple(parquet.schema_arrow.names))
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
        yield _to_columns(_numpy_batch(arrays, kinds, start, min(start + chunk_rows, n)), kinds, start + 1, path,
                          tuple(arrays))


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
    return Columns(chunks[0].first_row, sum(c.n for c in chunks), numeric, text)


def _present(path: Path, names: tuple[str, ...], kinds: dict[str, str], optional: tuple[str, ...]) -> dict[str, str]:
    missing = [n for n in kinds if n not in names and n not in optional]
    if missing:
        raise InputError(f"{path} has no column {', '.join(map(repr, missing))}; its columns: {', '.join(names)}")
    return {n: k for n, k in kinds.items() if n in names}


def _csv_chunks(path: Path, names, header: bool, kinds: dict[str, str], chunk_rows: int) -> Iterator[Columns]:
    import pyarrow as pa
    import pyarrow.csv as pcsv

    # blocks of about chunk_rows records (pyarrow splits the file into byte blocks), sliced to chunk_rows
    with open(path, "rb") as f:
        sample = f.read(1 << 16)
    line = max(len(sample) / max(sample.count(b"\n"), 1), 8)
    read, convert = _csv_options(names, header, {n: _arrow_type(k) for n, k in kinds.items()},
                                 block_size=int(min(max(line * chunk_rows, 1 << 14), 1 << 28)))
    first = 2 if header else 1
    try:
        reader = pcsv.open_csv(path, read_options=read, convert_options=convert)
        for batch in reader:
            for start in range(0, batch.num_rows, chunk_rows):
                piece = batch.slice(start, chunk_rows)
                yield _to_columns(piece, kinds, first, path, names)
                first += piece.num_rows
    except pa.ArrowInvalid as err:
        _locate_bad_record(path, names, header, {n for n, k in kinds.items() if k == NUMERIC})
        raise InputError(f"{path}: {err}") from None
    if first == (2 if header else 1):
        raise _no_records(path)
