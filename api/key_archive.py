"""The encrypted backup of a home's keys (``credtrace keys backup`` / ``credtrace keys restore``).

What it holds: every participant key (``HOME/keys/*.json``) and every file under ``HOME/secrets``
(the catalogue's encryption and pseudonym keys), by path relative to the home folder.

Format, version 1 (one file, mode 0600)::

    credtrace-keys-v1 LF
    {"kdf": "argon2id", "salt": "<32 hex>", "opslimit": N, "memlimit": N} LF
    nonce (24) || XSalsa20-Poly1305 ciphertext || tag (16)      SecretBox over {"files": {path: base64}}

The box key is Argon2id(passphrase, salt, opslimit, memlimit), 32 bytes (RFC 9106; libsodium
``crypto_pwhash`` and ``crypto_secretbox`` through PyNaCl). The header is readable but not secret: a
changed salt or limit derives another key, so a tampered archive fails like a wrong passphrase. Limits
above libsodium's SENSITIVE ones are refused, so a crafted header cannot ask for unbounded memory.
"""

from __future__ import annotations

import base64
import json
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import nacl.utils
from nacl.exceptions import CryptoError
from nacl.pwhash import argon2id
from nacl.secret import SecretBox

from api import ApiError

MAGIC = b"credtrace-keys-v1"
OPSLIMIT: int = argon2id.OPSLIMIT_MODERATE
MEMLIMIT: int = argon2id.MEMLIMIT_MODERATE
"""Argon2id cost of a new archive (an archive carries its own; restore uses those)."""
KEY_FILE = re.compile(r"(keys/[A-Za-z0-9-]+\.json|secrets/[A-Za-z0-9][A-Za-z0-9._-]*)")
"""The only paths an archive may hold: nothing outside the two folders, no hidden file."""


def collect(home: Path) -> dict[str, bytes]:
    """The key files of ``home`` by relative path: HOME/keys/*.json and HOME/secrets/*."""
    found = sorted([*(home / "keys").glob("*.json"), *(home / "secrets").glob("[!.]*")])
    return {p.relative_to(home).as_posix(): p.read_bytes() for p in found if p.is_file()}


def seal(files: Mapping[str, bytes], passphrase: str) -> bytes:
    """The archive of ``files`` under ``passphrase``, with a new random salt."""
    header = {"kdf": "argon2id", "salt": nacl.utils.random(argon2id.SALTBYTES).hex(),
              "opslimit": OPSLIMIT, "memlimit": MEMLIMIT}
    payload = json.dumps({"files": {p: base64.b64encode(data).decode() for p, data in files.items()}})
    box = SecretBox(_key(passphrase, header)).encrypt(payload.encode())
    return MAGIC + b"\n" + json.dumps(header).encode() + b"\n" + bytes(box)


def unseal(archive: bytes, passphrase: str, name: Path) -> dict[str, bytes]:
    """The files in ``archive`` (read from ``name``); a wrong passphrase or a change is one ApiError."""
    header, box = _split(archive, name)
    try:
        payload = SecretBox(_key(passphrase, header)).decrypt(box)
    except CryptoError:
        raise ApiError(f"the passphrase does not open {name} (or the archive was changed)") from None
    files = {p: base64.b64decode(data) for p, data in json.loads(payload)["files"].items()}
    unsafe = sorted(p for p in files if not KEY_FILE.fullmatch(p))
    if unsafe:
        raise ApiError(f"{name} holds paths that are not key files: {', '.join(unsafe)}; nothing was restored")
    return files


def _split(archive: bytes, name: Path) -> tuple[dict[str, Any], bytes]:
    magic, _, rest = archive.partition(b"\n")
    if magic != MAGIC:
        raise ApiError(f"{name} is not a credtrace key archive (it does not start with {MAGIC.decode()})")
    line, _, box = rest.partition(b"\n")
    try:
        header = json.loads(line)
        _check_header(header)
    except (ValueError, KeyError, TypeError) as exc:
        raise ApiError(f"{name} has a damaged header: {exc}") from None
    return header, box


def _check_header(header: dict[str, Any]) -> None:
    if header["kdf"] != "argon2id" or len(bytes.fromhex(header["salt"])) != argon2id.SALTBYTES:
        raise ValueError("not an argon2id salt")
    if not argon2id.OPSLIMIT_MIN <= header["opslimit"] <= argon2id.OPSLIMIT_SENSITIVE:
        raise ValueError(f"opslimit {header['opslimit']} out of range")
    if not argon2id.MEMLIMIT_MIN <= header["memlimit"] <= argon2id.MEMLIMIT_SENSITIVE:
        raise ValueError(f"memlimit {header['memlimit']} out of range")


def _key(passphrase: str, header: Mapping[str, Any]) -> bytes:
    return bytes(argon2id.kdf(SecretBox.KEY_SIZE, passphrase.encode(), bytes.fromhex(header["salt"]),
                              opslimit=header["opslimit"], memlimit=header["memlimit"]))


def restore(home: Path, files: Mapping[str, bytes], force: bool) -> list[tuple[str, str]]:
    """Write ``files`` under ``home`` (files 0600, folders 0700); what was done to each path. Key files
    that exist and differ are replaced only if ``force``; otherwise nothing is written."""
    differ = sorted(p for p, data in files.items() if (home / p).exists() and (home / p).read_bytes() != data)
    if differ and not force:
        raise ApiError(f"{len(differ)} key file(s) under {home} differ from the archive: {', '.join(differ)}; "
                       "nothing was restored (--force replaces them)")
    done = []
    for path, data in sorted(files.items()):
        target = home / path
        done.append((path, "replaced" if path in differ else "kept" if target.exists() else "restored"))
        if done[-1][1] != "kept":
            _private_folder(target.parent)
            write_private(target, data)
    return done


def _private_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)


def write_private(path: Path, data: bytes) -> None:
    """``data`` to ``path``, mode 0600, whole or not at all: a temporary file in the same folder, renamed."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
