"""The unified social credit code (GB 32100-2015) and its embedded organisation code (GB 11714-1997)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.errors import LedgerError
from ledger.identifiers import uscc
from ledger.identifiers.errors import IdentifierError, InvalidCreditCode

# Published codes. Each check character was recomputed by hand as below (values are positions in
# the 31-character set, so M = 21 and Y = 30 in GB 32100 but M = 22 and Y = 34 in GB 11714).
PUBLIC = {
    # The example printed in GB 32100-2015 itself.
    # 18th: values 9 1 3 5 0 1 0 0 21 0 0 0 1 0 0 30 4, weighted sum 9+3+27+135+26+420+8+900+112 = 1640,
    #       1640 mod 31 = 28, 31 - 28 = 3 → '3'.  GB 11714 (M000100Y): 66+5+68 = 139, 139 mod 11 = 7, 11 - 7 = 4 → '4'.
    "91350100M000100Y43": "GB 32100-2015 example",
    # Huawei Technologies Co., Ltd. (Shenzhen), from the national enterprise credit publicity system.
    # 18th: weighted sum 831, 831 mod 31 = 25, 31 - 25 = 6 → '6'.  GB 11714 (19220382): 164 mod 11 = 10 → 1.
    "914403001922038216": "华为技术有限公司",
    # Chongqing Changan Automobile Co., Ltd., a Chongqing (500000) registration.
    # 18th: 9+3+45+40+50+104+48+72+20+(X = 29)·28 = 1203, 1203 mod 31 = 25, 31 - 25 = 6 → '6'.
    # GB 11714 (20286320): 6+18+80+30+24+8 = 166, 166 mod 11 = 1, 11 - 1 = 10 → 'X'.
    "9150000020286320X6": "重庆长安汽车股份有限公司",
}


@pytest.mark.parametrize("code", sorted(PUBLIC))
def test_published_codes_validate(code: str) -> None:
    assert uscc.validate(code) == code
    assert uscc.is_valid(code)
    assert uscc.check_character(code[:17]) == code[17]
    assert uscc.organisation_code_is_valid(uscc.CreditCode(code))


def test_weights_are_powers_of_three_mod_31() -> None:
    powers = tuple(3**i % 31 for i in range(17))
    assert powers == uscc.WEIGHTS
    assert len(uscc.CHARSET) == 31 and not set("IOSVZ") & set(uscc.CHARSET)


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("91350100M000100Y4", "has 17"),
        ("91350100M000100Y433", "has 19"),
        ("91350100M0001O0Y43", "'O' at position 14"),
        ("91350100m000100Y43", "'m' at position 9"),
        ("91350100M000100Y44", "check character of '91350100M000100Y44' is '4', expected '3'"),
    ],
)
def test_invalid_codes_say_why(code: str, why: str) -> None:
    assert not uscc.is_valid(code)
    with pytest.raises(InvalidCreditCode, match=why):
        uscc.validate(code)


def test_errors_sit_in_the_ledger_hierarchy() -> None:
    assert issubclass(InvalidCreditCode, IdentifierError) and issubclass(IdentifierError, LedgerError)


def test_check_of_31_maps_to_zero() -> None:
    # A zero sum gives 31 - 0 = 31, which GB 32100 writes as '0'.
    assert uscc.check_character("0" * 17) == "0"
    assert uscc.organisation_check_character("00000000") == "0"  # 11 - 0 = 11 → '0'


def test_generate_rejects_a_bad_district() -> None:
    with pytest.raises(InvalidCreditCode, match="six-digit"):
        uscc.generate(np.random.default_rng(1), "5001")


seeds = st.integers(0, 2**32 - 1)
districts = st.sampled_from(sorted(uscc.CHONGQING_DISTRICTS))


@given(seeds, districts)
def test_every_generated_code_validates(seed: int, district: str) -> None:
    code = uscc.generate(np.random.default_rng(seed), district)
    assert uscc.is_valid(code)
    assert code.startswith(uscc.ENTERPRISE + district)
    assert uscc.organisation_code_is_valid(code)


@given(seeds, districts, st.integers(0, 17), st.integers(1, 30))
def test_changing_any_one_character_breaks_validation(seed: int, district: str, position: int, shift: int) -> None:
    code = uscc.generate(np.random.default_rng(seed), district)
    other = uscc.CHARSET[(uscc.CHARSET.index(code[position]) + shift) % 31]
    assert not uscc.is_valid(code[:position] + other + code[position + 1 :])
