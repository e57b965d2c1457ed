"""The timeline as a W3C PROV document (PROV-DM, https://www.w3.org/TR/prov-dm/), built with the
``prov`` package, which writes PROV-JSON (https://www.w3.org/submissions/prov-json/) and PROV-O
(https://www.w3.org/TR/prov-o/, as RDF Turtle through its optional ``rdflib``).

- every log event is an activity ``ct:event/<index>`` of type ``ct:<ACTION>``, at the event's time,
  associated with its actor's account, carrying its leaf hash, its proof's result, and its subject
  (``ct:subject``) and recipient (``ct:recipient``) as references to their agents (one association an
  activity: with several, prov's PROV-O reader mixes up their roles);
- a batch (INGEST's asset) is an entity ``ct:batch/<sha256>``, a member of its dataset ``ct:dataset/<name>``;
  a record or any other asset ``ct:asset/<sha256>``; a feature vector ``ct:vector/<sha256>``; a decision
  record ``ct:record/<sha256>``: used, generated and derived as the event says;
- a DECISION was informed by the ACCESS events it cites; its record was derived from the feature vector;
- every chain event is an activity ``ct:chain/<tx>/<log index>``, associated with the accounts it names;
- agents are accounts (``ct:account/0x…``) and enterprises by pseudonym (``ct:enterprise/<64 hex>``),
  never by credit code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from prov.model import PROV_TYPE, ProvDocument, QualifiedName

from ledger.lineage.target import Target
from ledger.lineage.timeline import ChainEntry, Entry, LogEntry

NAMESPACE = "urn:credtrace:"
_ACCOUNTS = ("by", "oracle", "bank", "enterprise")


def document(target: Target, entries: Sequence[Entry], vectors: Mapping[str, str],
             datasets: Mapping[str, str]) -> ProvDocument:
    """``vectors``: decision record hash → its feature vector's hash; ``datasets``: batch hash → dataset."""
    doc = ProvDocument()
    ct = doc.add_namespace("ct", NAMESPACE)
    if target.subject is not None:
        doc.agent(ct[f"enterprise/{target.subject}"], {PROV_TYPE: ct["Enterprise"]})
    access = {e.leaf: e for e in entries if isinstance(e, LogEntry) and e.action == "ACCESS"}
    for entry in entries:
        if isinstance(entry, LogEntry):
            _log_event(doc, ct, entry, access, vectors, datasets)
        else:
            _chain_event(doc, ct, entry)
    return doc.unified()  # one record per identifier (an agent or asset met twice is one node)


def _log_event(doc: ProvDocument, ct: Any, e: LogEntry, access: Mapping[str, LogEntry],
               vectors: Mapping[str, str], datasets: Mapping[str, str]) -> None:
    ev = e.event or {}
    attrs = {PROV_TYPE: ct[e.action], ct["leafHash"]: e.leaf, ct["proof"]: e.proof.status}
    attrs |= {ct[k]: str(ev[k]) for k in ("purpose", "request_id", "consent", "reason") if ev.get(k)}
    if e.proof.tree_size is not None:
        attrs[ct["treeSize"]] = e.proof.tree_size
    when = _time(e.time)
    act = doc.activity(ct[f"event/{e.index}"], when, when, attrs)
    if ev.get("actor"):
        doc.wasAssociatedWith(act, doc.agent(ct[f"account/{ev['actor']}"]))
    if ev.get("subject"):  # one association an activity: PROV-O's qualified forms keep one role apart
        doc.agent(ct[f"enterprise/{ev['subject']}"], {PROV_TYPE: ct["Enterprise"]})
        act.add_attributes({ct["subject"]: ct[f"enterprise/{ev['subject']}"]})
    if ev.get("recipient"):
        doc.agent(ct[f"account/{ev['recipient']}"])
        act.add_attributes({ct["recipient"]: ct[f"account/{ev['recipient']}"]})
    if e.action == "DECISION":
        _decision(doc, ct, act, ev, access, vectors)
        return
    inputs = [_asset(doc, ct, h, e.action, datasets) for h in ev.get("assets", [])]
    for h in inputs:
        doc.used(act, h)
    for out in ev.get("outputs", []):
        made = doc.entity(ct[f"asset/{out}"])
        doc.wasGeneratedBy(made, act)
        for h in inputs:
            doc.wasDerivedFrom(made, h, act)


def _decision(doc: ProvDocument, ct: Any, act: Any, ev: Mapping[str, Any], access: Mapping[str, LogEntry],
              vectors: Mapping[str, str]) -> None:
    cited = [access[h] for h in ev.get("assets", []) if h in access]
    for read in cited:
        doc.wasInformedBy(act, ct[f"event/{read.index}"])
    for out in ev.get("outputs", []):
        record = doc.entity(ct[f"record/{out}"], {PROV_TYPE: ct["DecisionRecord"]})
        doc.wasGeneratedBy(record, act)
        if out in vectors:
            vector = doc.entity(ct[f"vector/{vectors[out]}"], {PROV_TYPE: ct["FeatureVector"]})
            doc.used(act, vector)
            doc.wasDerivedFrom(record, vector, act)
            for read in cited:
                for h in (read.event or {}).get("assets", []):
                    doc.wasDerivedFrom(vector, ct[f"asset/{h}"])


def _asset(doc: ProvDocument, ct: Any, digest: str, action: str, datasets: Mapping[str, str]) -> QualifiedName:
    if action != "INGEST":
        doc.entity(ct[f"asset/{digest}"])
        return ct[f"asset/{digest}"]  # type: ignore[no-any-return]
    batch = doc.entity(ct[f"batch/{digest}"], {PROV_TYPE: ct["Batch"]})
    if digest in datasets:
        dataset = doc.collection(ct[f"dataset/{datasets[digest]}"], {PROV_TYPE: ct["Dataset"]})
        doc.hadMember(dataset, batch)
    return ct[f"batch/{digest}"]  # type: ignore[no-any-return]


def _chain_event(doc: ProvDocument, ct: Any, e: ChainEntry) -> None:
    attrs = {PROV_TYPE: ct[e.name], ct["contract"]: e.contract, ct["block"]: e.block, ct["tx"]: e.tx}
    attrs |= {ct[f"arg_{k}"]: str(v) for k, v in e.args.items() if k != "signature"}
    when = _time(e.time)
    act = doc.activity(ct[f"chain/{e.tx}/{e.log_index}"], when, when, attrs)
    acting = next((e.args[k] for k in _ACCOUNTS if isinstance(e.args.get(k), str)), None)
    if acting is not None:  # who sent it or is named first; the others are in its arguments
        doc.wasAssociatedWith(act, doc.agent(ct[f"account/{acting}"]))
    if e.name == "Decided":
        doc.used(act, doc.entity(ct[f"record/{str(e.args['recordHash']).removeprefix('0x')}"],
                                 {PROV_TYPE: ct["DecisionRecord"]}))


def _time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def serialized(doc: ProvDocument, fmt: str) -> str:
    """``prov-json`` (PROV-JSON) or ``prov-o`` (PROV-O in RDF Turtle)."""
    if fmt == "prov-json":
        return str(doc.serialize(format="json", indent=2))
    return str(doc.serialize(format="rdf", rdf_format="turtle"))
