"""Encryption at rest: no plaintext in the database, rotation keeps everything readable, a
value that does not decrypt is an error, and the keys are not derived from SECRET_KEY."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date

import pytest
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import FieldError
from django.db import connection
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from baken.accounts.models import User
from baken.crypto import Binding, DecryptionError, Keyring
from baken.crypto.fields import _keyring
from baken.crypto.rotate import rotate
from baken.dossiers import services
from baken.dossiers.models import Dossier, Entry
from baken.dossiers.selectors import access_to
from tests.support import totp_code

SECRET_TEXT = "Verblijft bij een oom in Proefstad; telefoon afgepakt"


@pytest.fixture
def dossier(professional: User) -> Dossier:
    made = services.open_dossier(
        professional, services.NewDossier("Casus Geheim", date(2010, 5, 17), None, ["sexual"])
    )
    services.record(
        access_to(professional, made.pk),
        "observation",
        {
            "nature": "fact",
            "observed_on": "2026-11-20",
            "source": "mentor",
            "description": SECRET_TEXT,
        },
        seen_sequence=0,
    )
    return made


def raw(sql: str) -> list[tuple[object, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall())


def test_the_database_holds_no_plaintext_of_encrypted_fields(dossier: Dossier) -> None:
    """Label, date of birth and entry text are ciphertext in the tables, plaintext in Python."""
    stored = raw("SELECT label, birth_date FROM dossiers_dossier")[0]
    assert all(str(value).startswith("enc2:") for value in stored)
    assert "Geheim" not in str(stored) and "2010" not in str(stored)
    data = raw("SELECT data FROM dossiers_entry")[0][0]
    assert str(data).startswith("enc2:") and "Proefstad" not in str(data)
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert fresh.label == "Casus Geheim" and fresh.birth_date == date(2010, 5, 17)
    assert Entry.objects.get(dossier=dossier).data["description"] == SECRET_TEXT


def test_encrypted_fields_cannot_be_searched_silently(dossier: Dossier) -> None:
    """A lookup on ciphertext would match nothing without saying so: it is an error instead."""
    with pytest.raises(FieldError):
        list(Dossier.objects.filter(label="Casus Geheim"))


@pytest.fixture
def new_key(settings: object) -> Iterator[str]:
    """Put a fresh key first, keeping the old one for decryption (as an operator would)."""
    old = settings.BAKEN_ENCRYPTION_KEYS  # type: ignore[attr-defined]
    key = Keyring.generate()
    settings.BAKEN_ENCRYPTION_KEYS = f"{key},{old}"  # type: ignore[attr-defined]
    yield old
    _keyring.cache_clear()


def test_rotation_re_encrypts_everything_and_keeps_it_readable(
    dossier: Dossier, new_key: str, settings: object, professional: User
) -> None:
    """After rotation every value is under the new key, reads back the same, and the old
    key can be dropped: the dossier reads the same and the two-factor secrets still work."""
    before = raw("SELECT data FROM dossiers_entry")[0][0]
    result = rotate()
    # label, birth date, data, reason; the TOTP secret and the recovery-code seed
    assert result.rewritten == result.values == 6
    after = raw("SELECT data FROM dossiers_entry")[0][0]
    assert before != after and str(after).startswith(f"enc2:{result.key_id}:")
    settings.BAKEN_ENCRYPTION_KEYS = settings.BAKEN_ENCRYPTION_KEYS.split(",")[0]  # type: ignore[attr-defined]
    assert Entry.objects.get(dossier=dossier).data["description"] == SECRET_TEXT
    assert Dossier.objects.get(pk=dossier.pk).label == "Casus Geheim"
    totp = Authenticator.objects.get(user=professional, type="totp").wrap()
    assert totp.validate_code(totp_code(professional.totp_secret))
    recovery = Authenticator.objects.get(user=professional, type="recovery_codes").wrap()
    assert len(recovery.get_unused_codes()) == 10
    assert rotate().rewritten == 0  # nothing left to do


def test_rotation_keeps_the_record_append_only(dossier: Dossier, new_key: str) -> None:
    """The trigger is back after rotation: a raw UPDATE of an entry still fails."""
    rotate()
    from django.db import DatabaseError, transaction

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE dossiers_entry SET kind = 'decision'")


def test_a_value_under_an_unknown_key_is_an_error_not_ciphertext(
    dossier: Dossier, settings: object
) -> None:
    """With the key gone, reading the label fails loudly instead of returning ciphertext or
    nothing (the value is decrypted when it is read, not when the row is loaded)."""
    settings.BAKEN_ENCRYPTION_KEYS = Keyring.generate()  # type: ignore[attr-defined]
    try:
        loaded = Dossier.objects.get(pk=dossier.pk)
        with pytest.raises(DecryptionError, match="no configured key has id"):
            _ = loaded.label
    finally:
        _keyring.cache_clear()


def test_keys_are_not_derived_from_the_secret_key() -> None:
    """The encryption key configured is unrelated to SECRET_KEY."""
    ring = Keyring.parse(settings.BAKEN_ENCRYPTION_KEYS)
    assert settings.SECRET_KEY.encode() not in ring.keys


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_survives_encryption_exactly(text: str) -> None:
    """Round trip: every Unicode text, empty included, comes back identical; a tampered
    token never decrypts."""
    ring = Keyring((b"k" * 32,))
    where = Binding("dossiers_dossier", "label", "6048613f-c953-40a2-96b1-1e39047ed268")
    token = ring.encrypt(text, where)
    assert ring.decrypt(token, where) == text
    prefix, kid, body = token.split(":", 2)
    raw_bytes = bytearray(base64.b64decode(body))
    raw_bytes[-1] ^= 0x01  # flip one bit of the authentication tag
    tampered = f"{prefix}:{kid}:{base64.b64encode(bytes(raw_bytes)).decode()}"
    with pytest.raises(DecryptionError):
        ring.decrypt(tampered, where)


def test_a_malformed_key_configuration_is_named(tmp_path: object) -> None:
    """A key that is not base64 or not 32 bytes is refused with a clear message."""
    from baken.crypto import KeyError_

    with pytest.raises(KeyError_, match="not valid base64"):
        Keyring.parse("not base64!")
    with pytest.raises(KeyError_, match="not 32"):
        Keyring.parse("c2hvcnQ=")
