"""``python -m devnet``: the public test-mnemonic accounts only when asked for, and options out of
range refused (exit 2, one error line) before the data directory is made (issue 12, low)."""

from __future__ import annotations

from pathlib import Path

import pytest

from devnet.accounts import dev_accounts
from devnet.cli import SWITCH_INTERVAL_SECONDS, build_parser, config_from_args, main


def test_the_default_allowlist_holds_no_publicly_known_key(tmp_path: Path) -> None:
    config = config_from_args(build_parser().parse_args(["--data-dir", str(tmp_path / "chain")]))
    assert config.allowlist == ()
    asked = config_from_args(build_parser().parse_args(["--data-dir", str(tmp_path / "dev"), "--dev-accounts", "2"]))
    assert [a.hex() for a in asked.allowlist] == [a.address[2:].lower() for a in dev_accounts(2)]


@pytest.mark.parametrize("option", [["--port", "70000"], ["--port", "-1"], ["--chain-id", "0"],
                                    ["--chain-id", str(2**63)], ["--block-time", "-1"], ["--block-time", "nan"],
                                    ["--block-time", "inf"], ["--dev-accounts", "-3"]])
def test_options_out_of_range_are_one_error_before_anything_is_written(
        tmp_path: Path, option: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--data-dir", str(tmp_path / "chain"), *option])
    assert stopped.value.code == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(errors) == 1 and errors[0].startswith("devnet: error:")
    assert not (tmp_path / "chain").exists()


def test_the_devnet_process_hands_the_interpreter_lock_over_every_half_millisecond(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    intervals: list[float] = []
    monkeypatch.setattr("devnet.cli.sys.setswitchinterval", intervals.append)
    with pytest.raises(SystemExit):
        main(["--data-dir", str(tmp_path / "chain"), "--port", "-1"])
    assert intervals == [SWITCH_INTERVAL_SECONDS] == [0.0005]
