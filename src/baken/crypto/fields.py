"""Model fields that store their value encrypted and bound to its row (see :mod:`baken.crypto`
and ADR 10).

Django's ``from_db_value`` and ``get_prep_value`` do not see the model instance, and the row
is part of the associated data, so the work is done where the instance is seen:

- reading: ``from_db_value`` keeps the ciphertext sealed (:class:`Sealed`); the attribute's
  descriptor (:class:`SealedAttribute`) decrypts it on first access, with the instance's
  binding, and keeps the plaintext on the instance;
- writing: ``pre_save`` (which Django calls for ``save()`` and ``bulk_create()``) encrypts
  the instance's plaintext for that instance's row.

A path that has no instance cannot bind a value, so it is refused loudly rather than
handing out or storing ciphertext: ``values()``/``values_list()`` of an encrypted field,
``update()``/``bulk_update()`` of one, and lookups other than ``isnull``.

The row identity is the primary key when the application chooses it before the INSERT (a
UUID with a default); a model whose key the database assigns names its identity in
``encryption_identity`` (field names; known before the INSERT, never changed). The field's
system check refuses a model that has neither.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

import structlog
from django.conf import settings
from django.core import checks
from django.core.exceptions import FieldError
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from baken.crypto import Binding, DecryptionError, Keyring

log = structlog.stdlib.get_logger("baken.crypto")

IDENTITY_ATTRIBUTE = "encryption_identity"
"""The model attribute naming the fields of its row identity, when the primary key is not
known before the INSERT (ADR 10)."""


@cache
def _keyring(text: str) -> Keyring:
    return Keyring.parse(text)


def keyring() -> Keyring:
    """The keyring from the settings (parsed once per key configuration)."""
    return _keyring(settings.BAKEN_ENCRYPTION_KEYS)


class RowBindingError(FieldError):
    """An encrypted field used where no model instance (so no row) is at hand."""


def report(error: DecryptionError) -> None:
    """Log a failed decryption: where (table, column) and the key id, never the value."""
    binding = error.binding
    if binding is None:
        log.error("decryption_failed", code=f"unbound:{error.key_id}")
        return
    ids: dict[str, str] = {}
    if binding.table == "dossiers_dossier":
        ids["dossier_id"] = binding.row
    elif binding.table == "dossiers_entry":
        ids["dossier_id"], ids["entry_sequence"] = binding.row.split("/", 1)
    log.error("decryption_failed", code=f"{binding.table}.{binding.column}:{error.key_id}", **ids)


# Row identity ---------------------------------------------------------------------------


@cache
def identity_fields(model: type[models.Model]) -> tuple[models.Field, ...]:  # type: ignore[type-arg]
    """The fields whose values identify a row of ``model`` for its encrypted values."""
    names: Sequence[str] | None = getattr(model, IDENTITY_ATTRIBUTE, None)
    if names:
        return tuple(model._meta.get_field(name) for name in names)  # type: ignore[misc]
    return (model._meta.pk,)


def row_identity(fields: Sequence[models.Field], values: Sequence[Any]) -> str:  # type: ignore[type-arg]
    """The canonical text of a row identity: each value as its field reads it (a UUID in
    its hyphenated form whatever the database returned, a number as digits), joined by
    ``/``. Used for instances and for raw rows alike (rotation)."""
    parts = []
    for field, value in zip(fields, values, strict=True):
        if value is None:
            raise RowBindingError(
                f"{field.model._meta.db_table}: the row has no {field.name} yet, so its "
                "encrypted values cannot be bound to it"
            )
        parts.append(str(field.to_python(value)))
    return "/".join(parts)


def instance_identity(instance: models.Model) -> str:
    fields = identity_fields(type(instance))
    return row_identity(fields, [getattr(instance, field.attname) for field in fields])


# Reading --------------------------------------------------------------------------------


class Sealed:
    """Ciphertext as read from (or about to go to) the database; only the model instance,
    which knows its row, opens it. It has no text of its own: using it as a value fails."""

    __slots__ = ("token",)

    def __init__(self, token: str) -> None:
        self.token = token

    def __repr__(self) -> str:
        return "<Sealed encrypted value>"

    def __str__(self) -> str:
        raise RowBindingError("an encrypted value is read through its model instance")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sealed) and other.token == self.token

    def __hash__(self) -> int:
        return hash(self.token)


class SealedAttribute(DeferredAttribute):
    """The attribute of an encrypted field: a deferred value loads as in Django, a sealed
    value is decrypted with the instance's binding on first access and kept as plaintext.

    It is a data descriptor (it has ``__set__``), so it sees every access, also once the
    value is in the instance's ``__dict__`` (where Django's deferred loading looks)."""

    field: EncryptedTextField

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.open(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        instance.__dict__[self.field.attname] = value


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Text stored as AES-GCM ciphertext bound to its row. ``None`` stays NULL; ``""`` is
    encrypted too."""

    descriptor_class = SealedAttribute

    # Types for django-stubs: what the field takes and gives, not the stored ciphertext.
    _pyi_private_set_type: Any
    _pyi_private_get_type: Any

    def binding(self, instance: models.Model) -> Binding:
        """Where this field's value of ``instance`` is stored."""
        return Binding(self.model._meta.db_table, self.column, instance_identity(instance))

    def open(self, instance: models.Model, sealed: Sealed) -> Any:
        """Decrypt ``sealed`` as this field's value of ``instance``; a failure is logged
        and raised (never ciphertext, never another row's value)."""
        try:
            text = keyring().decrypt(sealed.token, self.binding(instance))
        except DecryptionError as error:
            report(error)
            raise
        return self.from_plaintext(text)

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else Sealed(value)

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        """Encrypt the instance's value for the instance's row (a sealed value that was
        never read is decrypted first, so it is re-bound, not copied)."""
        value = getattr(model_instance, self.attname)
        if value is None:
            return None
        token = keyring().encrypt(self.to_plaintext(value), self.binding(model_instance))
        return Sealed(token)

    def get_prep_value(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.token
        raise RowBindingError(
            f"{self.model._meta.db_table}.{self.column} is encrypted for its row: write it "
            "through a model instance (save(), bulk_create()), not a query (update(), "
            "bulk_update())"
        )

    def select_format(self, compiler: Any, sql: str, params: Any) -> Any:
        """Refuse ``values()``/``values_list()`` of this field: without the instance the
        value cannot be decrypted, and handing out ciphertext would be silent."""
        if compiler.query.values_select:
            raise RowBindingError(
                f"{self.model._meta.db_table}.{self.column} is encrypted for its row: read "
                "it through model instances (only(), select_related()), not values()"
            )
        return super().select_format(compiler, sql, params)

    def to_plaintext(self, value: Any) -> str:
        return str(value)

    def from_plaintext(self, text: str) -> Any:
        return text

    def to_python(self, value: Any) -> Any:
        return value

    def get_lookup(self, lookup_name: str) -> Any:
        """Only ``isnull``: ciphertext cannot be compared, so any other lookup is an error
        (Django raises FieldError) rather than a query that silently matches nothing."""
        if lookup_name != "isnull":
            return None
        return super().get_lookup(lookup_name)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [*super().check(**kwargs), *self._check_row_identity()]

    def _check_row_identity(self) -> list[checks.CheckMessage]:
        """The row identity must be known before the INSERT: a primary key with a default,
        or ``encryption_identity`` naming concrete fields."""
        model = self.model
        if getattr(model, "__module__", "") == "__fake__":
            return []  # a migration's historical model: its class attributes are not kept
        names = getattr(model, IDENTITY_ATTRIBUTE, None)
        if names:
            concrete = {field.name for field in model._meta.concrete_fields}
            missing = [name for name in names if name not in concrete]
            if not missing:
                return []
            hint = f"{', '.join(missing)} is not a concrete field of {model.__name__}"
        elif model._meta.pk is not None and model._meta.pk.has_default():
            return []
        else:
            hint = (
                f"{model.__name__}'s primary key is assigned by the database, after the "
                f"INSERT: set {IDENTITY_ATTRIBUTE} to fields known before it (ADR 10)"
            )
        return [
            checks.Error(
                "an encrypted field needs a row identity known before the INSERT",
                hint=hint,
                obj=self,
                id="baken.E010",
            )
        ]


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


def encrypted_models() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    """Every installed model with encrypted fields, and those fields, from the models."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        fields = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, EncryptedTextField) and field.model is model
        ]
        if fields:
            found.append((model, fields))
    return found


# django-allauth's two-factor secrets are bound to their Authenticator row by model signals
# (baken.crypto.authenticators); they are connected here, when the models are loaded, so no
# Authenticator is ever read before they are.
from baken.crypto import authenticators as _authenticators  # noqa: E402

_authenticators.connect()
