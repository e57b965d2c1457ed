"""Who is calling: RFC 9421 HTTP Message Signatures with the participant's registered Ed25519 key.

The rule (README "Signing a request"):

* ``Signature-Input`` / ``Signature`` (RFC 9421 §4) with ``alg="ed25519"``, ``keyid`` = the
  participant's account (0x…, as registered in ``ParticipantRegistry``), ``created`` and ``nonce``;
* covered components at least ``@method``, ``@target-uri`` and ``content-digest`` (RFC 9530; the
  digest of the body, empty included), so neither the body, the path, the query nor the verb can
  be changed;
* ``created`` no older than :data:`~api.http.auth.verify.WINDOW` (and not in the future beyond a
  small skew); each nonce is accepted once (kept in the database, so a restart forgets none);
* the key is the one the registry holds for ``keyid`` now; the participant is active.

Refusals are 401 (unsigned, bad signature, stale, replayed, unknown key) or 403 (suspended or
exited, wrong role), as RFC 9457 problems; a refused request for enterprise data is also recorded
in the provenance log as ``DENIED``, like the access gate's refusals. The signature checking itself
is the maintained ``http-message-signatures`` package; this package adds the policy.
"""

from api.http.auth.caller import Caller, DataReader, Signed, reading, signed, with_role

__all__ = ["Caller", "DataReader", "Signed", "reading", "signed", "with_role"]
