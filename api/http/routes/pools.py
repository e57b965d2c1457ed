"""The risk compensation pools (LossSharing, seeds R2 and R8) over HTTP: a regulator's deposit
(``credtrace pool fund``) and every pool's balance (``credtrace pool show --json``). The deposit is sent from
the regulator's own account (the custody model, README); the contract checks the role again."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, Field

from api.actions import loan_args as args
from api.actions import loan_view as view
from api.http.auth import Caller, with_role
from api.http.custody import acting
from api.http.routes.proofs import Svc
from ledger.types import Role

router = APIRouter(tags=["regulators"])
Regulator = Annotated[Caller, Depends(with_role(Role.REGULATOR))]
Reader = Annotated[Caller, Depends(with_role(Role.REGULATOR, Role.AUDITOR, Role.BANK))]
PoolName = Annotated[str, Path(pattern=r"^(municipal|[1-9][0-9]{5})$",
                               description="'municipal' or a district's GB/T 2260 code, e.g. 500103")]


class Deposit(BaseModel):
    amount: int = Field(ge=1, le=args.JSON_INT, description="fen")


@router.post("/v1/pools/{pool}/deposits", responses={409: {"description": "contract-revert"}})
def fund(pool: PoolName, body: Deposit, caller: Regulator, svc: Svc) -> dict[str, Any]:
    """Deposit into a pool (``credtrace pool fund``); the pool after it, money in fen."""
    pool_id = args.pool(pool)
    with acting(svc, caller) as (p, by), view.explained(p.loans):
        p.loans.fund(by, pool_id, body.amount)
        return view.pool_json(pool_id, p.loans.pool(pool_id))


@router.get("/v1/pools")
def pools(caller: Reader, svc: Svc) -> list[dict[str, Any]]:
    """Every pool funded or lent in: deposits, payments, returns, balance and shortfall, in fen."""
    loans = svc.platform.loans
    return [view.pool_json(i, loans.pool(i)) for i in loans.pool_ids()]
