"""Model fields that store their value encrypted (see :mod:`baken.crypto`)."""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from typing import Any

from django.conf import settings
from django.db import models

from baken.crypto import Keyring


@cache
def _keyring(text: str) -> Keyring:
    return Keyring.parse(text)


def keyring() -> Keyring:
    """The keyring from the settings (parsed once per key configuration)."""
    return _keyring(settings.BAKEN_ENCRYPTION_KEYS)


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored as AES-GCM ciphertext. ``None`` stays NULL; ``""`` is encrypted too."""

    # Types for django-stubs: what the field takes and gives, not the stored ciphertext.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        if value is None:
            return None
        return self.from_plaintext(keyring().decrypt(value))

    def to_plaintext(self, value: Any) -> str:
        return str(value)

    def from_plaintext(self, text: str) -> Any:
        return text

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        return keyring().encrypt(self.to_plaintext(value))

    def to_python(self, value: Any) -> Any:
        return value

    def get_lookup(self, lookup_name: str) -> Any:
        """Only ``isnull``: ciphertext cannot be compared, so any other lookup is an error
        (Django raises FieldError) rather than a query that silently matches nothing."""
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)


class EncryptedJSONField(EncryptedTextField):
    """A JSON value (dict, list, ...) stored encrypted."""

    def to_plaintext(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)

    def from_plaintext(self, text: str) -> Any:
        return json.loads(text)


class EncryptedDateField(EncryptedTextField):
    """A date stored encrypted (ISO 8601 inside the ciphertext)."""

    def to_plaintext(self, value: Any) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)

    def from_plaintext(self, text: str) -> Any:
        return date.fromisoformat(text)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value:
            return date.fromisoformat(value)
        return value
