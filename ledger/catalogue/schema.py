"""The datasets departments declare for the enterprise-financing database (seeds R3).

Each :class:`DepartmentSchema` is one data category of one department: its fields in order,
which of them are personal (the access gate masks those: seeds R6), and how often it is
delivered. :data:`SCHEMAS` is keyed by category, which is the department's id when the
department sends one dataset; market supervision sends two (``registration`` and
``administrative_penalties``). Every record carries ``credit_code`` (GB 32100) and ``period``
(``YYYY-MM``); :func:`key` is the pair, by which ingestion detects duplicates.

:func:`validate_row` takes a row as a department sends it (CSV strings or JSON values) and
returns it typed and normalised, ready for RFC 8785 canonical JSON: integers (within +/-(2^53 - 1),
what I-JSON, RFC 7493, carries exactly), floats, and strings (a date stays an ISO 8601
``YYYY-MM-DD`` string, checked; text at most :data:`MAX_TEXT` characters), or the reasons it is
not. Reasons never repeat a value (issue 12): a credit code with a wrong check character would
give the real one away, so a reason names the field and what is wrong, and is stored as it is.
A text field that is not declared personal is refused when it carries a raw identifier (a credit
code, an identity, mobile or bank card number: :mod:`ledger.identifiers.scan`): personal data only
enters where it is declared, masked and desensitised.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from ledger.identifiers import idcard, uscc
from ledger.identifiers.errors import InvalidCreditCode, InvalidIdNumber
from ledger.identifiers.scan import identifiers_in

Value = str | int | float | None
"""A typed field value: JSON-ready, so a typed row canonicalises under RFC 8785 as it is."""


class Kind(StrEnum):
    INT = "int"
    FLOAT = "float"
    STR = "str"
    DATE = "date"  # YYYY-MM-DD (ISO 8601)
    CODE = "code"  # unified social credit code, GB 32100-2015
    MONTH = "month"  # YYYY-MM (ISO 8601)
    ID_NUMBER = "id_number"  # citizen identity number, GB 11643-1999


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    required: bool = True
    min: float | None = None
    max: float | None = None
    personal: bool = False


@dataclass(frozen=True)
class DepartmentSchema:
    department: str
    category: str
    fields: tuple[Field, ...]
    period: str = "month"
    """"month": one delivery per month; "snapshot": the current state, delivered when it changes."""

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def personal_fields(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.personal)


def _schema(department: str, category: str, *fields: Field, period: str = "month") -> DepartmentSchema:
    keys = (Field("credit_code", Kind.CODE), Field("period", Kind.MONTH))
    return DepartmentSchema(department, category, keys + fields, period)


def _amount(name: str) -> Field:
    return Field(name, Kind.FLOAT, min=0.0)


def _count(name: str, low: float = 0.0) -> Field:
    return Field(name, Kind.INT, min=low)


_ALL = (
    _schema("tax", "tax", _amount("invoiced_sales"), _amount("tax_paid")),
    _schema("social_security", "social_security", _count("insured_headcount")),
    _schema("electricity", "electricity", _amount("kwh")),
    _schema("water", "water", _amount("m3")),
    _schema("gas", "gas", _amount("m3")),
    _schema("customs", "customs", _amount("imports"), _amount("exports")),
    _schema("ip", "ip", _count("patents"), _count("trademarks")),
    _schema(
        "market_supervision", "registration",
        Field("enterprise_name", Kind.STR),
        Field("legal_rep_name", Kind.STR, personal=True),
        Field("legal_rep_id_number", Kind.ID_NUMBER, personal=True),
        Field("phone", Kind.STR, personal=True),
        Field("address", Kind.STR, personal=True),
        _amount("registered_capital"),
        Field("established", Kind.DATE),
        Field("industry", Kind.STR),
        period="snapshot",
    ),
    _schema("market_supervision", "administrative_penalties", _count("penalties", 1), _amount("fines")),
    _schema("courts", "courts", _count("enforcement_cases", 1), _amount("amount")),
)

SCHEMAS: Mapping[str, DepartmentSchema] = {s.category: s for s in _ALL}
"""Category → schema. Amounts are in yuan, electricity in kWh, water and gas in m³."""

DEPARTMENTS: tuple[str, ...] = tuple(dict.fromkeys(s.department for s in _ALL))


def of_department(department: str) -> tuple[DepartmentSchema, ...]:
    """The schemas ``department`` delivers (two for market supervision)."""
    return tuple(s for s in _ALL if s.department == department)


def key(row: Mapping[str, object]) -> tuple[str, str]:
    """(credit_code, period): at most one record per enterprise, category and period."""
    return str(row["credit_code"]), str(row["period"])


def validate_row(schema: DepartmentSchema, row: Mapping[str, object]) -> tuple[dict[str, Value], list[str]]:
    """(typed row, []) if ``row`` fits ``schema``, else (what could be typed, the reasons it does not)."""
    typed: dict[str, Value] = {}
    reasons = [f"unexpected field {safe_name(name)}" for name in row if name not in schema.field_names]
    for f in schema.fields:
        raw = row.get(f.name)
        if raw is None or raw == "":
            if f.required:
                reasons.append(f"missing field {f.name!r}")
            typed[f.name] = None
            continue
        value, reason = _typed(f, raw)
        if reason is None:
            typed[f.name] = value
        else:
            reasons.append(reason)
    return typed, reasons


MAX_TEXT = 1_000
"""Characters in one text field: the longest honest one (an address) is under 200."""
MAX_INT = 2**53 - 1
"""The largest integer RFC 8785 (I-JSON, RFC 7493) serialises exactly."""
_MAX_NUMBER_TEXT = 40

_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_INT = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?")


def _typed(f: Field, raw: object) -> tuple[Value, str | None]:
    """The value of ``raw`` for field ``f``, or the reason it has none."""
    if f.kind in (Kind.INT, Kind.FLOAT):
        number = _number(raw, integral=f.kind is Kind.INT)
        if number is None:
            return None, _wrong_type(f, raw)
        return number, _out_of_range(f, number)
    if not isinstance(raw, str):
        return None, _wrong_type(f, raw)
    if f.kind is Kind.CODE:
        try:
            return uscc.validate(raw), None
        except InvalidCreditCode:
            what = "the check character does not match" if len(raw) == 18 else "it has not 18 characters"
            return None, f"bad credit code in {f.name!r}: {what} (GB 32100-2015)"
    if f.kind is Kind.ID_NUMBER:
        try:
            return idcard.validate(raw), None
        except InvalidIdNumber:
            return None, f"bad identity number in {f.name!r}: not a valid GB 11643-1999 number"
    if len(raw) > MAX_TEXT:
        return None, f"{f.name!r} is longer than {MAX_TEXT} characters"
    if f.kind is Kind.MONTH and not _MONTH.fullmatch(raw):
        return None, _wrong_type(f, raw)
    if f.kind is Kind.DATE and not _is_date(raw):
        return None, _wrong_type(f, raw)
    if f.kind is Kind.STR and not f.personal:
        for kind in identifiers_in(raw):
            return None, f"{f.name!r} is not declared personal but carries {kind}: refused, not stored"
    return raw, None


def _number(raw: object, integral: bool) -> int | float | None:
    """An int (``integral``) or a finite float from a JSON number or an ASCII decimal string."""
    if isinstance(raw, str):
        if len(raw) > _MAX_NUMBER_TEXT or not (_INT if integral else _FLOAT).fullmatch(raw):
            return None
        raw = int(raw) if integral else float(raw)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    if integral:
        return raw if isinstance(raw, int) and -MAX_INT <= raw <= MAX_INT else None
    try:
        value = float(raw)
    except OverflowError:
        return None
    return value if math.isfinite(value) else None


def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _wrong_type(f: Field, raw: object) -> str:
    if f.kind is Kind.INT and isinstance(raw, int | str) and not isinstance(raw, bool) and _is_int_text(raw):
        return f"out of range for {f.name!r}: beyond +/-(2^53 - 1) or over {_MAX_NUMBER_TEXT} digits"
    got = "" if isinstance(raw, str) else f", got {'a list' if isinstance(raw, list) else type(raw).__name__}"
    return f"wrong type for {f.name!r}: expected {f.kind.value}{got}"


def _is_int_text(raw: int | str) -> bool:
    return isinstance(raw, int) or bool(_INT.fullmatch(raw))


def _out_of_range(f: Field, value: float) -> str | None:
    if f.min is not None and value < f.min:
        return f"out of range for {f.name!r}: below the minimum {f.min:g}"
    if f.max is not None and value > f.max:
        return f"out of range for {f.name!r}: above the maximum {f.max:g}"
    return None


def safe_name(name: str) -> str:
    """A field name as given if it looks like one (lower-case ASCII letters, digits, underscores,
    starting with a letter: no credit code or identity number does), else a placeholder. A reason
    never repeats arbitrary input."""
    plain = name.replace("_", "")
    ok = 0 < len(name) <= 40 and plain.isascii() and (not plain or plain.isalnum())
    return repr(name) if ok and name[0].isalpha() and name == name.lower() else "(not a field name)"
