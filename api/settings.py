"""The command's settings, built once per invocation and passed down."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = Path(".credtrace")


@dataclass(frozen=True)
class Settings:
    """Where state lives (``home``) and which chain to talk to (``rpc_url``; None = embedded).

    Layout of the home folder::

        keys/<name>.json     participants' dev-only keys (``credtrace init``)
        deployment.json      contract addresses, chain id, artifact hashes (``credtrace deploy``)
        devnet/              the embedded chain's data directory (hardhat-free-devnet)
        credtrace.sqlite     the platform's database (provenance log, …) unless --db says otherwise
        secrets/             catalogue encryption key, pseudonym key (dev-only, mode 0600)
    """

    home: Path
    rpc_url: str | None = None
    db: str | None = None
    """SQLAlchemy URL of the platform's database; default SQLite in the home folder."""

    @classmethod
    def build(cls, home: Path | None, rpc_url: str | None, db: str | None = None) -> Settings:
        chosen = home or Path(os.environ.get("CREDTRACE_HOME", DEFAULT_HOME))
        return cls(home=chosen.expanduser().resolve(), rpc_url=rpc_url,
                   db=db or os.environ.get("CREDTRACE_DB"))

    @property
    def db_url(self) -> str:
        return self.db or f"sqlite:///{self.home / 'credtrace.sqlite'}"

    @property
    def keys_dir(self) -> Path:
        return self.home / "keys"

    @property
    def deployment_path(self) -> Path:
        return self.home / "deployment.json"

    @property
    def devnet_dir(self) -> Path:
        return self.home / "devnet"

    @property
    def secrets_dir(self) -> Path:
        """Keys kept out of the database: the catalogue's encryption and pseudonym keys."""
        return self.home / "secrets"
