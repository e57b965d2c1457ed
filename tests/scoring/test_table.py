"""One CSV reader for training and scoring: encodings detected and named, delimiters sniffed."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from scoring import table
from scoring.dataset import read_csv
from scoring.errors import DataError

TEXT = "企业,行业, 销售额 ,违约\n甲,制造,\"1,169\",0\n乙,零售,800,1\n"


@pytest.mark.parametrize(("encoded", "name"), [
    (TEXT.encode("gb18030"), "gb18030"),
    (TEXT.encode("gbk"), "gb18030"),
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("utf-16"), "utf-16"),
    (TEXT.encode("utf-16-le"), "utf-16-le"),
    (TEXT.encode("utf-32"), "utf-32"),
])
def test_encodings_are_detected_and_named(tmp_path: Path, encoded: bytes, name: str) -> None:
    (tmp_path / "d.csv").write_bytes(encoded)
    read = table.read(tmp_path / "d.csv")
    assert read.encoding == name and read.delimiter == ","
    assert read.header == ["企业", "行业", "销售额", "违约"] and read.rows[0] == ["甲", "制造", "1,169", "0"]


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_delimiters_are_sniffed(tmp_path: Path, sep: str) -> None:
    (tmp_path / "d.csv").write_text(f'a{sep}"b,c"{sep}bad\n1{sep}2,5{sep}0\n', encoding="utf-8")
    read = table.read(tmp_path / "d.csv")
    assert read.delimiter == sep and read.header == ["a", "b,c", "bad"] and read.rows == [["1", "2,5", "0"]]


def test_given_encoding_and_delimiter_win_and_errors_name_them(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_bytes("a;b\n1;2\n3\n".encode("latin-1"))
    with pytest.raises(DataError, match=r"encoding utf-8, delimiter ';'\): line 3 has 1 cells, the header 2"):
        table.read(tmp_path / "d.csv")
    assert table.read(tmp_path / "d.csv", delimiter=",").header == ["a;b"]
    with pytest.raises(DataError, match=r"cannot be decoded as utf-16"):
        (tmp_path / "e.csv").write_bytes(b"a,b\n\xff")
        table.read(tmp_path / "e.csv", encoding="utf-16")
    with pytest.raises(DataError, match="unknown encoding 'klingon'"):
        table.read(tmp_path / "d.csv", encoding="klingon")


def test_a_chinese_excel_file_trains_columns_by_their_stripped_names(tmp_path: Path) -> None:
    (tmp_path / "d.csv").write_bytes(TEXT.replace(",", ";").replace('"1;169"', "1169").encode("gbk"))
    data = read_csv(tmp_path / "d.csv", "违约")
    assert data.source["encoding"] == "gb18030" and data.source["delimiter"] == ";"
    assert data.columns["销售额"].tolist() == [1169.0, 800.0]
