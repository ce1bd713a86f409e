"""Receipt numbers and the keys derived from SECRET_KEY (DESIGN §8).

A receipt is 19 random digits (≈ 63 bits, more than GlobaLeaks' 53) and one Damm check digit:
20 digits, shown as five groups of four. The Damm algorithm catches every single-digit typo and
every swap of two adjacent digits, which Luhn does not (it misses 09 ↔ 90). The database keeps
only an HMAC of the digits, keyed from SECRET_KEY, so a copy of the database alone cannot be
used to read a case by guessing receipts offline.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

RANDOM_DIGITS = 19
RECEIPT_LENGTH = RANDOM_DIGITS + 1

# Damm's totally anti-symmetric quasigroup of order 10 (Damm 2004).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm_check_digit(digits: str) -> str:
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return str(interim)


def damm_valid(digits: str) -> bool:
    """True when the last digit is the Damm check digit of the others."""
    return damm_check_digit(digits) == "0"


def new_receipt() -> str:
    body = "".join(str(secrets.randbelow(10)) for _ in range(RANDOM_DIGITS))
    return body + damm_check_digit(body)


def group(receipt: str) -> str:
    """``12345678901234567890`` → ``1234 5678 9012 3456 7890`` (easier to copy by hand)."""
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


class ReceiptError(ValueError):
    """What was typed cannot be a receipt: wrong length, or the check digit does not match."""


def normalise(raw: str | None) -> str:
    """Digits from what a person typed, in any script (Arabic-Indic, Bengali, Burmese...);
    spaces, dashes and dots are ignored. Raises ReceiptError when it cannot be a receipt."""
    digits = []
    for char in (raw or "")[:200]:
        if char.isspace() or char in "-._/":
            continue
        value = unicodedata.digit(char, None)
        if value is None:
            raise ReceiptError("not a digit")
        digits.append(str(value))
    receipt = "".join(digits)
    if len(receipt) != RECEIPT_LENGTH or not damm_valid(receipt):
        raise ReceiptError("check the number")
    return receipt


def _derive(info: bytes, length: int = 32) -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(secret)


def receipt_hmac(receipt: str) -> str:
    """The only form in which a receipt is stored or compared."""
    key = _derive(b"portal grievance receipt v1")
    return hmac.new(key, receipt.encode(), hashlib.sha256).hexdigest()


def _fernet(info: bytes, configured: str | None = None) -> Fernet:
    if configured:
        return Fernet(configured.encode() if isinstance(configured, str) else configured)
    return Fernet(base64.urlsafe_b64encode(_derive(info)))


def contact_cipher() -> Fernet:
    """Encrypts call-back contacts: GRIEVANCE_CONTACT_KEY when set, else derived (HKDF)."""
    return _fernet(b"portal grievance contact v1", current_app.config.get("GRIEVANCE_CONTACT_KEY"))


def encrypt_contact(contact: str) -> str:
    return contact_cipher().encrypt(contact.encode()).decode()


def decrypt_contact(token: str) -> str | None:
    try:
        return contact_cipher().decrypt(token.encode()).decode()
    except InvalidToken:  # the key changed: the contact is lost, not the page
        return None


def session_cipher() -> Fernet:
    """Carries a new receipt through one redirect in the signed session, encrypted."""
    return _fernet(b"portal grievance receipt in session v1")
