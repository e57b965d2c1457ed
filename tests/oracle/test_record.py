"""The signed decision record's layers: the same decision gives the same payload (so k oracles agree on
one hash), the hash is the payload's, and a quorum's signatures join one envelope."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from nacl.signing import SigningKey

from oracle.errors import RecordError
from oracle.record import (
    PREDICATE_TYPE,
    Application,
    Checkpoint,
    Decision,
    Reason,
    combined,
    opened,
    record_hash,
    sign,
)

APPLICATION = Application(1337, "0x" + "aa" * 20, 7, "0x" + "bb" * 20, "ab" * 32, "cd" * 32, 100_000_00, 12, "SME-1Y")
DECISION = Decision(1337, "0x" + "aa" * 20, 7, "0x" + "bb" * 20, "ab" * 32, "ee" * 32, "ff" * 32, "11" * 32, 612,
                    21_000, "APPROVE", 80_000_00, 450, (Reason("SALES_LOW", "invoiced sales below average"),),
                    (3, 4), Checkpoint(10, "22" * 32), "2026-11-30T00:00:00Z")


def test_two_oracles_sign_the_same_payload_and_their_signatures_join() -> None:
    first = sign(DECISION, APPLICATION, SigningKey.generate(), "0x01")
    second = sign(DECISION, APPLICATION, SigningKey.generate(), "0x02")
    assert first != second and record_hash(first) == record_hash(second)
    envelope = json.loads(first)
    assert record_hash(first) == hashlib.sha256(base64.b64decode(envelope["payload"])).hexdigest()
    joined = json.loads(combined([first, second]))
    assert sorted(s["keyid"] for s in joined["signatures"]) == ["0x01", "0x02"]
    statement = opened(first)
    assert statement["predicateType"] == PREDICATE_TYPE
    assert statement["subject"][0]["name"] == f"loan-application/1337/0x{'aa' * 20}/7"
    assert statement["predicate"]["pdPpm"] == 21_000 and statement["predicate"]["checkpoint"]["treeSize"] == 10


def test_records_of_different_decisions_do_not_join_and_junk_is_not_a_record() -> None:
    other = Decision(**{**DECISION.__dict__, "limit": 1})
    with pytest.raises(RecordError, match="same payload"):
        combined([sign(DECISION, APPLICATION, SigningKey.generate(), "0x01"),
                  sign(other, APPLICATION, SigningKey.generate(), "0x02")])
    for junk in (b"", b"[]", b'{"payload": "!!"}'):
        with pytest.raises(RecordError):
            opened(junk)
