"""Storage layout: records found where the compiler put them, small values unpacked from shared slots."""

from __future__ import annotations

import pytest
from eth_utils.address import to_checksum_address

from ledger.stateproof import LayoutError, storage_layout
from ledger.stateproof.layout import decoded, mapping_slot

TAG_2_SLOT = 0xA122AF0AD530BBDF44347E70B5D47D42DFBCB7A4175A405D39441CA62687AD47
"""Where the EVM put ``tags[0x0202…02]`` of the devnet's Counter fixture (``mapping`` at slot 1), as both
the devnet's and Anvil's ``eth_createAccessList`` reported it: an outside answer to check the rule."""


def test_a_mapping_value_lies_at_keccak_of_key_and_slot() -> None:
    assert mapping_slot(b"\x02" * 32, 1) == TAG_2_SLOT


def test_a_consent_is_eight_slots_from_its_mapping_slot_with_the_two_times_sharing_the_last() -> None:
    layout = storage_layout("ConsentRegistry")
    consent_id = bytes(range(32))
    record = layout.mapping_record("_consents", consent_id)
    assert record.base == mapping_slot(consent_id, layout.slot_of("_consents"))
    assert record.slots == [record.base + i for i in range(8)]
    fields = {f.name: (f.slot - record.base, f.offset, f.size, f.type) for f in record.fields}
    assert fields["grant.enterprise"] == (0, 0, 20, "address")
    assert fields["grant.nonce"] == (6, 0, 32, "uint256")
    assert fields["grantedAt"] == (7, 0, 8, "uint64") and fields["revokedAt"] == (7, 8, 8, "uint64")


def test_an_application_is_found_through_the_inherited_layout() -> None:
    layout = storage_layout("LoanLedger")
    record = layout.mapping_record("_applications", 3)
    assert record.base == mapping_slot((3).to_bytes(32, "big"), layout.slot_of("_applications"))
    assert [f.name for f in record.fields] == ["bank", "subject", "consentId", "amount", "termMonths", "productId"]


def test_small_values_are_unpacked_from_the_lower_order_bytes_first() -> None:
    record = storage_layout("LoanLedger").mapping_record("_decisions", 1)
    packed = next(f for f in record.fields if f.name == "approve").slot
    word = (12 << (8 * 9)) | (612 << (8 * 5)) | (450 << 8) | 1  # score, pdPpm, rateBps (4 bytes each), approve
    values = {f.name: decoded(f, {packed: word}) for f in record.fields if f.slot == packed}
    assert values == {"approve": True, "rateBps": 450, "pdPpm": 612, "score": 12}


def test_addresses_and_words_are_shown_as_hex() -> None:
    record = storage_layout("ConsentRegistry").mapping_record("_consents", b"\x01" * 32)
    enterprise, _, subject = record.fields[:3]
    address = bytes.fromhex("5fbdb2315678afecb367f032d93f642f64180aa3")
    assert decoded(enterprise, {enterprise.slot: int.from_bytes(address, "big")}) == to_checksum_address(address)
    assert decoded(subject, {}) == "0x" + "00" * 32


def test_an_unknown_variable_or_a_non_mapping_is_a_layout_error() -> None:
    layout = storage_layout("ConsentRegistry")
    with pytest.raises(LayoutError, match="no state variable 'consents'"):
        layout.mapping_record("consents", b"\x01" * 32)
    with pytest.raises(LayoutError, match="is not a mapping"):
        layout.mapping_record("registry", b"\x01" * 32)
    with pytest.raises(LayoutError, match="must be 32 bytes"):
        layout.mapping_record("_consents", b"\x01")
    with pytest.raises(LayoutError, match="no artifact for contract 'Nope'"):
        storage_layout("Nope")
