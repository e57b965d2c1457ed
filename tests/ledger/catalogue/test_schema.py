"""Declared department schemas, row validation, and the identity numbers they check (GB 11643-1999)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.catalogue import schema
from ledger.catalogue.schema import SCHEMAS, Kind, key, validate_row
from ledger.identifiers import idcard
from ledger.identifiers.errors import InvalidIdNumber

CODE = "9150000020286320X6"  # a published Chongqing code (see test_uscc)
ID_NUMBER = "11010519491231002X"  # the example printed in GB 11643-1999


def registration(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "credit_code": CODE, "period": "2024-03", "enterprise_name": "重庆某某机械有限公司",
        "legal_rep_name": "张伟", "legal_rep_id_number": ID_NUMBER, "phone": "13800000000",
        "address": "重庆市渝北区某路1号", "registered_capital": "5000000", "established": "2019-06-30", "industry": "C",
    }
    row.update(changes)
    return {k: v for k, v in row.items() if v is not None}


def test_every_schema_starts_with_the_key_fields() -> None:
    for category, s in SCHEMAS.items():
        assert s.category == category
        assert s.fields[0] == schema.Field("credit_code", Kind.CODE)
        assert s.fields[1] == schema.Field("period", Kind.MONTH)
        assert len(set(s.field_names)) == len(s.fields)


def test_departments_and_categories() -> None:
    assert set(schema.DEPARTMENTS) == {
        "tax", "social_security", "electricity", "water", "gas", "customs", "ip", "market_supervision", "courts",
    }
    assert [s.category for s in schema.of_department("market_supervision")] == [
        "registration", "administrative_penalties"]
    assert SCHEMAS["tax"].field_names == ("credit_code", "period", "invoiced_sales", "tax_paid")
    assert SCHEMAS["registration"].period == "snapshot" and SCHEMAS["tax"].period == "month"


def test_personal_fields_are_the_people_in_the_registration() -> None:
    personal = {c: s.personal_fields for c, s in SCHEMAS.items() if s.personal_fields}
    assert personal == {"registration": ("legal_rep_name", "legal_rep_id_number", "phone", "address")}


def test_a_csv_row_comes_back_typed() -> None:
    typed, reasons = validate_row(SCHEMAS["tax"], {
        "credit_code": CODE, "period": "2024-03", "invoiced_sales": "1234.5", "tax_paid": "37"})
    assert reasons == []
    assert typed == {"credit_code": CODE, "period": "2024-03", "invoiced_sales": 1234.5, "tax_paid": 37.0}
    assert isinstance(typed["tax_paid"], float)
    typed, reasons = validate_row(SCHEMAS["social_security"], {
        "credit_code": CODE, "period": "2024-03", "insured_headcount": 12})
    assert reasons == [] and typed["insured_headcount"] == 12


def test_a_registration_row_validates() -> None:
    typed, reasons = validate_row(SCHEMAS["registration"], registration())
    assert reasons == []
    assert typed["established"] == "2019-06-30" and typed["registered_capital"] == 5e6


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ({"period": "2024-03", "kwh": "1"}, "missing field 'credit_code'"),
        ({"credit_code": CODE, "period": "2024-03", "kwh": ""}, "missing field 'kwh'"),
        ({"credit_code": CODE, "period": "2024-03", "kwh": "lots"}, "wrong type for 'kwh': expected float"),
        ({"credit_code": CODE, "period": "2024-03", "kwh": "nan"}, "wrong type for 'kwh'"),
        ({"credit_code": CODE, "period": "2024-03", "kwh": True}, "wrong type for 'kwh'"),
        ({"credit_code": CODE, "period": "2024-03", "kwh": "-5"}, "out of range for 'kwh': below the minimum 0"),
        ({"credit_code": CODE, "period": "2024-13", "kwh": "1"}, "wrong type for 'period': expected month"),
        ({"credit_code": CODE, "period": 202403, "kwh": "1"}, "wrong type for 'period'"),
        ({"credit_code": CODE[:17] + "7", "period": "2024-03", "kwh": "1"},
         "bad credit code in 'credit_code': the check character does not match (GB 32100-2015)"),
        ({"credit_code": CODE[:16], "period": "2024-03", "kwh": "1"},
         "bad credit code in 'credit_code': it has not 18 characters"),
        ({"credit_code": CODE, "period": "2024-03", "kwh": "1", "91350100M000100Y43": "A"},
         "unexpected field (not a field name)"),
        ({"credit_code": CODE, "period": "2024-03", "kwh": "1", "meter": "A"}, "unexpected field 'meter'"),
    ],
)
def test_reasons_for_a_bad_electricity_row(row: dict[str, object], reason: str) -> None:
    _, reasons = validate_row(SCHEMAS["electricity"], row)
    assert len(reasons) == 1 and reasons[0].startswith(reason)


def test_integer_fields_refuse_fractions_and_counts_have_floors() -> None:
    row = {"credit_code": CODE, "period": "2024-03", "enterprise_name": "x"}
    _, reasons = validate_row(SCHEMAS["ip"], {**row, "patents": "2.5", "trademarks": 1.0})
    assert reasons == ["unexpected field 'enterprise_name'", "wrong type for 'patents': expected int",
                       "wrong type for 'trademarks': expected int, got float"]
    _, reasons = validate_row(SCHEMAS["courts"], {"credit_code": CODE, "period": "2024-03",
                                                  "enforcement_cases": 0, "amount": 10})
    assert reasons == ["out of range for 'enforcement_cases': below the minimum 1"]


def test_registration_reasons_never_repeat_personal_values() -> None:
    bad_id = ID_NUMBER[:17] + "1"
    _, reasons = validate_row(SCHEMAS["registration"], registration(
        legal_rep_id_number=bad_id, phone=13800000000, established="2019-02-30", legal_rep_name=None))
    assert reasons == [
        "missing field 'legal_rep_name'",
        "bad identity number in 'legal_rep_id_number': not a valid GB 11643-1999 number",
        "wrong type for 'phone': expected str, got int",
        "wrong type for 'established': expected date",
    ]
    assert not any(bad_id in r or "13800000000" in r for r in reasons)


@pytest.mark.parametrize("value", [CODE[:17] + "7", CODE[:16], CODE + "0", "lots", "-98765.5", "2019-02-30",
                                   2**60, "9" * 5000, "x" * 2000])
def test_reasons_never_repeat_a_value(value: object) -> None:
    """A stored or printed reason names the field and what is wrong, never what was sent (issue 12): a
    credit code with a wrong check character would give the real one away."""
    for field in ("credit_code", "period", "enterprise_name", "established", "registered_capital", "industry"):
        _, reasons = validate_row(SCHEMAS["registration"], registration(**{field: value}))
        shown = "; ".join(reasons)
        assert str(value)[:8] not in shown.replace(field, ""), (field, shown)
    _, reasons = validate_row(SCHEMAS["ip"], {"credit_code": CODE, "period": "2024-03", "patents": value,
                                              "trademarks": 1})
    assert reasons and str(value)[:8] not in "; ".join(reasons)


def test_key_is_credit_code_and_period() -> None:
    assert key({"credit_code": CODE, "period": "2024-03", "kwh": 1.0}) == (CODE, "2024-03")


# Identity numbers, GB 11643-1999.
# 11010519491231002X: weighted sum 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167, 167 mod 11 = 2 → 'X'.
# 440524188001010014 (also from the standard): weighted sum 195, 195 mod 11 = 8 → '4'.
@pytest.mark.parametrize("number", [ID_NUMBER, "440524188001010014"])
def test_standard_examples_validate(number: str) -> None:
    assert idcard.validate(number) == number
    assert idcard.check_character(number[:17]) == number[17]


@pytest.mark.parametrize(
    ("number", "why"),
    [
        ("11010519491231002", "18 characters"),
        ("1101051949123100AX", "are digits"),
        ("11010519490231002X", "not a date of birth"),
        ("110105194912310021", "check character"),
    ],
)
def test_invalid_identity_numbers(number: str, why: str) -> None:
    assert not idcard.is_valid(number)
    with pytest.raises(InvalidIdNumber, match=why) as raised:
        idcard.validate(number)
    assert number[6:14] not in str(raised.value)


@given(st.integers(0, 2**32 - 1), st.dates(date(1940, 1, 1), date(2008, 12, 31)), st.booleans())
def test_generated_identity_numbers_validate(seed: int, born: date, female: bool) -> None:
    number = idcard.generate(np.random.default_rng(seed), "500112", born, female)
    assert idcard.is_valid(number) and number.startswith("500112")
    assert idcard.birth_date(number) == born
    assert int(number[14:17]) % 2 == (0 if female else 1)


@pytest.mark.parametrize(("field", "carried", "kind"), [
    ("enterprise_name", f"重庆某某机械有限公司 {ID_NUMBER}", "an identity number"),
    ("industry", "C 13912345678", "a mobile number"),
    ("enterprise_name", f"({CODE})", "a unified social credit code"),
    ("industry", "6222021234567890128", "a bank card number"),
])
def test_a_field_not_declared_personal_refuses_a_raw_identifier(field: str, carried: str, kind: str) -> None:
    _, reasons = validate_row(SCHEMAS["registration"], registration(**{field: carried}))
    assert reasons == [f"{field!r} is not declared personal but carries {kind}: refused, not stored"]
    assert not [r for r in reasons if carried in r]
    _, personal = validate_row(SCHEMAS["registration"], registration(address=f"重庆市渝北区某路1号 {carried}"))
    assert personal == []  # a declared personal field may hold it: the gate masks it
