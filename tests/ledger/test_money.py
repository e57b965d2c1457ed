"""Yuan in, fen on chain: exact both ways."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import LedgerError
from ledger.money import fen, yuan


def test_yuan_text_becomes_exact_fen() -> None:
    assert [fen(t) for t in ("0", "2500.50", "1,000,000", " 0.01 ", "3.1")] == [0, 250050, 100000000, 1, 310]


@pytest.mark.parametrize("text", ["", "abc", "-1", "0.001", "NaN", "Infinity", "1e400000", "1e3", "+5", "1.", "١٢"])
def test_anything_else_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(LedgerError, match="an amount is"):
        fen(text)


@given(st.integers(min_value=0, max_value=10**30))
def test_yuan_and_fen_round_trip(amount: int) -> None:
    assert fen(yuan(amount)) == amount


def test_rates_print_as_exact_percentages() -> None:
    from ledger.money import percent

    assert [percent(450), percent(21_919, 10**6), percent(10_000), percent(7, 100)] == [
        "4.50%", "2.1919%", "100.00%", "7%"]
