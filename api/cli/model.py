"""``credtrace model``: train and score on any CSV; register, approve and retire models on chain."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from api import ApiError
from api.cli.context import (
    ApiOption,
    ReasonOption,
    RpcOption,
    State,
    console,
    keystore,
    opened,
    remote,
    reported,
    sender_for,
)
from api.settings import Settings
from scoring.errors import ScoringError

if TYPE_CHECKING:
    from ledger.chain import Chain, KeyStore
    from ledger.contracts import ModelRegistry

EncodingOption = Annotated[str | None, typer.Option(
    help="The file's encoding; default: detected (byte-order mark, then UTF-8, then GB18030).")]
DelimiterOption = Annotated[str | None, typer.Option(help="The field delimiter; default: sniffed (, ; tab |).")]

group = typer.Typer(help="Credit models: train, score, and their approval on chain.", no_args_is_help=True)


def add_to(app: typer.Typer) -> None:
    app.add_typer(group, name="model")


@group.command("train")
@reported
def train(
    data: Annotated[Path, typer.Option(help="CSV with a header row.")],
    target: Annotated[str, typer.Option(help="The target column.")],
    out: Annotated[Path, typer.Option(help="Folder for model.json, report.json, report.html.")],
    bad_value: Annotated[str | None, typer.Option(help="Target value that means bad; default: 0/1.")] = None,
    good_value: Annotated[list[str] | None, typer.Option(
        help="A target value that means good (repeatable); default: the one value that is not bad.")] = None,
    exclude: Annotated[list[str] | None, typer.Option(help="A column not to use (repeatable).")] = None,
    protected: Annotated[list[str] | None, typer.Option(
        help="A protected column or proxy: never used, reported as protected (repeatable).")] = None,
    allow_protected: Annotated[bool, typer.Option(
        help="Use columns named like protected characteristics (sex, age, 性别 …; see README).")] = False,
    allow_leak: Annotated[bool, typer.Option(
        help="Keep columns that predict the target almost perfectly alone (AUC >= 0.99).")] = False,
    describe: Annotated[Path | None, typer.Option(
        help="JSON of reason texts: column → name, or {name, text, bins: {bin label: text}}.")] = None,
    policy: Annotated[str | None, typer.Option(
        help="Product policy JSON file (scoring.policy), or 'default': score then gives decision, limit, rate."
    )] = None,
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
    seed: int = 7,
) -> None:
    """Train the champion scorecard and the challenger; write the artifact and the report.

    Rows with a blank target are left out (counted in the report); any other target value that is
    neither the bad value nor a good one is an error. Columns named like protected characteristics,
    identifiers and leaks are left out; the report says why for each column."""
    from scoring.files import train_files
    from scoring.screening import ScreenRules, names

    terms = None if policy is None else product_policy(policy)

    screen = ScreenRules(exclude=names(exclude or ()), protected=names(protected or ()),
                         allow_protected=allow_protected, allow_leak=allow_leak)
    try:
        report = train_files(data, target, bad_value, out, seed=seed, good_values=good_value or (), screen=screen,
                             describe_json=describe, encoding=encoding, delimiter=delimiter,
                             policy=terms)
    except ScoringError as exc:
        raise ApiError(str(exc)) from exc
    console.print(f"read {data}: {_how(report['data'])}", markup=False)
    console.print(summary(report), soft_wrap=True)
    for warning in report["warnings"]:
        console.print(f"warning: {warning}", markup=False)
    left_out = [f"{c['name']} ({c['outcome']})" for c in report["features"] if c["left_out"]]
    if left_out:
        console.print(f"left out: {'; '.join(left_out)}", markup=False, soft_wrap=True)
    if report["data"].get("blank_targets_excluded"):
        console.print(f"left out {report['data']['blank_targets_excluded']} rows with a blank target")
    console.print(f"wrote {out / 'model.json'}, report.json, report.html")


def product_policy(given: str) -> Any:
    """``default`` (:data:`scoring.policy.DEFAULT_POLICY`) or a policy JSON file."""
    from scoring.policy import DEFAULT_POLICY, Policy, PolicyError

    if given == "default":
        return DEFAULT_POLICY
    try:
        return Policy.from_json(Path(given).read_bytes())
    except OSError as exc:
        raise ApiError(f"cannot read the policy {given}: {exc.strerror or exc}") from exc
    except PolicyError as exc:
        raise ApiError(f"{given}: {exc}") from exc


def _how(source: dict[str, Any]) -> str:
    return f"encoding {source.get('encoding')}, delimiter {source.get('delimiter')!r}, {source.get('rows_read')} rows"


def summary(report: dict[str, Any]) -> str:
    """The figures to read first. Without an out-of-time window the evaluation sample is the
    development data itself, where both models look better than they are: the comparison shown is
    then the cross-validated one."""
    evaluation = report["evaluation"]
    duel = evaluation["champion_vs_challenger"]
    cv = f"5-fold CV AUC: champion {report['cv_auc']:.4f}, challenger {_auc(report['challenger_cv_auc'])}"
    if evaluation["sample"] == "development":
        held_out = (f"no out-of-time window: compare the cross-validated AUCs above; in sample (optimistic) "
                    f"KS {report['ks']:.4f}, Gini {report['gini']:.4f}")
    else:
        psi = "" if evaluation.get("psi") is None else f", PSI {evaluation['psi']:.4f} (development vs later)"
        held_out = (f"{evaluation['sample']}: AUC {duel['champion_auc']:.4f} (challenger "
                    f"{_auc(duel['challenger_auc'])}), KS {report['ks']:.4f}, Gini {report['gini']:.4f}{psi}")
    notes = "".join(f"\nnote: {n}" for n in report.get("challenger_notes", []))
    return f"model {report['model_id']}\n{cv}\n{held_out}{notes}"


def _auc(value: float | None) -> str:
    return "not fitted" if value is None else f"{value:.4f}"


@group.command("score")
@reported
def score(
    model: Annotated[Path, typer.Option(help="Folder holding model.json.")],
    data: Annotated[Path, typer.Option(help="CSV of feature vectors.")],
    out: Annotated[Path | None, typer.Option(help="Output CSV; default DATA.scored.csv")] = None,
    id_column: Annotated[str | None, typer.Option(help="Column copied through to identify rows.")] = None,
    size_column: Annotated[str, typer.Option(help="Size class column for the policy's limits.")] = "size",
    encoding: EncodingOption = None,
    delimiter: DelimiterOption = None,
) -> None:
    """Score every row: score, PD, decision, limit, rate (if the model has a policy), reason codes and texts."""
    from scoring.files import policy_decider, score_file

    target = out or data.with_suffix(".scored.csv")
    try:
        done = score_file(model, data, target, id_column=id_column, decide=policy_decider(size_column),
                          encoding=encoding, delimiter=delimiter)
    except ScoringError as exc:
        raise ApiError(str(exc)) from exc
    console.print(f"scored {done.rows} rows into {target} (read as {done.encoding}, delimiter {done.delimiter!r})",
                  markup=False)


def _models(ctx: typer.Context, rpc: str | None) -> tuple[Settings, KeyStore]:
    settings = ctx.ensure_object(State).settings(rpc)
    return settings, keystore(settings)


def model_registry(chain: Chain, settings: Settings) -> ModelRegistry:
    from api.actions.oversight import model_registry as registry

    return registry(chain, settings)


@group.command("register")
@reported
def register(ctx: typer.Context, model: Path, rpc: RpcOption = None) -> None:
    """The operator registers MODEL (a folder from `model train`) by its id and report hash."""
    settings, store = _models(ctx, rpc)
    model_id, report_hash = ids(model)
    with opened(settings) as chain:
        model_registry(chain, settings).register(sender_for(chain, store.load("operator")), model_id, report_hash)
    console.print(f"registered {model_id}: awaiting a regulator's approval")


def ids(model: Path) -> tuple[str, str]:
    """(model id, report hash): the SHA-256 of model.json and of report.json."""
    try:
        model_id = hashlib.sha256((model / "model.json").read_bytes()).hexdigest()
        report_hash = hashlib.sha256((model / "report.json").read_bytes()).hexdigest()
    except OSError as exc:
        raise ApiError(f"{model} is not a trained model folder: {exc}") from exc
    stated = _stated_id(model / "report.json")
    if stated != model_id:
        raise ApiError(f"{model}/model.json hashes to {model_id}, its report says {stated}: edited?")
    return model_id, report_hash


def _stated_id(report: Path) -> object:
    """The model id report.json states; a report that is not a UTF-8 JSON object is one error."""
    try:
        doc = json.loads(report.read_bytes().decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError alike
        raise ApiError(f"{report} is not a model report (UTF-8 JSON): {exc}") from exc
    if not isinstance(doc, dict) or "model_id" not in doc:
        raise ApiError(f"{report} is not a model report: it states no model_id")
    return doc["model_id"]


@group.command("approve")
@reported
def approve(ctx: typer.Context, model_id: str, by: Annotated[str, typer.Option("--as")] = "regulator",
            rpc: RpcOption = None, api: ApiOption = None) -> None:
    """A regulator approves a registered model: from now on it may serve decisions."""
    from api.actions import oversight

    oversight.model_id(model_id)  # a malformed id is refused before any chain is opened
    settings, store = _models(ctx, rpc)
    if api is not None:
        with remote(api, store.load(by)) as client:
            client.post(f"/v1/models/{model_id}/approval")
    else:
        with opened(settings) as chain:
            oversight.approve(model_registry(chain, settings), sender_for(chain, store.load(by)), model_id)
    console.print(f"approved {model_id}")


@group.command("retire")
@reported
def retire(ctx: typer.Context, model_id: str, reason: ReasonOption,
           by: Annotated[str, typer.Option("--as")] = "regulator", rpc: RpcOption = None,
           api: ApiOption = None) -> None:
    """A regulator retires a model: it no longer serves decisions."""
    from api.actions import oversight
    from api.platform import opened_platform
    from ledger.contracts.reason import encode

    oversight.model_id(model_id)  # both checked before any chain is opened
    encode(reason)
    settings, store = _models(ctx, rpc)
    if api is not None:
        with remote(api, store.load(by)) as client:
            client.post(f"/v1/models/{model_id}/retirement", {"reason": reason})
    else:
        with opened(settings) as chain, opened_platform(settings, chain) as p:
            oversight.retire(p, model_registry(chain, settings), sender_for(chain, store.load(by)), model_id, reason)
    console.print(f"retired {model_id}")
