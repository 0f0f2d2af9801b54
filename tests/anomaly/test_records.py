"""Reading the user's files: CSV (header or not, BOM, errors naming file, row and column), .npy,
.npz and Parquet, whole or in chunks."""

import re

import numpy as np
import pytest

from aejax.anomaly import records
from aejax.anomaly.records import NUMERIC, TEXT, TIME, InputError
from aejax.anomaly.tables import RecordError

KINDS = {"temp": NUMERIC, "mode": TEXT}


def _write(path, text: str, encoding="utf-8"):
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def test_csv_columns_are_inferred_and_read_with_line_numbers(tmp_path):
    path = _write(tmp_path / "a.csv", "ts,temp,mode\n2024-01-01T00:00:00,1.5,run\n2024-01-01T00:00:10,2.5,idle\n"
                                      "2024-01-01T00:00:20,-3,run\n")
    found = records.file_columns(path)
    assert found.names == ("ts", "temp", "mode")
    assert found.kinds == {"ts": TIME, "temp": NUMERIC, "mode": TEXT}
    cols = records.read_all(path, {"ts": TIME, **KINDS})
    assert cols.first_row == 2 and len(cols) == 3 and cols.rows().tolist() == [2, 3, 4]
    np.testing.assert_array_equal(cols.numeric["temp"], [1.5, 2.5, -3.0])
    np.testing.assert_array_equal(np.diff(cols.numeric["ts"]), [10.0, 10.0])  # seconds
    assert cols.text_values("mode").tolist() == ["run", "idle", "run"]


def test_chunks_equal_the_whole_file(tmp_path):
    rng = np.random.default_rng(0)
    lines = ["temp,mode"] + [f"{v:.6f},{m}" for v, m in zip(rng.normal(size=500), rng.choice(["a", "b", "c"], 500))]
    path = _write(tmp_path / "b.csv", "\n".join(lines) + "\n")
    whole = records.read_all(path, KINDS)
    chunks = list(records.read_chunks(path, KINDS, chunk_rows=64))
    assert len(chunks) > 2 and sum(len(c) for c in chunks) == 500
    assert [c.first_row for c in chunks] == list(np.cumsum([2] + [len(c) for c in chunks[:-1]]))
    np.testing.assert_array_equal(np.concatenate([c.numeric["temp"] for c in chunks]), whole.numeric["temp"])
    np.testing.assert_array_equal(np.concatenate([c.text_values("mode") for c in chunks]), whole.text_values("mode"))


def test_a_byte_order_mark_is_dropped_and_a_numeric_first_row_is_data(tmp_path):
    path = _write(tmp_path / "bom.csv", b"\xef\xbb\xbftemp,mode\n1,a\n")
    assert records.file_columns(path).names == ("temp", "mode")
    assert records.read_all(path, KINDS).numeric["temp"].tolist() == [1.0]
    path = _write(tmp_path / "raw.csv", "1.5,2\n3,4e2\n")
    assert records.file_columns(path).names == ("x0", "x1")
    cols = records.read_all(path, {"x0": NUMERIC, "x1": NUMERIC})
    assert cols.first_row == 1 and cols.numeric["x1"].tolist() == [2.0, 400.0]


@pytest.mark.parametrize("text", ["", "temp,mode\n", "\ufefftemp,mode\n"])
def test_a_file_without_records_says_so(tmp_path, text):
    path = _write(tmp_path / "empty.csv", text)
    with pytest.raises(InputError, match=f"no records in {path}"):
        records.read_all(path, KINDS, expected=("temp", "mode"))


def test_an_undecodable_file_is_named(tmp_path):
    path = _write(tmp_path / "latin.csv", "temp,mode\n1,caf\xe9\n", encoding="latin-1")
    with pytest.raises(InputError, match=rf"{path} is not UTF-8 text: line 2 holds byte 0xe9"):
        records.read_all(path, KINDS)


@pytest.mark.parametrize("line, message", [
    ("7", "row 4: 1 fields, expected 2 (temp, mode)"),
    ("high,a", "row 4, column 1 ('temp'): 'high' is not a number"),
    ("inf,a", "row 4, column 1 ('temp'): 'inf' is not finite"),
    (",a", "row 4, column 1 ('temp'): empty value"),
])
def test_bad_records_name_row_and_column(tmp_path, line, message):
    path = _write(tmp_path / "bad.csv", f"temp,mode\n1,a\n2,b\n{line}\n")
    with pytest.raises(RecordError, match=re.escape(message)):
        list(records.read_chunks(path, KINDS))


def test_missing_columns_and_unknown_formats_are_clear_errors(tmp_path):
    path = _write(tmp_path / "a.csv", "temp,other\n1,2\n")
    with pytest.raises(InputError, match="has no column 'mode'; its columns: temp, other"):
        records.read_all(path, KINDS, expected=("temp", "mode"))
    with pytest.raises(InputError, match="unsupported file type '.xlsx'"):
        records.file_columns(_write(tmp_path / "a.xlsx", "x"))


def test_numpy_and_parquet_files(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    x = np.arange(12.0).reshape(4, 3)
    np.save(tmp_path / "a.npy", x)
    assert records.file_columns(tmp_path / "a.npy").names == ("x0", "x1", "x2")
    cols = records.read_all(tmp_path / "a.npy", {"x2": NUMERIC}, chunk_rows=3)
    assert cols.first_row == 1 and cols.numeric["x2"].tolist() == [2.0, 5.0, 8.0, 11.0]
    np.savez(tmp_path / "b.npz", X=x, y=np.array([0, 1, 0, 0]), unit=np.array(["a", "a", "b", "b"]))
    found = records.file_columns(tmp_path / "b.npz")
    assert found.names == ("x0", "x1", "x2", "y", "unit") and found.kinds["unit"] == TEXT
    assert records.read_all(tmp_path / "b.npz", {"y": NUMERIC, "unit": TEXT}).text_values("unit").tolist() == \
        ["a", "a", "b", "b"]
    pq.write_table(pa.table({"temp": [1.0, 2.0], "mode": ["a", "b"]}), tmp_path / "c.parquet")
    cols = records.read_all(tmp_path / "c.parquet", KINDS)
    assert cols.numeric["temp"].tolist() == [1.0, 2.0] and cols.text_values("mode").tolist() == ["a", "b"]


# ------------------------------------------------------------- issue 23: kinds, missing values, rows


@pytest.mark.parametrize("layout", ["blank line", "quoted line break", "both"])
def test_rows_are_file_line_numbers_after_blank_lines_and_quoted_line_breaks(tmp_path, layout):
    """Issue 23.5: a record's row is the line it starts on, whatever comes before it."""
    lines = ["temp,mode"] + [f"{i}.5,run" for i in range(60)]
    if layout in ("blank line", "both"):
        lines.insert(10, "")  # line 11 is blank
    if layout in ("quoted line break", "both"):
        lines[20] = '7,"run\nfast"'  # one record on two lines
    text = "\n".join(lines) + "\n"
    path = _write(tmp_path / "a.csv", text)
    expected, line = [], 1
    for record in lines[1:]:
        line += 1
        if record:
            expected.append(line)
        line += record.count("\n")
    cols = records.read_all(path, KINDS, chunk_rows=16)
    assert cols.rows().tolist() == expected and len(cols) == 60
    assert cols.text_values("mode").tolist().count("run\nfast") == (layout != "blank line")
    bad = _write(tmp_path / "bad.csv", text.replace("59.5,run", "high,run"))
    with pytest.raises(RecordError, match=rf"row {expected[-1]}, column 1 \('temp'\): 'high' is not a number"):
        list(records.read_chunks(bad, KINDS, chunk_rows=16))


def test_a_column_of_numbers_with_stray_cells_is_reported_not_turned_into_text(tmp_path):
    """Issue 23.2: one `n/a` in an integer column does not make it a text column."""
    lines = ["count,mode"] + [f"{i},run" for i in range(50)]
    lines[43], lines[45] = "n/a,run", "?,idle"
    path = _write(tmp_path / "a.csv", "\n".join(lines) + "\n")
    found = records.file_columns(path)
    assert found.kinds == {"count": NUMERIC, "mode": TEXT}
    stray = found.stray["count"]
    assert (stray.count, stray.numbers, stray.first, stray.values) == (2, 48, ((44, "n/a"), (46, "?")), ("n/a", "?"))
    assert "2 cells that are not numbers among 48 numbers: row 44 'n/a', row 46 '?'" in stray.describe()
    assert records.file_columns(path, na_values=("n/a", "?")).stray == {}
    cols = records.read_all(path, {"count": NUMERIC}, na_values=("n/a", "?"), missing=("count",))
    assert np.isnan(cols.numeric["count"][[42, 44]]).all() and np.isfinite(np.delete(cols.numeric["count"], [42, 44])).all()
    words = ["mode"] + ["run", "idle", "3"] * 10  # a text column with a number or two stays text
    assert records.file_columns(_write(tmp_path / "t.csv", "\n".join(words) + "\n")).kinds == {"mode": TEXT}


def test_booleans_are_text_columns(tmp_path):
    """Issue 23.12: true/false columns are categorical, not refused as non-numbers."""
    path = _write(tmp_path / "b.csv", "temp,on\n1,true\n2,false\n3,True\n")
    assert records.file_columns(path).kinds == {"temp": NUMERIC, "on": TEXT}
    assert records.read_all(path, {"on": TEXT}).text_values("on").tolist() == ["true", "false", "True"]
    np.save(tmp_path / "b.npy", np.zeros(3, dtype=[("temp", "f8"), ("on", "?")]))
    assert records.file_columns(tmp_path / "b.npy").kinds == {"temp": NUMERIC, "on": TEXT}


def test_missing_values_are_nan_where_allowed_and_errors_elsewhere(tmp_path):
    path = _write(tmp_path / "m.csv", "temp,mode\n1,run\n,\nNA,idle\nnan,run\n")
    cols = records.read_all(path, KINDS, na_values=("NA",), missing=("temp",))
    assert cols.numeric["temp"][0] == 1 and np.isnan(cols.numeric["temp"][1:]).all()
    assert cols.text_values("mode").tolist() == ["run", "", "idle", "run"]  # an empty text cell is a level
    with pytest.raises(RecordError, match=r"row 3, column 1 \('temp'\): empty value"):
        records.read_all(path, KINDS, na_values=("NA",))
