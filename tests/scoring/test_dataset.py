"""Reading training data: kinds inferred, missing cells, the target and its errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scoring.dataset import Dataset, read_csv, synthetic
from scoring.errors import DataError


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_kinds_are_inferred_and_missing_cells_read_as_missing(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "d.csv", "id,sales,industry,bad\n1,10.5,C,0\n2,,F,1\n3,NA,null,0\n4,7,,1\n")
    data = read_csv(csv_path, "bad", ignore=("id",))
    assert data.names == ["industry", "sales"]
    assert data.kinds == {"sales": "numeric", "industry": "categorical"}
    assert np.isnan(data.columns["sales"][[1, 2]]).all()
    assert data.columns["sales"][3] == 7.0
    assert data.columns["industry"].tolist() == ["C", "F", None, None]
    assert data.target.tolist() == [0, 1, 0, 1]
    assert data.target.dtype == np.int8


def test_declared_kind_overrides_inference(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "d.csv", "code,bad\n101,0\n202,1\n")
    data = read_csv(csv_path, "bad", kinds={"code": "categorical"})
    assert data.columns["code"].tolist() == ["101", "202"]


def test_bad_value_maps_the_target(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "d.csv", "x,status\n1,paid\n2,default\n3,paid\n")
    assert read_csv(csv_path, "status", bad_value="default").target.tolist() == [0, 1, 0]


def test_a_bad_value_never_seen_is_named_with_the_values_seen(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "d.csv", "x,status\n1,paid\n2,late\n")
    with pytest.raises(DataError, match=r"bad value 'default' never occurs.*'late'.*'paid'"):
        read_csv(csv_path, "status", bad_value="default")


def test_a_target_that_is_not_zero_one_asks_for_the_bad_value(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "d.csv", "x,status\n1,yes\n2,no\n3,2\n")
    with pytest.raises(DataError, match=r"only 0 and 1.*--bad-value.*'2'.*'no'.*'yes'"):
        read_csv(csv_path, "status")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x,y\n1,0\n", "no target column 'bad'"),
        ("x,bad\n1,0,3\n", r"line 2 has 3 cells, the header 2"),
        ("x,bad\n1,0\n\n2\n", r"\(encoding utf-8, delimiter ','\): line 4 has 1 cells"),
        ("x,x,bad\n1,2,0\n", "names a column twice"),
        ("", "header is empty"),
    ],
)
def test_malformed_files_are_refused_clearly(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(DataError, match=message):
        read_csv(write(tmp_path / "d.csv", text), "bad")


def test_a_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="cannot read"):
        read_csv(tmp_path / "absent.csv", "bad")


def test_subset_and_validation() -> None:
    data = synthetic(200, seed=1)
    part = data.subset(data.target == 1)
    assert part.rows == int(data.target.sum()) and set(part.target.tolist()) == {1}
    with pytest.raises(DataError, match="categorical: it cannot be declared monotone"):
        data.with_monotone({"industry": 1})
    with pytest.raises(DataError, match="unknown column"):
        data.with_monotone({"nope": 1})
    with pytest.raises(DataError, match="int8 array of 0"):
        Dataset({}, np.array([0, 2], dtype=np.int8), {})


def test_blank_targets_are_left_out_and_counted(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "d.csv", "x,status\n1,paid\n2,\n3,default\n4,NA\n5,paid\n")
    data = read_csv(csv_path, "status", bad_value="default")
    assert data.target.tolist() == [0, 1, 0] and data.columns["x"].tolist() == [1.0, 3.0, 5.0]
    assert data.source["blank_targets_excluded"] == 2 and data.source["rows_read"] == 5
    assert data.source["good_values"] == ["paid"]


@pytest.mark.parametrize(
    ("text", "good", "message"),
    [
        ("x,s\n1,bad\n2,BAD\n3,good\n", (), r"'BAD' \(1 rows\).*only in case.*--good-value.*values seen"),
        ("x,s\n1,bad\n2,BAD\n", (), r"'BAD'.*differs from the bad value only in case"),
        ("x,s\n1,bad\n2,good\n3,late\n", (), r"'good' \(1 rows\), 'late' \(1 rows\) neither bad"),
        ("x,s\n1,bad\n2,good\n3,late\n", ("good",), r"'late' \(1 rows\) neither bad \('bad'\) nor good"),
    ],
)
def test_a_target_value_neither_bad_nor_good_is_an_error(
    tmp_path: Path, text: str, good: tuple[str, ...], message: str
) -> None:
    with pytest.raises(DataError, match=message):
        read_csv(write(tmp_path / "d.csv", text), "s", bad_value="bad", good_values=good)


def test_good_values_are_declared_and_repeatable(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "d.csv", "x,s\n1,bad\n2,good\n3,late\n4,good\n")
    data = read_csv(csv_path, "s", bad_value="bad", good_values=("good", "late"))
    assert data.target.tolist() == [1, 0, 0, 0] and data.source["good_values"] == ["good", "late"]
    with pytest.raises(DataError, match="need the bad value"):
        read_csv(csv_path, "s", good_values=("good",))


def test_thousands_separators_and_missing_markers_stay_numeric(tmp_path: Path) -> None:
    text = 'amount,age,bad\n"1,169",?,0\n"12,345.5",NA,1\n-,-,0\n800,null,1\n"2,000",31,0\n'
    data = read_csv(write(tmp_path / "d.csv", text), "bad")
    assert data.kinds == {"amount": "numeric", "age": "numeric"}
    assert data.columns["amount"][[0, 1, 3, 4]].tolist() == [1169.0, 12345.5, 800.0, 2000.0]
    assert np.isnan(data.columns["amount"][2]) and np.isnan(data.columns["age"][:4]).all()


@pytest.mark.parametrize("cell", ["1,5", "1,16,9", "1_000", "inf", "12 apples"])
def test_cells_that_are_not_plain_numbers(cell: str) -> None:
    from scoring.dataset import parse_number

    assert parse_number(cell) is None
