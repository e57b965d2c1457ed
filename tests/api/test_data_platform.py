"""The data platform (seeds R3, R4, R6, R7, R9): ingestion, the access gate, desensitisation,
and what reaches the chain and the provenance log — on the embedded devnet."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rfc8785
import sqlalchemy as sa
from nacl.secret import SecretBox
from typer.testing import CliRunner

from api.cli import app
from api.cli.context import opened
from api.platform import Platform, opened_platform
from api.settings import Settings
from ledger.catalogue.errors import AccessDenied
from ledger.catalogue.gate import AccessRequest, ChainConsents, trace
from ledger.catalogue.ingest import Ingestion, ingest
from ledger.chain import Identity, KeyStore, TransactionSender
from ledger.chain.funding import top_up
from ledger.contracts.consent import Category, Grant, consent_id_hex, new_nonce, purpose
from ledger.types import Role
from simulation.defects import with_bad_rows
from simulation.pilot import Pilot, generate

CREDIT = "credit-assessment"


@dataclasses.dataclass
class World:
    p: Platform
    people: dict[str, Identity]
    pilot: Pilot

    @property
    def code(self) -> str:
        return self.pilot.enterprises[0].credit_code

    def send(self, name: str) -> TransactionSender:
        return TransactionSender(self.p.chain, self.people[name].account)

    def request(self, who: str, consent: str | None, datasets: tuple[str, ...] = ("tax", "registration"),
                **extra: Any) -> AccessRequest:
        code = extra.pop("credit_code", self.code)
        return AccessRequest(self.people[who].address, code, datasets, CREDIT, f"req-{time.time_ns()}",
                             consent, **extra)

    def consent(self, bank: str = "bank-a", categories: Category = Category.TAX | Category.MARKET_SUPERVISION,
                expires_in: int = 3600) -> str:
        enterprise = self.people["enterprise-1"]
        g = Grant(enterprise.address, self.people[bank].address, bytes.fromhex(self.p.pseudonymise(self.code)),
                  categories, purpose(CREDIT), 0, int(time.time()) + expires_in, new_nonce())
        self.p.consents.grant(self.send("operator"), g, self.p.consents.sign_grant(g, enterprise.account))
        return consent_id_hex(self.p.consents.consent_id(g))

    def last_event(self) -> dict[str, Any]:
        store = self.p.sequencer.store
        [(_, _, body)] = store.leaves(store.size() - 1, store.size())
        return dict(json.loads(body))


@pytest.fixture
def world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[World]:
    """A platform on the embedded devnet, or on Anvil for tests marked
    ``@pytest.mark.parametrize("world", ["devnet", "anvil"], indirect=True)``."""
    home = tmp_path / "home"
    rpc = request.getfixturevalue("anvil_url") if getattr(request, "param", "devnet") == "anvil" else None
    for args in (["init"], ["deploy", *(["--rpc", rpc] if rpc else [])]):
        assert CliRunner().invoke(app, ["--home", str(home), *args]).exit_code == 0
    settings = Settings.build(home, rpc)
    store = KeyStore(settings.keys_dir)
    pilot = generate(30, months=6, seed=3)
    people = {n: store.load(n) for n in store.names()}
    people["enterprise-1"] = dataclasses.replace(people["enterprise-1"], credit_code=pilot.enterprises[0].credit_code)
    with opened(settings) as chain, opened_platform(settings, chain) as p:
        operator = TransactionSender(chain, people["operator"].account)
        regulator = TransactionSender(chain, people["regulator"].account)  # genesis made it one
        for who in people.values():
            if who.role is Role.AUDITOR:  # the regulators' to appoint, not the operator's
                p.registry.propose_appointment(regulator, who.address, who.role, who.org_id, who.signing_public_key)
            elif who.role not in (Role.OPERATOR, Role.REGULATOR):
                p.registry.register(operator, who.address, who.role, p.org_id(who), who.signing_public_key)
            top_up(operator, who.address)
        w = World(p, people, pilot)
        for dataset, provider in (("tax", "tax-bureau"), ("registration", "market-supervision")):
            ingest(at(p, "2023-08-01T00:00:00Z"), dataset, pilot.records[dataset], people[provider].address)
        yield w


def at(p: Platform, time: str) -> Ingestion:
    """Ingestion whose platform clock reads ``time``."""
    return dataclasses.replace(p.ingestion, now=lambda: time)


def test_a_batch_with_three_bad_rows_stores_the_rest_and_records_one_ingest(world: World) -> None:
    rows = generate(200, months=6, seed=11).records["tax"][:1000]
    assert len(rows) == 1000
    corrupted, defects = with_bad_rows(rows, 3, np.random.default_rng(5))
    size = world.p.sequencer.store.size()
    report = ingest(at(world.p, "2023-08-02T00:00:00Z"), "tax", corrupted, world.people["tax-bureau"].address)
    assert (report.rows_total, report.stored, len(report.rejected)) == (1000, 997, 3)
    assert sorted(n for n, _ in report.rejected) == sorted(d.index + 1 for d in defects)
    assert all(reason for _, reason in report.rejected)
    assert world.p.sequencer.store.size() == size + 1
    event = world.last_event()
    assert (event["action"], event["assets"], event["subject"]) == ("INGEST", [report.content_hash], None)


def test_valid_consent_gives_desensitised_data_and_an_access_event(world: World) -> None:
    consent = world.consent()
    shown = world.p.gate.read(world.request("bank-a", consent))
    registration = next(r for r in shown.records if r["department"] == "registration")
    person = world.pilot.enterprises[0]
    name, id_number = registration["legal_rep_name"], person.legal_rep_id_number
    assert name != person.legal_rep_name and name[0] == person.legal_rep_name[0]
    assert registration["legal_rep_id_number"] == id_number[:6] + "********" + id_number[-4:]
    assert registration["phone"] == person.phone[:3] + "****" + person.phone[-4:]
    assert any(r["department"] == "tax" for r in shown.records)
    event = world.last_event()
    assert (event["action"], event["consent"], len(event["assets"])) == ("ACCESS", consent, len(shown.records))
    assert event["subject"] == world.p.pseudonymise(world.code)


def test_the_oracle_reads_for_a_bank_without_personal_fields(world: World) -> None:
    consent = world.consent()
    bank = world.people["bank-a"].address
    shown = world.p.gate.read(world.request("oracle", consent, on_behalf_of=bank))
    registration = next(r for r in shown.records if r["department"] == "registration")
    assert "legal_rep_name" not in registration and "credit_code" not in registration
    assert registration["subject"] == world.p.pseudonymise(world.code)


def test_a_read_looks_each_participant_up_once(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every look-up is a chain call (~15 ms on the devnet, a dozen an oracle's decision): the requester is
    looked up once, not again for its treatment."""
    consent, bank = world.consent(), world.people["bank-a"].address
    asked: list[str] = []
    roles = type(world.p.gate.roles)
    looked_up = roles.participant
    monkeypatch.setattr(roles, "participant", lambda self, a: asked.append(a) or looked_up(self, a))
    world.p.gate.read(world.request("oracle", consent, on_behalf_of=bank))
    assert asked.count(world.people["oracle"].address) == 1


@pytest.mark.parametrize("case", ["no consent", "expired", "revoked", "other bank", "category", "suspended",
                                  "sanctioned", "role"])
def test_refusals_are_clear_and_recorded(world: World, case: str) -> None:
    gate, who, consent = world.p.gate, "bank-a", None
    if case != "no consent":
        consent = world.consent(categories=Category.TAX if case == "category" else
                                Category.TAX | Category.MARKET_SUPERVISION)
    if case == "expired":
        later = ChainConsents(world.p.consents, world.p.registry, lambda: int(time.time()) + 10**6)
        gate = dataclasses.replace(gate, consents=later)
    if case == "revoked":
        world.p.consents.revoke(world.send("enterprise-1"), bytes.fromhex(consent[2:]))  # type: ignore[index]
    if case == "other bank":
        who = "bank-b"
    if case == "suspended":
        world.p.registry.suspend(world.send("regulator"), world.people["bank-a"].address, "inquiry")
    if case == "sanctioned":
        world.p.sanctions.sanction(world.send("regulator"), world.p.pseudonymise(world.code), "false data")
    if case == "role":
        who = "tax-bureau"
    expected = {"no consent": "no consent given", "expired": "expired", "revoked": "revoked",
                "other bank": "granted to another bank", "category": "market_supervision not granted",
                "suspended": "requester is suspended", "sanctioned": "sanctions list", "role": "role PROVIDER"}[case]
    with pytest.raises(AccessDenied, match=expected) as refused:
        gate.read(world.request(who, consent))
    event = world.last_event()
    assert event["action"] == "DENIED" and expected in event["reason"]
    assert refused.value.event_index == world.p.sequencer.store.size() - 1


@pytest.mark.parametrize("world", ["devnet", "anvil"], indirect=True)
@pytest.mark.parametrize("case", ["bank suspended", "bank exited", "not a bank", "no bank",
                                  "enterprise suspended", "enterprise exited"])
def test_the_oracle_reads_only_for_an_active_bank_about_an_active_enterprise(world: World, case: str) -> None:
    """The gate checks whom the oracle reads for, and whose consent it relies on, not only the oracle."""
    consent, bank = world.consent(), world.people["bank-a"].address
    on_behalf_of: str | None = world.people["tax-bureau"].address if case == "not a bank" else bank
    if case == "no bank":
        on_behalf_of = None
    target = "bank-a" if case.startswith("bank") else "enterprise-1"
    if case.endswith("suspended"):
        world.p.registry.suspend(world.send("regulator"), world.people[target].address, "inquiry")
    if case.endswith("exited"):
        world.p.registry.exit(world.send(target), world.people[target].address, "leaving")
    expected = {"bank suspended": "the bank the oracle reads for is suspended",
                "bank exited": "the bank the oracle reads for is exited",
                "not a bank": "the oracle reads only for a registered bank",
                "no bank": "reads only for a registered bank",
                "enterprise suspended": "the enterprise that granted it is suspended: its consents are not honoured",
                "enterprise exited": "the enterprise that granted it is exited"}[case]
    with pytest.raises(AccessDenied, match=expected):
        world.p.gate.read(world.request("oracle", consent, on_behalf_of=on_behalf_of))
    assert world.last_event()["action"] == "DENIED" and expected in world.last_event()["reason"]
    if case.startswith("enterprise"):  # and the bank cannot read directly either
        with pytest.raises(AccessDenied, match=expected):
            world.p.gate.read(world.request("bank-a", consent))


@pytest.mark.parametrize("case", ["bad credit code", "unknown dataset", "no dataset", "malformed consent"])
def test_a_malformed_request_is_refused_and_recorded_without_repeating_it(world: World, case: str) -> None:
    consent = "0x12345" if case == "malformed consent" else world.consent()
    request = world.request("bank-a", consent, datasets={"unknown dataset": ("tax", "13912345678"),
                                                          "no dataset": ()}.get(case, ("tax",)))
    if case == "bad credit code":
        request = dataclasses.replace(request, credit_code=world.code[:17] + ("1" if world.code[17] != "1" else "2"))
    expected = {"bad credit code": "not a valid unified social credit code",
                "unknown dataset": "not one the platform holds", "no dataset": "not one the platform holds",
                "malformed consent": "the consent id is not 0x and 64 hex digits"}[case]
    with pytest.raises(AccessDenied, match=expected):
        world.p.gate.read(request)
    event = world.last_event()
    assert event["action"] == "DENIED" and expected in event["reason"] and "1391234" not in event["reason"]
    assert event["subject"] is None if case == "bad credit code" else event["subject"] is not None
    assert event["consent"] is None if case == "malformed consent" else event["consent"] == consent


def _insider(world: World, *statements: str, **params: Any) -> None:
    """What someone with the database file can do: lift the guard, then rewrite catalogue rows."""
    with world.p.engine.begin() as conn:
        conn.execute(sa.text("DROP TRIGGER IF EXISTS catalogue_records_update_guard"))
        for statement in statements:
            conn.execute(sa.text(statement), params)


def _row(world: World, code: str, period: str) -> dict[str, Any]:
    q = sa.text("SELECT * FROM catalogue_records WHERE department = 'tax' AND subject = :s AND period = :p")
    with world.p.engine.connect() as conn:
        return dict(conn.execute(q, {"s": world.p.pseudonymise(code), "p": period}).one()._mapping)


SWAP = ("UPDATE catalogue_records SET sealed = :b_sealed, content_hash = :b_hash "
        "WHERE department = 'tax' AND subject = :a_subject AND period = :a_period")


@pytest.mark.parametrize("case", ["another enterprise", "another enterprise, hash too", "another period"])
def test_a_ciphertext_moved_in_sql_is_refused_and_recorded(world: World, case: str) -> None:
    """Issue 12: another enterprise's record copied into this one's row was shown to its bank."""
    other = world.pilot.enterprises[1].credit_code if case.startswith("another enterprise") else world.code
    a, b = _row(world, world.code, "2023-02"), _row(world, other, "2023-03" if case == "another period" else "2023-02")
    hashes = b["content_hash"] if case != "another enterprise" else a["content_hash"]
    _insider(world, SWAP, b_sealed=b["sealed"], b_hash=hashes, a_subject=a["subject"], a_period=a["period"])
    with pytest.raises(AccessDenied, match="moved, swapped or altered in the database") as refused:
        world.p.gate.read(world.request("bank-a", world.consent(), datasets=("tax",)))
    event = world.last_event()
    assert event["action"] == "DENIED" and "is not what its row says" in event["reason"]
    assert refused.value.event_index == world.p.sequencer.store.size() - 1 and "\n" not in str(refused.value)


def test_a_record_sealed_before_binding_is_served_only_in_its_own_row(world: World) -> None:
    """Records sealed before rows were bound (a bare SecretBox) are still shown, held to their row by
    the gate's checks: the enterprise's code, the period, the dataset's fields, the content hash."""
    body = rfc8785.dumps({"credit_code": world.code, "period": "2030-01", "invoiced_sales": 5.0, "tax_paid": 0.5})
    legacy = bytes(SecretBox(world.p.gate.vault.keys.key).encrypt(body))  # type: ignore[attr-defined]
    subject, other = world.p.pseudonymise(world.code), world.pilot.enterprises[1].credit_code
    insert = ("INSERT INTO catalogue_records (department, subject, period, batch_id, content_hash, sealed) "
              "VALUES ('tax', :subject, '2030-01', 'legacy', :hash, :sealed)")
    _insider(world, insert, subject=subject, hash=hashlib.sha256(body).hexdigest(), sealed=legacy)
    shown = world.p.gate.read(world.request("bank-a", world.consent(), datasets=("tax",)))
    assert {"department": "tax", "credit_code": world.code, "period": "2030-01", "invoiced_sales": 5.0,
            "tax_paid": 0.5} in shown.records
    _insider(world, insert, subject=world.p.pseudonymise(other), hash=hashlib.sha256(body).hexdigest(), sealed=legacy)
    with pytest.raises(AccessDenied, match="is not what its row says"):
        world.p.gate.read(dataclasses.replace(world.request("regulator", None, datasets=("tax",)), credit_code=other))
    assert world.last_event()["action"] == "DENIED"


def test_derived_and_exported_data_is_recorded_and_a_leak_traces_back(world: World) -> None:
    consent = world.consent()
    shown = world.p.gate.read(world.request("bank-a", consent))
    inputs = world.last_event()["assets"]
    world.p.gate.derive(world.request("bank-a", consent), inputs, b"feature vector")
    assert world.last_event()["action"] == "TRANSFORM" and world.last_event()["assets"] == inputs
    recipient = world.people["bank-b"].address
    copy, _ = world.p.gate.export(world.request("bank-a", consent), recipient, {"records": shown.records})
    event = world.last_event()
    assert event["action"] == "OUTPUT" and event["recipient"] == recipient
    bodies = lambda: [b for _, _, b in world.p.sequencer.store.leaves(0, world.p.sequencer.store.size())]  # noqa: E731
    assert trace(copy, bodies) == recipient
    assert trace(copy["records"][-1], bodies) == recipient  # one record copied out still names its recipient
    assert trace({**copy["records"][-1], "_fingerprint": None}, bodies) is None  # stripped: untraceable


def test_no_raw_code_or_personal_field_reaches_the_chain_or_the_log(world: World) -> None:
    consent = world.consent()
    world.p.gate.read(world.request("bank-a", consent))
    world.p.seal_and_anchor()
    secrets = {e.credit_code for e in world.pilot.enterprises}
    secrets |= {v for e in world.pilot.enterprises
                for v in (e.legal_rep_name, e.legal_rep_id_number, e.phone, e.address)}
    store = world.p.sequencer.store
    log_text = "\n".join(b for _, _, b in store.leaves(0, store.size()))
    assert store.size() == 3 and not [s for s in secrets if s in log_text]  # 2 INGEST, 1 ACCESS
    chain_bytes = _everything_on_chain(world)
    leaked = [s for s in secrets if s.encode() in chain_bytes or s.encode().hex().encode() in chain_bytes]
    assert leaked == []


def _everything_on_chain(world: World) -> bytes:
    w3, parts = world.p.chain.web3, []
    for number in range(w3.eth.block_number + 1):
        block = w3.eth.get_block(number, full_transactions=True)
        for tx in block["transactions"]:
            parts.append(bytes(tx["input"]))  # type: ignore[index]
            for log in w3.eth.get_transaction_receipt(tx["hash"])["logs"]:  # type: ignore[index]
                parts.append(bytes(log["data"]) + b"".join(bytes(t) for t in log["topics"]))
    return b"|".join(parts)


def test_the_data_commands_end_to_end(tmp_path: Path) -> None:
    home = tmp_path / "home"

    def cli(*args: str, ok: bool = True) -> str:
        result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    cli("demo", "tour")
    code = KeyStore(Settings.build(home, None).keys_dir).load("enterprise-1").credit_code
    assert code is not None
    batch = tmp_path / "tax.jsonl"
    rows = [{"credit_code": code, "period": "2026-01", "invoiced_sales": 1.0, "tax_paid": 0.1},
            {"credit_code": "915000000000000000", "period": "2026-01", "invoiced_sales": 1}]
    batch.write_text("\n".join(json.dumps(r) for r in rows))
    out = cli("data", "ingest", "tax", str(batch))
    assert "tax: 2 rows, 1 stored, 1 rejected" in out and "row 2:" in out
    spreadsheet = tmp_path / "tax.csv"  # saved by a spreadsheet: a byte-order mark before the header
    header = b"\xef\xbb\xbfcredit_code,period,invoiced_sales,tax_paid\n"
    spreadsheet.write_bytes(header + f"{code},2026-02,2,0.2\n".encode())
    assert "tax: 1 rows, 1 stored, 0 rejected" in cli("data", "ingest", "tax", str(spreadsheet))
    for content, error in ((header[3:] + b"\xff\xfe,2026-03,1,1\n", "line 2 is not UTF-8 text"),
                           (b"[1, 2]\n", "line 1 is not a JSON object"), (b"\n", "the batch has no rows")):
        bad = tmp_path / ("bad.jsonl" if content.startswith((b"[", b"\n")) else "bad.csv")
        bad.write_bytes(content)
        out = cli("data", "ingest", "tax", str(bad), ok=False)
        assert error in out and "Traceback" not in out
    consent = cli("consent", "grant", "--category", "tax", "--purpose", CREDIT).strip().splitlines()[-1]
    shown = json.loads(cli("data", "read", code, "--dataset", "tax", "--purpose", CREDIT, "--consent", consent))
    assert any(r["period"] == "2026-01" for r in shown["records"])
    out = cli("data", "read", code, "--dataset", "registration", "--purpose", CREDIT, "--consent", consent, ok=False)
    assert "access denied: category market_supervision not granted (recorded as DENIED" in out
    cli("consent", "revoke", consent)
    out = cli("data", "read", code, "--dataset", "tax", "--purpose", CREDIT, "--consent", consent, ok=False)
    assert "access denied: revoked" in out
    consent = cli("consent", "grant", "--category", "tax", "--purpose", CREDIT).strip().splitlines()[-1]
    assert "listed" in cli("sanctions", "add", code, "--reason", "false tax data")
    out = cli("data", "read", code, "--dataset", "tax", "--purpose", CREDIT, "--consent", consent, ok=False)
    assert "sanctions list" in out
    assert "false tax data" in cli("sanctions", "show", code)
    assert "NotAuthorized" in cli("sanctions", "lift", code, "--reason", "x", "--as", "bank-a", ok=False)
    assert "not listed" in cli("sanctions", "lift", code, "--reason", "corrected")
    cli("data", "read", code, "--dataset", "tax", "--purpose", CREDIT, "--consent", consent)
    report = json.loads(cli("report", "departments", "--json"))
    assert {r["department"] for r in report} >= {"tax", "courts", "market_supervision"}
    assert all({"department", "timeliness", "completeness", "accuracy"} <= set(r) for r in report)


def test_a_batch_stored_before_a_crash_gets_its_ingest_event(world: World) -> None:
    from ledger.catalogue.ingest import record_pending
    from ledger.catalogue.store import Batch

    batch = Batch("f" * 32, "tax", world.people["tax-bureau"].address, "2023-09-01T00:00:00Z", "a" * 64, 0, 0)
    with world.p.ingestion.writer.storing() as w:  # stored, then the process died before the event
        w.finish(batch, [], {}, set())
    size = world.p.sequencer.store.size()
    assert record_pending(world.p.ingestion.writer, world.p.sequencer) == 1
    event = world.last_event()
    assert world.p.sequencer.store.size() == size + 1
    assert (event["action"], event["request_id"], event["assets"]) == ("INGEST", "batch-" + "f" * 32, ["a" * 64])
    assert record_pending(world.p.ingestion.writer, world.p.sequencer) == 0


def test_the_oracle_reads_by_pseudonym_with_every_check_held(world: World) -> None:
    """A loan application carries only the pseudonym: the oracle reads by it (issue 15), a bank may not,
    and the consent, the bank and the record's owner are checked as for a read by credit code."""
    consent, bank = world.consent(), world.people["bank-a"].address
    pseudonym = world.p.pseudonymise(world.code)
    shown = world.p.gate.read(world.request("oracle", consent, on_behalf_of=bank, subject=pseudonym,
                                            credit_code=""))
    assert {r["subject"] for r in shown.records} == {pseudonym} and len(shown.records) > 1
    assert world.last_event()["action"] == "ACCESS" and world.last_event()["subject"] == pseudonym
    for who, subject, why in (("bank-a", pseudonym, "only an oracle reads by pseudonym"),
                              ("oracle", "F" * 64, "not 64 lowercase hex"),
                              ("oracle", "ab" * 32, "granted for another enterprise")):
        with pytest.raises(AccessDenied) as refused:
            world.p.gate.read(world.request(who, consent, on_behalf_of=bank if who == "oracle" else None,
                                            subject=subject, credit_code=""))
        assert why in refused.value.reason and world.last_event()["action"] == "DENIED"
