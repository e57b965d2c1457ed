"""The pilot's calendar is the chain's own: each month begins with the chain's clock moved to the 1st of
that month, 09:00 in Beijing (01:00 UTC, so the oracle's as-of month, ``oracle.pipeline.as_of``, which
reads the block's UTC month, is the pilot's month), and a block made at that time, so the month's
transactions carry its date. Every rule that reads ``block.timestamp`` then sees the simulated date:
consent expiry, approval validity, the claim window, a bank's yearly cap, and the twelve months of data an
application's features read.

The clock is moved with ``evm_increaseTime`` (the devnet serves it on a node that allows it, as the
embedded chain of a home does; Anvil serves it too); it only moves forward, and a chain already in (or
past) the month is left alone, so a resumed run moves it at most once per month. The block that carries
the new time is a transfer of nothing from the operator to itself.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from web3.types import Wei

from api import ApiError
from ledger.chain import Chain, TransactionSender

BEIJING = timezone(timedelta(hours=8))
OPENS = 9
"""The hour (Beijing) a pilot month opens at, on its 1st."""
NOT_SERVED = -32601
ROUNDS = 4
"""Moves toward a month's opening before giving up. A block's time is at least its parent's plus one, so a
chain that made many blocks a second runs ahead of its node's clock: the first move falls short by that
lead, the second lands (the node's clock is then ahead of the blocks)."""


def opening(period: str) -> int:
    """The chain time (seconds) a month of the pilot opens at: its 1st, 09:00 Beijing."""
    return int(datetime(int(period[:4]), int(period[5:7]), 1, OPENS, tzinfo=BEIJING).timestamp())


def period_of(seconds: int) -> str:
    """The month (YYYY-MM, UTC, as the oracle reads it) a chain time falls in."""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m")


def month_after(seconds: int) -> str:
    """The month after the one a chain time falls in: a pilot begun on a chain starts there."""
    at = datetime.fromtimestamp(seconds, UTC)
    return f"{at.year + at.month // 12:04d}-{at.month % 12 + 1:02d}"


def now(chain: Chain) -> int:
    """The chain's time: its latest block's timestamp."""
    return int(chain.web3.eth.get_block("latest")["timestamp"])


def movable(chain: Chain) -> None:
    """Refuse a chain whose clock cannot be moved, before anything is sent (moving it by 0 s changes nothing)."""
    _increase(chain, 0)


def moved_to(chain: Chain, operator: TransactionSender, period: str) -> bool:
    """The chain's clock at the opening of ``period``, unless it is there or past it; True if it moved."""
    target = opening(period)
    if now(chain) >= target:
        return False
    for _ in range(ROUNDS):
        _tick(operator)  # the chain's time now, not its last block's (which may be hours old)
        behind = target - now(chain)
        if behind <= 0:
            return True
        _increase(chain, behind)
    raise ApiError(f"the chain's clock did not reach {period}'s opening after {ROUNDS} moves forward")


def _tick(operator: TransactionSender) -> None:
    operator.transact({"to": operator.address, "value": Wei(0), "gas": 21_000})


def _increase(chain: Chain, seconds: int) -> None:
    try:
        answer: Any = chain.web3.provider.make_request("evm_increaseTime", [seconds])  # type: ignore[arg-type]
    except Exception as exc:  # a provider that raises instead of answering with an error
        raise _immovable(str(exc)) from exc
    error = answer.get("error") if isinstance(answer, dict) else None
    if error:
        code = error.get("code") if isinstance(error, dict) else None
        raise _immovable("the node does not serve evm_increaseTime" if code == NOT_SERVED else str(error))


def _immovable(why: str) -> ApiError:
    return ApiError(f"the chain's clock cannot be moved ({why}): the pilot runs its months as the chain's calendar; "
                    "run it on the home's embedded chain, a devnet started with --allow-time-travel, or Anvil")
