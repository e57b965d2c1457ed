"""Scripted loans for the operating ledger's tests, and the ledger recomputed from ``eth_getLogs`` with
web3 alone: the contract's ABI from its artifact file, one ``get_logs`` per event, and none of
``ledger.operating`` (a second, independent reading of what each figure means, written the other way
round: from each event kind to the loans, not by replaying the chain in order).

A plain module (tests/ledger/conftest.py puts this folder on the path), shared by the chain test and
the command line's.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from fractions import Fraction
from math import floor
from pathlib import Path
from typing import Any

from loan_world import JIANGBEI, POLICY, YUZHONG, LoanWorld
from web3 import Web3

from ledger.chain import TransactionSender

ARTIFACT = Path(__file__).resolve().parents[3] / "ledger" / "chain" / "artifacts" / "LoanLedger.json"
YUAN = 100
"""Fen in a yuan."""


# ---- the story ----------------------------------------------------------------------------------


def play(w: LoanWorld) -> dict[str, int]:
    """Two banks, two districts: repaid, overdue (30 and 120 days), defaulted and compensated with a
    shortfall in Jiangbei's pool and a recovery shared back, written off after a claim under a second
    policy, defaulted and recovered without a claim, declined, pending, approved and closed. The
    applications by name."""
    def regulator() -> TransactionSender:  # a sender counts its nonces: a fresh one for each transaction
        return w.send(w.regulator)

    def b0() -> TransactionSender:
        return w.send(w.banks[0])

    def b1() -> TransactionSender:
        return w.send(w.banks[1])

    w.loans.fund(regulator(), 0, 3_000_000 * YUAN)
    w.loans.fund(regulator(), YUZHONG, 1_000_000 * YUAN)
    w.loans.fund(regulator(), JIANGBEI, 100_000 * YUAN)
    apps = {"repaid": _lent(w, 0, 0, YUZHONG, 1_000_000), "overdue": _lent(w, 0, 1, JIANGBEI, 500_000),
            "late": _lent(w, 0, 0, YUZHONG, 300_000), "compensated": _lent(w, 1, 1, JIANGBEI, 2_000_000)}
    w.loans.repay(b0(), apps["repaid"], 400_000 * YUAN, 20_000 * YUAN)
    w.loans.repay(b0(), apps["repaid"], 600_000 * YUAN, 10_000 * YUAN)
    w.loans.close(b0(), apps["repaid"])
    w.loans.mark_overdue(b0(), apps["overdue"], 30)
    w.loans.mark_overdue(b0(), apps["late"], 120)
    w.loans.repay(b1(), apps["compensated"], 0, 5_000 * YUAN)
    _default(w, 1, apps["compensated"], 95)
    w.loans.claim_compensation(b1(), apps["compensated"])  # Jiangbei's pool holds less than its 20%
    w.loans.recover(b1(), apps["compensated"], 500_000 * YUAN)
    w.loans.set_policy(regulator(), replace(POLICY, municipal_bps=5_000, district_bps=1_000))
    apps["written off"] = _lent(w, 1, 0, YUZHONG, 800_000)
    w.loans.repay(b1(), apps["written off"], 100_000 * YUAN, 8_000 * YUAN)
    _default(w, 1, apps["written off"], 100)
    w.loans.claim_compensation(b1(), apps["written off"])
    w.loans.recover(b1(), apps["written off"], 70_000 * YUAN)
    w.loans.write_off(b1(), apps["written off"])
    apps["declined"] = w.apply(900_000 * YUAN, 1, 0)
    w.loans.decide(w.send(w.oracle), w.decision(apps["declined"], approve=False))
    apps["pending"] = w.apply(400_000 * YUAN, 1, 1)
    apps["unclaimed"] = _lent(w, 0, 0, YUZHONG, 200_000)
    _default(w, 0, apps["unclaimed"], 91)
    w.loans.recover(b0(), apps["unclaimed"], 50_000 * YUAN)
    apps["never drawn"] = w.apply(100_000 * YUAN, 0, 1)
    w.loans.decide(w.send(w.oracle), w.decision(apps["never drawn"], limit=100_000 * YUAN))
    w.loans.close(b1(), apps["never drawn"])
    return apps


def _lent(w: LoanWorld, bank: int, enterprise: int, district: int, yuan: int) -> int:
    app = w.apply(yuan * YUAN, enterprise, bank)
    w.loans.decide(w.send(w.oracle), w.decision(app, limit=yuan * YUAN))
    w.loans.disburse(w.send(w.banks[bank]), app, yuan * YUAN, district)
    return app


def _default(w: LoanWorld, bank: int, app: int, days: int) -> None:
    w.loans.mark_overdue(w.send(w.banks[bank]), app, days - 30)
    w.loans.mark_default(w.send(w.banks[bank]), app, days)


# ---- the ledger from the logs, with web3 alone ---------------------------------------------------

EVENTS = ("Applied", "Decided", "Disbursed", "Repaid", "Subsidised", "MarkedOverdue", "Defaulted", "Compensated",
          "Recovered", "WrittenOff", "StatusChanged", "PolicySet", "PoolFunded")
OVERDUE, DEFAULTED, COMPENSATED = 5, 6, 7
"""LoanLedger.Status ordinals, from the contract's enum."""


def recompute(web3: Web3, address: str, from_block: int = 0) -> dict[str, Any]:
    """What ``credtrace ledger report --json`` must say, but its ``source``."""
    abi = json.loads(ARTIFACT.read_text())["abi"]
    contract = web3.eth.contract(address=Web3.to_checksum_address(address), abi=abi)
    logs = {name: sorted(contract.events[name].get_logs(from_block=from_block),
                         key=lambda log: (log["blockNumber"], log["logIndex"])) for name in EVENTS}
    args = {name: [log["args"] for log in found] for name, found in logs.items()}
    loans = {a["applicationId"]: _loan(a["applicationId"], args, logs) for a in args["Applied"]}
    banks = list(dict.fromkeys(a["bank"] for a in args["Applied"]))  # in order of first application
    districts = sorted({a["district"] for a in args["Disbursed"]})
    bank_of = {a["applicationId"]: a["bank"] for a in args["Applied"]}
    district_of = {a["applicationId"]: a["district"] for a in args["Disbursed"]}
    return {
        "banks": [{"bank": bank, **_group([loans[i] for i in loans if bank_of[i] == bank], True)} for bank in banks],
        "districts": [{"district": d, **_group([loans[i] for i in loans if district_of.get(i) == d], False)}
                      for d in districts],
        "pools": _pools(args, district_of),
        "policies": [{"version": a["version"], **_policy(abi, a["policy"])} for a in args["PolicySet"]],
        "totals": _group(list(loans.values()), True),
    }


def _loan(app: int, args: dict[str, list[Any]], logs: dict[str, list[Any]]) -> Counter[str]:
    def mine(name: str) -> list[Any]:
        return [a for a in args[name] if a["applicationId"] == app]

    def total(name: str, field: str) -> int:
        return sum(a[field] for a in mine(name))

    status = [a["to"] for a in mine("StatusChanged")][-1]
    owed = total("Disbursed", "amount") - total("Repaid", "principal") - total("Recovered", "amount") \
        - total("WrittenOff", "amount")
    marks = sorted((log["blockNumber"], log["logIndex"], log["args"]["daysPastDue"])
                   for name in ("MarkedOverdue", "Defaulted") for log in logs[name]
                   if log["args"]["applicationId"] == app)
    days = marks[-1][2] if marks else 0
    decided = mine("Decided")
    approved, declined = int(any(a["approved"] for a in decided)), int(any(not a["approved"] for a in decided))
    npl = status in (DEFAULTED, COMPENSATED) or (status == OVERDUE and days > 90)
    return Counter({
        "applications": 1, "approved": approved, "declined": declined,
        "approvedLimit": sum(a["limit"] for a in decided if a["approved"]),
        "loans": len(mine("Disbursed")), "disbursed": total("Disbursed", "amount"),
        "repaidPrincipal": total("Repaid", "principal"), "interest": total("Repaid", "interest"),
        "outstanding": owed, "overdueLoans": int(status == OVERDUE), "overdue": owed * (status == OVERDUE),
        "defaultedLoans": int(status in (DEFAULTED, COMPENSATED)),
        "defaulted": owed * (status in (DEFAULTED, COMPENSATED)),
        "defaults": len(mine("Defaulted")), "defaultedAtDefault": total("Defaulted", "outstanding"),
        "nplLoans": int(npl), "npl": owed * npl, "compensatedLoans": len(mine("Compensated")),
        "loss": total("Compensated", "loss"), "municipalPaid": total("Compensated", "municipalPaid"),
        "districtPaid": total("Compensated", "districtPaid"),
        "municipalShortfall": total("Compensated", "municipalShortfall"),
        "districtShortfall": total("Compensated", "districtShortfall"),
        "recovered": total("Recovered", "amount"), "municipalReturned": total("Recovered", "municipalReturned"),
        "districtReturned": total("Recovered", "districtReturned"),
        "writtenOffLoans": len(mine("WrittenOff")), "writtenOff": total("WrittenOff", "amount"),
        "subsidy": total("Subsidised", "amount"), "subsidyShortfall": total("Subsidised", "shortfall"),
    })


PIPELINE = ("applications", "approved", "declined", "approvedLimit")


def _group(loans: list[Counter[str]], with_pipeline: bool) -> dict[str, Any]:
    figures: dict[str, Any] = {k: 0 for k in (loans[0] if loans else _loan_keys())}
    for loan in loans:
        for k, v in loan.items():
            figures[k] += v
    if not with_pipeline:
        figures = {k: v for k, v in figures.items() if k not in PIPELINE}
    npl, owed = figures["npl"], figures["outstanding"]
    ratio = Fraction(npl, owed) if owed else None
    figures["nplRatio"] = None if ratio is None else f"{ratio.numerator}/{ratio.denominator}"
    figures["nplRatioBps"] = None if ratio is None else floor(ratio * 10_000 + Fraction(1, 2))
    return figures


def _loan_keys() -> list[str]:
    """The figures' names, for a group with no loans (the totals of an empty chain)."""
    return [*PIPELINE, "loans", "disbursed", "repaidPrincipal", "interest", "outstanding", "overdueLoans",
            "overdue", "defaultedLoans", "defaulted", "defaults", "defaultedAtDefault", "nplLoans", "npl",
            "compensatedLoans", "loss", "municipalPaid", "districtPaid", "municipalShortfall", "districtShortfall",
            "recovered", "municipalReturned", "districtReturned", "writtenOffLoans", "writtenOff", "subsidy",
            "subsidyShortfall"]


def _pools(args: dict[str, list[Any]], district_of: dict[int, int]) -> list[dict[str, int]]:
    """Every pool with money in, out or short: 0 the municipal, else a district's."""
    ids = {0, *(a["pool"] for a in args["PoolFunded"]), *district_of.values()}
    found = []
    for pool in sorted(ids):
        here = [a for a in args["Compensated"] if a["district"] == pool]
        subsidies = [a for a in args["Subsidised"] if a["district"] == pool]
        returned = [a for a in args["Recovered"] if district_of[a["applicationId"]] == pool]
        row = {
            "pool": pool,
            "deposits": sum(a["amount"] for a in args["PoolFunded"] if a["pool"] == pool),
            "compensation": sum(a["municipalPaid"] for a in args["Compensated"]) if pool == 0
            else sum(a["districtPaid"] for a in here),
            "subsidies": sum(a["amount"] for a in subsidies),
            "returned": sum(a["municipalReturned"] for a in args["Recovered"]) if pool == 0
            else sum(a["districtReturned"] for a in returned),
            "shortfall": (sum(a["municipalShortfall"] for a in args["Compensated"]) if pool == 0
                          else sum(a["districtShortfall"] for a in here)) + sum(a["shortfall"] for a in subsidies),
        }
        row["paid"] = row["compensation"] + row["subsidies"]
        row["balance"] = row["deposits"] + row["returned"] - row["paid"]
        if any(v for k, v in row.items() if k != "pool"):
            found.append(row)
    return found


def _policy(abi: list[dict[str, Any]], raw: Any) -> dict[str, int]:
    event = next(item for item in abi if item.get("type") == "event" and item["name"] == "PolicySet")
    names = [c["name"] for c in event["inputs"][1]["components"]]
    values = [raw[name] for name in names] if hasattr(raw, "keys") else raw  # by name, or a plain tuple
    return dict(zip(names, values, strict=True))
