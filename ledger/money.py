"""Money as the ledger keeps it: integer fen (0.01 CNY), never floating point.

People write yuan ("1,000,000", "2500.50"); the chain and every JSON output hold fen.
"""

from __future__ import annotations

import re
from decimal import Context, Decimal

from ledger.errors import LedgerError

FEN_PER_YUAN = 100
EXACT = Context(prec=64)
"""Wide enough that no amount we accept is rounded."""
CENT = Decimal("0.01")
DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?")


def fen(yuan: str) -> int:
    """``"2500.50"`` → 250050; at most two decimals, not negative, under 10^40 yuan; LedgerError otherwise."""
    digits = yuan.replace(",", "").strip()
    if not DECIMAL.fullmatch(digits):  # no exponents, signs, NaN or Infinity: what a person writes
        raise LedgerError(f"an amount is a number of yuan, not negative, such as 2500.50: not {yuan[:40]!r}")
    amount = Decimal(digits)
    if not (amount < 10**40 and amount == amount.quantize(CENT, context=EXACT)):
        raise LedgerError(f"an amount is yuan with at most two decimals, not negative: {yuan[:40]!r}")
    return int(amount.scaleb(2, EXACT))


def percent(parts: int, whole: int = 10_000) -> str:
    """Basis points (or ppm with ``whole=1_000_000``) as an exact percentage: 450 → ``"4.50%"``."""
    digits = len(str(whole // 100)) - 1
    units, rest = divmod(parts, whole // 100)
    return f"{units}.{rest:0{digits}d}%" if digits else f"{units}%"


def yuan(amount: int) -> str:
    """250050 → ``"2,500.50"``: for people; JSON keeps the fen."""
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), FEN_PER_YUAN)
    return f"{sign}{whole:,}.{cents:02d}"
