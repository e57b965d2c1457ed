"""Finding raw identifiers in free text, before it reaches the log or the chain (seeds R5, R7).

The log is append-only and anchored: an identifier that gets into an event's ``purpose``,
``request_id`` or ``reason`` stays there for good. :func:`identifiers_in` finds

- unified social credit codes (GB 32100-2015: 18 characters of its set, with a valid check character),
- citizen identity numbers (GB 11643-1999: 17 digits and a valid check character, a real birth date),
- mainland mobile numbers (11 digits, ``1[3-9]``, optionally after ``+86`` or ``86``),
- bank card numbers (16 to 19 digits from a card scheme's first digit, 2 to 6, passing ISO/IEC 7812's Luhn check),

each standing alone: not inside a longer run of letters and digits (so hex digests and ids are left
alone), but found between Chinese characters, spaces or punctuation. Check characters and Luhn keep
ordinary numbers out; what matches is named by kind and never repeated.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ledger.identifiers import idcard, uscc

_ALONE = r"(?<![0-9A-Za-z]){}(?![0-9A-Za-z])"
_PATTERNS: tuple[tuple[str, re.Pattern[str], Callable[[str], bool]], ...] = (
    ("a unified social credit code", re.compile(_ALONE.format(r"[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}")),
     lambda s: uscc.is_valid(s.upper())),
    ("an identity number", re.compile(_ALONE.format(r"[0-9]{17}[0-9Xx]")),
     lambda s: idcard.is_valid(s.upper()) and idcard.birth_date(s) is not None),
    ("a mobile number", re.compile(_ALONE.format(r"(?:\+?86[- ]?)?1[3-9][0-9]{9}")), lambda s: True),
    ("a bank card number", re.compile(_ALONE.format(r"[2-6][0-9]{15,18}")), lambda s: luhn_valid(s)),
)


_CANDIDATE = re.compile(r"[0-9A-Za-z]{11}")
"""Every identifier holds a run of at least 11 letters and digits: text without one is passed at once."""


def identifiers_in(text: str) -> Iterator[str]:
    """The kind of each raw identifier standing in ``text`` ("a mobile number", …), in pattern order."""
    if not _CANDIDATE.search(text):
        return
    for kind, pattern, valid in _PATTERNS:
        if any(valid(found.group()) for found in pattern.finditer(text)):
            yield kind


def has_identifier(text: str) -> bool:
    return _CANDIDATE.search(text) is not None and next(identifiers_in(text), None) is not None


def luhn_valid(digits: str) -> bool:
    """ISO/IEC 7812-1 Annex B: doubling every second digit from the right, the sum is a multiple of 10."""
    total = 0
    for i, d in enumerate(int(c) for c in reversed(digits)):
        total += d if i % 2 == 0 else (2 * d - 9 if d > 4 else 2 * d)
    return total % 10 == 0


WORD = 32
"""An ABI word: calldata after its 4-byte selector, event data and every topic are made of them."""
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ufffd]")


def identifiers_in_bytes(data: bytes, words_from: int = 0) -> Iterator[str]:
    """The kind of each raw identifier in chain bytes (a transaction's input, an event's data or topic),
    each kind once, looked for in every way one could have been put there:

    - the bytes as text (UTF-8, an unprintable byte a space): a code passed as a ``string`` or ``bytes``;
    - each ABI word from ``words_from`` (4 for calldata) as text, unless the word before it is all
      text (then the word goes on a string, and a run cut at the boundary would be no run of its
      own): a code right-padded into a ``bytes32`` is found even after a word ending in a letter;
    - the hex, whole and, for each word that is a number (left-padded: its first byte zero), after its
      leading zeros: digits written as hex digits (``0x…0013812345678``). A right-padded word is
      text, read as text above: the hex of its bytes says nothing (``000007Z"}`` is ``3030…227d``,
      18 hex digits that pass a credit code's check).

    Words are not read as decimal numbers: an amount of 130 to 199 million yuan is 11 digits of fen
    starting 13 to 19, a mobile number's shape, and amounts are what the loan events carry.
    """
    words = [data[i:i + WORD] for i in range(words_from, len(data), WORD)]
    alone = [w for before, w in zip([b"\0", *words], words, strict=False) if _UNPRINTABLE.search(_decoded(before))]
    numbers = [w.hex().lstrip("0") for w in words if w[:1] == b"\0"]
    views = [_text(data), data.hex(), *(_text(w) for w in alone), *numbers]
    found = {kind for view in views for kind in identifiers_in(view)}
    yield from (kind for kind, _, _ in _PATTERNS if kind in found)


def _decoded(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _text(raw: bytes) -> str:
    return _UNPRINTABLE.sub(" ", _decoded(raw))
