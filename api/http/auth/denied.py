"""A refused request for enterprise data is a ``DENIED`` provenance event, like the gate's refusals
(seeds R5: nobody queries data beyond what the rules allow, and every attempt leaves a trace).

The event names the account the request claimed (``keyid``) when it is one, and the path asked for
as the purpose; never the body, which may carry what the caller had no right to send."""

from __future__ import annotations

from collections.abc import Callable

from eth_utils.address import is_address, to_checksum_address

from ledger.provenance.event import Event
from ledger.provenance.sequencer import Sequencer

OPERATOR_UNKNOWN = "0x0000000000000000000000000000000000000000"


def record_denied(sequencer: Sequencer, claimed: str | None, what: str, reason: str, request_id: str,
                  now: Callable[[], str]) -> int:
    actor = to_checksum_address(claimed) if claimed and is_address(claimed) else OPERATOR_UNKNOWN
    doc: dict[str, object] = {"action": "DENIED", "actor": actor, "subject": None, "assets": [], "purpose": what[:200],
           "consent": None, "request_id": request_id, "time": now(), "reason": reason[:500]}
    return sequencer.append([Event.from_json(doc)]).start
