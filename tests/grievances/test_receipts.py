"""Receipt numbers: length, grouping, the Damm check digit, storage as an HMAC only."""

from __future__ import annotations

import itertools
import random

import pytest

from portal.grievances import receipts


def test_new_receipts_have_twenty_digits_and_a_valid_check_digit():
    seen = set()
    for _ in range(200):
        receipt = receipts.new_receipt()
        assert len(receipt) == 20 and receipt.isdigit()
        assert receipts.damm_valid(receipt)
        seen.add(receipt)
    assert len(seen) == 200


def test_grouped_in_fours():
    assert receipts.group("12345678901234567890") == "1234 5678 9012 3456 7890"


def test_every_single_digit_typo_and_adjacent_swap_is_caught():
    rng = random.Random(7)
    for _ in range(50):
        receipt = receipts.new_receipt()
        for position, wrong in itertools.product(range(20), "0123456789"):
            if receipt[position] == wrong:
                continue
            typo = receipt[:position] + wrong + receipt[position + 1 :]
            assert not receipts.damm_valid(typo)
        for position in range(19):
            a, b = receipt[position], receipt[position + 1]
            if a == b:
                continue
            swapped = receipt[:position] + b + a + receipt[position + 2 :]
            assert not receipts.damm_valid(swapped)
        rng.random()


def test_known_damm_value():
    # The worked example from Damm's algorithm: 572 → check digit 4.
    assert receipts.damm_check_digit("572") == "4"
    assert receipts.damm_valid("5724")


def test_normalise_accepts_spaces_dashes_and_other_scripts():
    receipt = receipts.new_receipt()
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in receipt)
    bengali = "".join(chr(0x09E6 + int(d)) for d in receipt)
    assert receipts.normalise(receipts.group(receipt)) == receipt
    assert receipts.normalise("-".join(receipts.group(receipt).split())) == receipt
    assert receipts.normalise(arabic_indic) == receipt
    assert receipts.normalise(bengali) == receipt


_BODY = "1234567890123456789"
_WRONG_CHECK = _BODY + str((int(receipts.damm_check_digit(_BODY)) + 1) % 10)


@pytest.mark.parametrize("raw", ["", "1234", "abcd efgh", "1" * 21, _WRONG_CHECK])
def test_normalise_refuses_what_cannot_be_a_receipt(raw):
    with pytest.raises(receipts.ReceiptError):
        receipts.normalise(raw)


def test_hmac_is_keyed_and_hides_the_digits(app):
    receipt = receipts.new_receipt()
    with app.app_context():
        digest = receipts.receipt_hmac(receipt)
        assert len(digest) == 64 and receipt not in digest
        assert digest == receipts.receipt_hmac(receipt)
        app.config["SECRET_KEY"], saved = "another key", app.config["SECRET_KEY"]
        try:
            assert receipts.receipt_hmac(receipt) != digest
        finally:
            app.config["SECRET_KEY"] = saved


def test_contact_round_trip_and_configured_key(app):
    from cryptography.fernet import Fernet

    with app.app_context():
        token = receipts.encrypt_contact("+880 1711 223344")
        assert "1711" not in token
        assert receipts.decrypt_contact(token) == "+880 1711 223344"
        app.config["GRIEVANCE_CONTACT_KEY"] = Fernet.generate_key().decode()
        try:
            assert receipts.decrypt_contact(token) is None  # other key: lost, not a crash
            other = receipts.encrypt_contact("call after 6pm")
            assert receipts.decrypt_contact(other) == "call after 6pm"
        finally:
            app.config["GRIEVANCE_CONTACT_KEY"] = None
