"""The pilot's calendar is the chain's: a month opens on its 1st, 09:00 Beijing, in the oracle's as-of month
(UTC); the clock is moved forward once per month, never back, and a node that cannot move it is refused
by name."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from eth_account import Account
from eth_typing import Address
from eth_utils.address import to_canonical_address
from web3.types import Wei

from api import ApiError
from api.pilot import calendar
from devnet import Devnet, DevnetConfig
from devnet.config import DEV_VALIDATOR_KEY
from ledger.chain import TransactionSender, connect
from oracle.pipeline import as_of


def test_a_month_opens_on_its_first_in_the_oracles_as_of_month() -> None:
    assert calendar.period_of(calendar.opening("2027-01")) == as_of(calendar.opening("2027-01")) == "2027-01"
    assert calendar.opening("2027-01") % 86_400 == 3_600  # 01:00 UTC
    assert calendar.month_after(calendar.opening("2026-12")) == "2027-01"
    assert calendar.month_after(calendar.opening("2027-01") - 7_200) == "2027-01"  # 23:00 UTC on Dec 31st


@pytest.fixture
def own_anvil(tools: Callable[[str], Path]) -> Iterator[str]:
    """An Anvil of this test's own: its clock is moved months ahead, which the session's Anvil must not be."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([str(tools("anvil")), "--port", str(port), "--silent"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_chain_moves_to_a_months_first_once_and_never_back(own_anvil: str) -> None:
    chain = connect(own_anvil)
    try:
        account = Account.create()
        chain.fund(account.address, 10**20)
        operator = TransactionSender(chain, account)
        ahead = calendar.month_after(calendar.opening(calendar.month_after(calendar.now(chain))) + 40 * 86_400)
        assert calendar.moved_to(chain, operator, ahead)
        reached = calendar.now(chain)
        assert calendar.period_of(reached) == ahead and 0 <= reached - calendar.opening(ahead) < 60
        assert chain.web3.eth.get_block(1)["timestamp"] < calendar.opening(ahead)  # it moved: not born there
        blocks = chain.web3.eth.block_number
        assert not calendar.moved_to(chain, operator, ahead)  # a resumed run: already there
        assert not calendar.moved_to(chain, operator, calendar.month_after(reached - 90 * 86_400))  # past it
        assert chain.web3.eth.block_number == blocks
    finally:
        chain.close()


def test_a_chain_whose_blocks_run_ahead_of_its_clock_still_lands_on_the_first(tmp_path: Path) -> None:
    """A block's time is at least its parent's plus one: many blocks a second put the chain ahead of the
    node's clock, and the first move falls short by that lead (as it did after a pilot's setup)."""
    account = Account.create()
    config = DevnetConfig(data_dir=tmp_path, validator_key=DEV_VALIDATOR_KEY, port=0,
                          allowlist=(Address(to_canonical_address(account.address)),), time_travel=True)
    with Devnet(config).serving() as url:
        chain = connect(url)
        try:
            operator = TransactionSender(chain, account)
            sent = [operator.send({"to": account.address, "value": Wei(0), "gas": 21_000}) for _ in range(150)]
            operator.wait(sent[-1])
            assert calendar.now(chain) > time.time() + 30  # ahead of the node's clock
            month = calendar.month_after(calendar.now(chain) + 40 * 86_400)
            assert calendar.moved_to(chain, operator, month)
            assert 0 <= calendar.now(chain) - calendar.opening(month) < 60
        finally:
            chain.close()


def test_a_node_that_cannot_move_its_clock_is_refused_by_name(devnet_url: str) -> None:
    chain = connect(devnet_url)  # the session's devnet: not started with --allow-time-travel
    try:
        with pytest.raises(ApiError, match=r"the chain.s clock cannot be moved .*evm_increaseTime"):
            calendar.movable(chain)
    finally:
        chain.close()


def test_pilot_run_on_such_a_node_is_one_error_line(devnet_url: str, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from api.cli import app

    result = CliRunner().invoke(app, ["--home", str(tmp_path / "home"), "pilot", "run", "--rpc", devnet_url],
                                env={"COLUMNS": "300"})
    assert result.exit_code == 1 and result.output.startswith("error: the chain's clock cannot be moved")
    assert "Traceback" not in result.output and not (tmp_path / "home" / "deployment.json").exists()
