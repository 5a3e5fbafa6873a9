"""django-allauth's two-factor secrets, encrypted and bound to their ``Authenticator`` row.

allauth stores the TOTP secret (``data["secret"]``), the recovery-code seed (``data["seed"]``)
and any migrated recovery codes (``data["migrated_codes"]``) through the MFA adapter's
``encrypt(text)`` and ``decrypt(text)``, which see neither the row nor the instance. The
binding to the row (table ``mfa_authenticator``, column ``data.<key>``, the primary key) is
therefore made by model signals, which do see the instance:

- ``post_init``: every secret of a row read from the database becomes a
  :class:`BoundSecret`, a string that remembers the row it was read from; the adapter's
  ``decrypt`` opens only those (:func:`open_secret`);
- ``encrypt`` returns an :class:`UnsealedSecret`; ``pre_save`` seals it for the row, and for
  a new row, whose key the database assigns at the INSERT, ``post_save`` seals it for the
  new key right after (one UPDATE). Its own text is a token bound to no row, so a write that
  skips the signals (``bulk_create``, ``update``) stores nothing that opens.

So a secret copied into another user's authenticator does not decrypt there, and neither
does an old secret put back after a reset (a new row, a new key; ADR 10).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from baken.crypto import Binding, DecryptionError

TABLE = "mfa_authenticator"
SECRET_KEYS = ("secret", "seed")
"""Keys of ``Authenticator.data`` that hold one encrypted secret."""
CODES_KEY = "migrated_codes"
"""The key of ``Authenticator.data`` that holds a list of encrypted recovery codes."""
UNSAVED = "unsaved"
"""The row identity of a secret not yet saved: no stored row ever has it."""


def binding(pk: Any, key: str) -> Binding:
    return Binding(TABLE, f"data.{key}", str(int(pk)))


class BoundSecret(str):
    """A stored token, with the binding of the row it was read from."""

    binding: Binding

    def __new__(cls, token: str, where: Binding) -> BoundSecret:
        made = super().__new__(cls, token)
        made.binding = where
        return made

    def __reduce__(self) -> Any:
        return (BoundSecret, (str.__str__(self), self.binding))


class UnsealedSecret(str):
    """A secret from the adapter's ``encrypt``, not yet saved: the plaintext is kept in
    memory only; as text it is a token bound to no row."""

    plaintext: str

    def __new__(cls, plaintext: str) -> UnsealedSecret:
        from baken.crypto.fields import keyring

        made = super().__new__(cls, keyring().encrypt(plaintext, Binding(TABLE, "data", UNSAVED)))
        made.plaintext = plaintext
        return made

    def __reduce__(self) -> Any:
        return (str, (str.__str__(self),))  # never the plaintext


def seal_secret(plaintext: str) -> str:
    """The MFA adapter's ``encrypt``."""
    return UnsealedSecret(plaintext)


def open_secret(token: str) -> str:
    """The MFA adapter's ``decrypt``: only a secret read through an Authenticator instance
    (or not yet saved) opens; a failure is logged and raised."""
    from baken.crypto.fields import keyring, report

    if isinstance(token, UnsealedSecret):
        return token.plaintext
    if not isinstance(token, BoundSecret):
        error = DecryptionError(
            f"{TABLE}.data: a two-factor secret is read through its Authenticator instance",
            Binding(TABLE, "data", UNSAVED),
        )
        report(error)
        raise error
    try:
        return keyring().decrypt(str.__str__(token), token.binding)
    except DecryptionError as error:
        report(error)
        raise


def _slots(data: dict[str, Any]) -> Iterator[tuple[str, Any, Any]]:
    """``(key, container, index)`` of every secret in ``data``."""
    for key in SECRET_KEYS:
        if isinstance(data.get(key), str):
            yield key, data, key
    codes = data.get(CODES_KEY)
    if isinstance(codes, list):
        for index, code in enumerate(codes):
            if isinstance(code, str):
                yield CODES_KEY, codes, index


def _bind_loaded(sender: Any, instance: Any, **kwargs: Any) -> None:
    """post_init: mark every secret of a row read from the database with that row."""
    data = instance.__dict__.get("data")
    if instance.pk is None or not isinstance(data, dict):
        return
    for key, container, index in _slots(data):
        value = container[index]
        if not isinstance(value, BoundSecret | UnsealedSecret):
            container[index] = BoundSecret(value, binding(instance.pk, key))


def _sealed(value: str, key: str, pk: Any) -> str:
    from baken.crypto.fields import keyring

    if pk is None:
        if isinstance(value, BoundSecret):  # a copy of a stored row into a new one
            return UnsealedSecret(open_secret(value))
        if isinstance(value, UnsealedSecret):
            return value
    else:
        where = binding(pk, key)
        if isinstance(value, BoundSecret) and value.binding == where:
            return value
        if isinstance(value, BoundSecret | UnsealedSecret):
            return BoundSecret(keyring().encrypt(open_secret(value), where), where)
    raise DecryptionError(
        f"{TABLE}.data.{key}: a two-factor secret is stored through the MFA adapter's "
        "encrypt(), never as a raw token"
    )


def _seal_for_save(
    sender: Any, instance: Any, raw: bool, update_fields: Any, **kwargs: Any
) -> None:
    """pre_save: seal every secret for this row (a new row: see :func:`_seal_new_row`)."""
    if raw or (update_fields is not None and "data" not in update_fields):
        return
    data = instance.__dict__.get("data")
    if not isinstance(data, dict):
        return
    for key, container, index in _slots(data):
        container[index] = _sealed(container[index], key, instance.pk)


def _seal_new_row(sender: Any, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    """post_save of a new row: its key exists now; seal its secrets for it."""
    data = instance.__dict__.get("data")
    if raw or not created or not isinstance(data, dict):
        return
    slots = list(_slots(data))
    if not any(isinstance(container[index], UnsealedSecret) for _, container, index in slots):
        return
    for key, container, index in slots:
        container[index] = _sealed(container[index], key, instance.pk)
    sender._base_manager.using(kwargs.get("using")).filter(pk=instance.pk).update(data=data)


def connect() -> None:
    """Connect the signals to allauth's Authenticator (by name: it may load later)."""
    from django.db.models.signals import post_init, post_save, pre_save

    sender = "mfa.Authenticator"
    post_init.connect(_bind_loaded, sender=sender, dispatch_uid="baken.crypto.bind_loaded")
    pre_save.connect(_seal_for_save, sender=sender, dispatch_uid="baken.crypto.seal_for_save")
    post_save.connect(_seal_new_row, sender=sender, dispatch_uid="baken.crypto.seal_new_row")
