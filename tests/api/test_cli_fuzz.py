"""The CLI under hostile input (issue 12): every command that takes a file or a free-form argument, fed
generated bad files and arguments, ends in one `error:` line and exit 1, or in click's usage error and
exit 2 — never a traceback — and writes nothing: the home folder is byte for byte as it was, and no
output file appears.

One home (init + deploy on the embedded chain) and one trained model serve the whole module; each
example runs in process (CliRunner) in a fresh scratch folder. Examples are derandomised: the same
inputs on every run, so `make test` stays deterministic. Cases come from strategies per command; an
input that should succeed is never generated (a valid ``devnet`` would start serving: ``serving`` is
replaced so that such a case fails instead of hanging).
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from api.cli import app
from api.cli.keys import DEMO_PARTICIPANTS
from scoring.dataset import synthetic

EXAMPLES = settings(max_examples=30, derandomize=True, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.large_base_example])
HEX64 = re.compile(r"(0x)?[0-9a-fA-F]{64}")
PLACEHOLDER = re.compile(r"\{[\w./]+\}")


@dataclass
class Case:
    """A command line with ``{name}`` placeholders for the files of ``files`` (written into a scratch
    folder first), and the outputs that must not appear."""

    args: list[str]
    files: dict[str, bytes] = field(default_factory=dict)
    outputs: list[str] = field(default_factory=list)
    may_succeed: bool = False
    """``data ingest`` stores a batch whose rows are all rejected (reported, never dropped): exit 0."""
    ours: bool = False
    """Refused by the command itself (exit 1), not by click, unless click reads a dash-led argument as an
    option: so a command that does not exist (click's exit 2) fails the case."""


@dataclass(frozen=True)
class World:
    home: Path
    model: Path


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    root = tmp_path_factory.mktemp("fuzz")
    home, model = root / "home", root / "model"
    for args in (["init"], ["deploy"], ["log", "verify"],  # keys, contracts, the database
                 ["participants", "register", *PROVIDERS.values()]):  # who may supply the datasets tried
        invoke(home, args, expect_ok=True)
    book = root / "book.csv"
    _write_csv(book)
    invoke(home, ["model", "train", "--data", str(book), "--target", "bad", "--out", str(model)], expect_ok=True)
    yield World(home, model)


@pytest.fixture(autouse=True)
def no_devnet_serves(monkeypatch: pytest.MonkeyPatch) -> None:
    """A devnet case that got through validation would serve until killed: it stops at once instead,
    and fails for its exit status 0."""
    import api.cli.devnet

    class Stopped:
        def wait(self, _: float) -> bool:
            return True

        def set(self) -> None:
            pass

    monkeypatch.setattr(api.cli.devnet, "threading", SimpleNamespace(Event=Stopped))


def _write_csv(path: Path) -> None:
    data = synthetic(200, seed=3)
    names = data.names
    lines = [",".join([*names, "bad"])]
    for i in range(data.rows):
        cells = ["" if data.columns[n][i] is None else str(data.columns[n][i]) for n in names]
        lines.append(",".join([c.replace("nan", "") for c in cells] + [str(int(data.target[i]))]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def invoke(home: Path, args: list[str], expect_ok: bool = False) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(app, ["--home", str(home), *args], env={"COLUMNS": "200"})
    if expect_ok:
        assert result.exit_code == 0, result.output
    return result.exit_code, result.output, result.exception


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by relative path → SHA-256 of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# -- hostile contents ---------------------------------------------------------------------------------------

CJK = st.text(alphabet="信用代码企业银行监管", min_size=11, max_size=40)
AWKWARD = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
SURROGATE = st.builds(lambda a, b: a + "\udcff" + b, AWKWARD, AWKWARD)
MARKUP = st.sampled_from(["[/red]", "[bold]x[/]", "[link=x]", "[/]", "\x1b[31m"])
NUMBERS = st.sampled_from([str(2**53 + 1), "9" * 5000, "-" + "9" * 400, "NaN", "Infinity", "-inf", "1e400"])
CELLS = st.one_of(AWKWARD, NUMBERS, MARKUP, st.sampled_from(["=1+2", "+1", "-1", "@SUM(A1)", "\t=x", "\"", ""]),
                  st.just("x" * (128 * 1024 + 1)))


def not_utf8(base: bytes) -> st.SearchStrategy[bytes]:
    return st.integers(0, len(base)).map(lambda i: base[:i] + b"\xff\xfe\xc0" + base[i:])


def csv_bytes(header: list[str], extra: bool = False) -> st.SearchStrategy[bytes]:
    """A header and up to 6 rows of hostile cells (ragged when ``extra``)."""
    width = len(header) + (1 if extra else 0)
    rows = st.lists(st.lists(CELLS, min_size=width, max_size=width), min_size=1, max_size=6)
    return rows.map(lambda rs: ("\n".join(",".join(_quoted(c) for c in row) for row in [header, *rs]) + "\n")
                    .encode("utf-8"))


def _quoted(cell: str) -> str:
    return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\n\r') else cell


def hostile(text: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """The given bytes, or the same with a byte-order mark, broken UTF-8, or random bytes."""
    return st.one_of(text, text.map(lambda b: b"\xef\xbb\xbf" + b), text.flatmap(not_utf8),
                     st.binary(max_size=300))


JSON_LINES = st.lists(st.one_of(
    st.sampled_from(["[1, 2]", "42", "\"text\"", "null", "NaN", "{\"a\": 1, \"a\": 2}", "{\"a\": [[[[[[1]]]]]]}",
                     "{\"credit_code\": " + "9" * 5000 + "}", "{\"x\": 9007199254740993}", "{", "}",
                     "{\"credit_code\": NaN, \"period\": \"2024-01\"}",
                     "{\"credit_code\": 9007199254740993, \"period\": \"2024-01\"}",
                     "{\"credit_code\": {\"a\": [1]}, \"period\": 1.5}"]),
    AWKWARD.map(json.dumps), CELLS.map(lambda c: json.dumps({"credit_code": c, "period": c}))),
    min_size=1, max_size=5).map(lambda lines: ("\n".join(lines) + "\n").encode("utf-8"))
PROVIDERS = {"tax": "tax-bureau", "electricity": "electricity", "registration": "market-supervision"}
"""The provider that owns each dataset the ingest cases try (any other is refused and recorded)."""
FEATURES = ["employees", "growth", "industry", "noise", "penalties", "tax_paid", "utilisation"]


# -- cases per command ---------------------------------------------------------------------------------------

def ingest() -> st.SearchStrategy[Case]:
    csv_file = hostile(st.one_of(csv_bytes(["credit_code", "period", "amount"]),
                                 csv_bytes(["credit_code", "period"], extra=True)))
    return st.one_of(
        st.builds(lambda d, b: Case(["data", "ingest", d, "{batch.csv}"], {"batch.csv": b}, may_succeed=True),
                  st.sampled_from(["tax", "electricity", "nonsense", ""]), csv_file),
        st.builds(lambda d, b: Case(["data", "ingest", d, "{batch.jsonl}"], {"batch.jsonl": b}, may_succeed=True),
                  st.sampled_from(["tax", "registration"]), hostile(JSON_LINES)),
    )


def train() -> st.SearchStrategy[Case]:
    """At most 6 rows: never enough for 5-fold cross-validation, so every case must fail."""
    data = hostile(st.one_of(csv_bytes(["a", "bad"]), csv_bytes(["a", "bad"], extra=True), csv_bytes(["bad"])))
    return st.builds(lambda b, target: Case(["model", "train", "--data", "{d.csv}", "--target", target,
                                             "--out", "{out}"], {"d.csv": b}, ["out"]),
                     data, st.sampled_from(["bad", "missing", ""]))


def score() -> st.SearchStrategy[Case]:
    """Each file is unscorable: broken UTF-8, a ragged row, no header, a feature missing, or a cell
    that is not a number in a numeric feature."""
    good_header = FEATURES
    bad_number = st.builds(lambda cell: ",".join(good_header).encode() + b"\n"
                           + ",".join(["x" + cell.replace(",", "").replace("\n", "").replace("\"", "")
                                       if f == "growth" else "1" for f in good_header]).encode() + b"\n", AWKWARD)
    files = st.one_of(
        csv_bytes(good_header, extra=True), csv_bytes(good_header).flatmap(not_utf8), st.just(b""),
        csv_bytes(["id", "growth"]), bad_number,
    )
    return st.builds(lambda b, idc: Case(["model", "score", "--model", "{model}", "--data", "{d.csv}",
                                          "--out", "{scored.csv}", *idc], {"d.csv": b}, ["scored.csv"]),
                     files, st.sampled_from([[], ["--id-column", "id"]]))


def register() -> st.SearchStrategy[Case]:
    reports = hostile(st.one_of(
        st.sampled_from([b"[]", b"{}", b"42", b"{\"model_id\": 7}", b"{\"model_id\": \"abc\"}", b"null", b"{"]),
        st.binary(max_size=100)))
    return st.builds(lambda b: Case(["model", "register", "{m}"], {"m/report.json": b, "m/model.json": b"{}"}),
                     reports)


def model_ids() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(["nothex", "", "0x", "00" * 31, "0x" + "g" * 64, "00" * 33]),
                     AWKWARD, SURROGATE).filter(lambda s: not HEX64.fullmatch(s))


def approve_retire() -> st.SearchStrategy[Case]:
    valid_id = "ab" * 32
    bad_reason = st.one_of(st.integers(1001, 1100).map(lambda n: "信" * n), SURROGATE,  # a reason code or a text
                           st.sampled_from(["", "   ", "call 13912345678", "id 11010519491231002X"]))
    return st.one_of(
        st.builds(lambda i: Case(["model", "approve", i]), model_ids()),
        st.builds(lambda i: Case(["model", "retire", i, "--reason", "old"]), model_ids()),
        st.builds(lambda r: Case(["model", "retire", valid_id, "--reason", r]), st.one_of(bad_reason, CJK)),
        st.builds(lambda r: Case(["sanctions", "add", "91350100M000100Y43", "--reason", r]), bad_reason),
        st.builds(lambda c: Case(["sanctions", "add", c, "--reason", "fraud"]), st.one_of(AWKWARD, SURROGATE)),
    )


def log_files() -> st.SearchStrategy[Case]:
    witness = hostile(st.one_of(JSON_LINES, st.sampled_from([b"{}", b"[]", b"1", b"{\"inclusion\": 1}"])))
    events = hostile(JSON_LINES)
    return st.one_of(
        st.builds(lambda b: Case(["log", "check", "{w.json}"], {"w.json": b}), witness),
        st.builds(lambda b: Case(["log", "append", "{e.jsonl}"], {"e.jsonl": b}), events),
        st.builds(lambda b: Case(["log", "check", "{w.json}", "--against", "{note}"], {"w.json": b"{}", "note": b}),
                  hostile(st.binary(max_size=50))),
    )


def devnet_options() -> st.SearchStrategy[Case]:
    bad = st.one_of(
        st.builds(lambda p: ["--port", str(p)], st.one_of(st.integers(max_value=-1), st.integers(min_value=65536))),
        st.builds(lambda c: ["--chain-id", str(c)], st.one_of(st.integers(max_value=0), st.integers(min_value=2**63))),
        st.builds(lambda t: ["--block-time", t], st.one_of(
            st.floats(max_value=0).map(str), st.sampled_from(["nan", "inf", "-inf", "1e9"]))),
    )
    return st.builds(lambda a: Case(["devnet", *a]), bad)


def consent() -> st.SearchStrategy[Case]:
    return st.one_of(
        st.builds(lambda p: Case(["consent", "grant", "--category", "tax", "--purpose", p]),
                  st.one_of(st.just(""), st.text(min_size=257, max_size=300), SURROGATE)),
        st.builds(lambda d: Case(["consent", "grant", "--category", "tax", "--purpose", "loan", "--days", str(d)]),
                  st.one_of(st.integers(max_value=0), st.integers(min_value=1826))),
    )


def own(args: list[str]) -> Case:
    """A case the command must refuse itself."""
    return Case(args, ours=True)


def refused(parse: Callable[[str], object]) -> Callable[[str], bool]:
    """True when ``parse`` refuses the text: with the packages' error, or with a crash that the command
    must then not show as a traceback."""

    def check(text: str) -> bool:
        try:
            parse(text)
        except Exception:
            return True
        return False

    return check


def loans() -> st.SearchStrategy[Case]:
    """``loan``, ``pool`` and ``policy`` (issue 14): one bad argument each, refused before a chain is opened."""
    from api.cli import loan_args as a
    from ledger.contracts.loan_ledger import product_id
    from ledger.contracts.model_registry import id_bytes
    from ledger.identifiers.uscc import validate
    from ledger.money import fen

    text = st.one_of(AWKWARD, SURROGATE, MARKUP, NUMBERS, CJK)
    amount, whole = text.filter(refused(a.fen)), text.filter(refused(lambda t: a.whole(t, "x", 1, a.UINT16)))
    app_id, days = text.filter(refused(a.application_id)), text.filter(refused(a.days))
    district, pool = text.filter(refused(a.district)), text.filter(refused(a.pool))
    status = text.filter(refused(a.status))
    names = {n for n, *_ in DEMO_PARTICIPANTS}
    key = text.filter(lambda t: t not in names)
    code, consent = text.filter(refused(validate)), text.filter(refused(id_bytes))
    product = text.filter(refused(product_id))
    cid = "ab" * 32
    apply = ["loan", "apply", "--enterprise", CODE, "--consent", cid, "--amount", "1", "--term", "12", "--product", "P"]

    def swap(option: str) -> Callable[[str], Case]:
        return lambda bad: own([bad if i and apply[i - 1] == option else x for i, x in enumerate(apply)])

    return st.one_of(
        *(values.map(swap(option)) for option, values in (
            ("--amount", amount), ("--term", whole), ("--enterprise", code), ("--consent", consent),
            ("--product", product))),
        key.map(lambda k: own([*apply, "--as", k])),
        app_id.map(lambda i: own(["loan", "show", i])),
        st.builds(lambda i, m, d: own(["loan", "disburse", i, "--amount", m, "--district", d]),
                  st.one_of(app_id, st.just("1")), amount, st.one_of(district, st.just("500103"))),
        st.builds(lambda p, i: own(["loan", "repay", "1", "--principal", p, "--interest", i]),
                  amount, st.one_of(amount, st.just("0"))),
        st.builds(lambda c, d: own(["loan", c, "1", "--days", d]), st.sampled_from(["overdue", "default"]), days),
        st.builds(lambda c, i: own(["loan", c, i]), st.sampled_from(["claim", "write-off", "close"]), app_id),
        status.map(lambda s: own(["loan", "list", "--status", s])),
        key.filter(lambda k: not k.startswith("0x")).map(lambda k: own(["loan", "list", "--bank", k])),
        st.builds(lambda p, m: own(["pool", "fund", p, "--amount", m]), pool, st.one_of(amount, st.just("1"))),
        pool.map(lambda p: own(["pool", "show", p])),
        *(text.filter(refused(parse)).map(lambda v, o=option: own(["policy", "set", o, v]))
          for option, parse in (("--municipal-bps", lambda t: a.whole(t, "x", 0, 10_000)),
                                ("--quorum", lambda t: a.whole(t, "x", 1, a.UINT8)),
                                ("--approval-days", lambda t: a.whole(t, "x", 1, a.UINT32 // a.DAY)),
                                ("--loan-cap", fen))),
        text.filter(refused(lambda t: a.whole(t, "x", 1, a.UINT32))).map(
            lambda v: own(["policy", "show", "--version", v])),
    )


def home_is_a_file() -> st.SearchStrategy[Case]:
    commands = st.sampled_from([["init"], ["deploy"], ["log", "verify"], ["model", "approve", "ab" * 32],
                                ["data", "ingest", "tax", "{x.csv}"]])
    return st.builds(lambda c: Case(["--home", "{homefile}", *c], {"homefile": b"not a folder", "x.csv": b"a\n1\n"}),
                     commands)


# -- the property ----------------------------------------------------------------------------------------------


def check(world: World, case: Case) -> None:
    before = tree(world.home)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        shutil.copytree(world.model, folder / "model")
        for name, content in case.files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)
        args = [str(folder / a[1:-1]) if PLACEHOLDER.fullmatch(a) else a for a in case.args]
        if args[0] == "--home":
            code, output, exc = invoke_raw(args)
        else:
            code, output, exc = invoke(world.home, args)
        shown = f"{[a[:80] for a in args[:6]]} exited {code}:\n{output[:2000]}"
        assert exc is None or isinstance(exc, SystemExit), f"{shown}\n{exc!r}"[:3000]
        assert "Traceback" not in output, shown
        if case.may_succeed and code == 0:
            return
        assert code in (1, 2), shown
        assert not case.ours or code == 1 or "No such option" in output, shown
        if code == 1:
            assert len([line for line in output.splitlines() if line.startswith("error:")]) == 1, shown
        else:
            assert output.startswith("Usage:") and output.count("─ Error ─") == 1, shown
        for name in case.outputs:
            assert not (folder / name).exists(), f"{shown}\nleft {name}"
        if "(recorded as DENIED, event" not in output:  # a refusal is recorded by design; bad input never is
            assert tree(world.home) == before, f"{shown}\nchanged the home folder"


def invoke_raw(args: list[str]) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    return result.exit_code, result.output, result.exception


CODE = "91350100M000100Y43"
LISTED = [  # the inputs issue 12 names, always run on top of the generated ones
    Case(["model", "retire", "ab" * 32, "--reason", "信用代码企业银行监管信用"]),
    Case(["sanctions", "add", CODE, "--reason", "信用代码企业银行监管信用"], may_succeed=True),  # hashed on chain
    Case(["model", "approve", "nothex"]),
    Case(["model", "register", "{m}"], {"m/report.json": b"{not json", "m/model.json": b"{}"}),
    Case(["model", "train", "--data", "{d.csv}", "--target", "bad", "--out", "{out}"], {"d.csv": b"a,bad\n\xff,1\n"},
         ["out"]),
    Case(["model", "score", "--model", "{model}", "--data", "{d.csv}", "--out", "{s.csv}"],
         {"d.csv": b"growth\n\xff\n"}, ["s.csv"]),
    Case(["log", "check", "{w.json}"], {"w.json": b"\xff\xfe{}"}),
    Case(["devnet", "--block-time", "-1"]), Case(["devnet", "--chain-id", "0"]), Case(["devnet", "--port", "70000"]),
    Case(["--home", "{homefile}", "log", "verify"], {"homefile": b"a file"}),
]
LOANS_LISTED = [
    own(["loan", "apply", "--enterprise", "信用代码企业银行监管信用", "--consent", "ab" * 32, "--amount", "1",
          "--term", "12", "--product", "P"]),
    own(["loan", "disburse", "1", "--amount", "9" * 5000, "--district", "500103"]),
    own(["loan", "show", "9" * 5000]), own(["loan", "list", "--status", "[/red]"]),
    own(["pool", "fund", "500100", "--amount", "1"]), own(["policy", "set", "--loan-cap", "NaN"]),
]
INGEST_LISTED = [
    Case(["data", "ingest", "tax", "{b.csv}"], {"b.csv": b"credit_code,period\n" + CODE.encode() + b",2024-01,extra\n"},
         may_succeed=True),
    Case(["data", "ingest", "tax", "{b.csv}"], {"b.csv": b"credit_code,period\n\xff,2024-01\n"}, may_succeed=True),
    Case(["data", "ingest", "tax", "{b.csv}"], {"b.csv": b"credit_code,period\n" + b"x" * (128 * 1024 + 1) + b",1\n"},
         may_succeed=True),
    *(Case(["data", "ingest", "tax", "{b.jsonl}"], {"b.jsonl": line + b"\n"}, may_succeed=True) for line in [
        b"{\"credit_code\": 9007199254740993, \"period\": \"2024-01\"}", b"{\"credit_code\": " + b"9" * 5000 + b"}",
        b"{\"credit_code\": NaN, \"period\": \"2024-01\"}", b"[1, 2]", b"42", b"\xff{}",
        b"{\"credit_code\": \"[/red]\", \"period\": \"[/red]\"}"]),
]


def listed(cases: list[Case]) -> Callable[[Callable[..., None]], Callable[..., None]]:
    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        for case in reversed(cases):
            test = example(case=case)(test)
        return test

    return decorate


@EXAMPLES
@listed(LISTED)
@given(case=st.one_of(train(), score(), register(), approve_retire(), log_files(), devnet_options(), consent(),
                      home_is_a_file()))
def test_bad_input_is_one_error_line_and_writes_nothing(world: World, case: Case) -> None:
    check(world, case)


@EXAMPLES
@listed(INGEST_LISTED)
@given(case=ingest())
def test_data_ingest_of_hostile_files_is_reported_or_one_error_line(world: World, case: Case) -> None:
    check(world, case)


@EXAMPLES
@listed(LOANS_LISTED)
@given(case=loans())
def test_loan_pool_and_policy_refuse_bad_arguments_in_one_line_and_write_nothing(world: World, case: Case) -> None:
    check(world, case)
