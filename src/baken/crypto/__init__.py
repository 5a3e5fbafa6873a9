"""Encryption at rest for dossier free text and identifying data (AES-256-GCM).

Keys come from ``BAKEN_ENCRYPTION_KEYS`` (comma-separated, base64, 32 bytes each, newest
first) or the file named by ``BAKEN_ENCRYPTION_KEYS_FILE``; in development a key is
generated once into ``var/encryption_keys``. Keys are never derived from SECRET_KEY. The
first key encrypts; every key in the list decrypts, which is what makes rotation possible
(``baken keys rotate`` re-encrypts everything with the first key). A value that does not
decrypt is an error, never returned as ciphertext or as empty.

Every value is bound to where it is stored (ADR 10): the AES-GCM associated data names the
table, the column and the row (:class:`Binding`), so a ciphertext copied into another row,
another column or another table does not decrypt there. A stored value is a token
``enc2:<key id>:<base64 of nonce, ciphertext and tag>``. The earlier format ``enc1`` had a
constant associated data; it is refused at read, and only the migration that re-encrypted
it (``dossiers/0011``) opens it, through :meth:`Keyring.decrypt_unbound`.

This module is plain Python (no Django): the settings parse the keys with it at start.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc2"
"""The token format whose associated data is the value's :class:`Binding`."""
UNBOUND_PREFIX = "enc1"
"""The earlier format (associated data the constant ``enc1``): refused at read."""
AAD_VERSION = "baken/v2"
NONCE_BYTES = 12
KEY_BYTES = 32

_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*")
"""A table or column name in a binding (a column may name a key inside it: ``data.secret``)."""
_ROW = re.compile(r"[A-Za-z0-9_-]+(/[A-Za-z0-9_-]+)*")
"""A row identity: one or more id parts (a UUID, a number), joined by ``/``."""


class KeyError_(Exception):
    """The key configuration is missing or wrong."""


class DecryptionError(Exception):
    """A stored value could not be decrypted: wrong row, unknown key, changed or old format.

    The message names where the value is stored and the key id, never the value."""

    def __init__(self, message: str, binding: Binding | None = None, key: str = "") -> None:
        super().__init__(message)
        self.binding = binding
        self.key_id = key


def key_id(key: bytes) -> str:
    """A short, non-secret name for a key (the first 8 hex digits of its SHA-256)."""
    return hashlib.sha256(key).hexdigest()[:8]


@dataclass(frozen=True)
class Binding:
    """Where a value is stored: its table, its column and its row's identity.

    The row identity is known before the row is inserted and never changes: the primary key
    where the application chooses it (a UUID), else a natural key or a UUID column chosen
    for it (ADR 10). Parts of a composite identity are joined by ``/``."""

    table: str
    column: str
    row: str

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.table) or not _NAME.fullmatch(self.column):
            raise ValueError("a binding's table and column are lower-case SQL names")
        if not _ROW.fullmatch(self.row):
            raise ValueError(f"{self.table}.{self.column}: a row identity is ids joined by /")

    @property
    def associated_data(self) -> bytes:
        """``baken/v2/<table>/<column>/<row>``: unambiguous, because table and column
        contain no ``/`` and the row is the rest."""
        return f"{AAD_VERSION}/{self.table}/{self.column}/{self.row}".encode("ascii")

    def __str__(self) -> str:
        return f"{self.table}.{self.column} of row {self.row}"


def _split(token: str) -> tuple[str, str, str]:
    try:
        prefix, kid, body = token.split(":", 2)
    except (ValueError, AttributeError):
        raise DecryptionError("not an encrypted value") from None
    return prefix, kid, body


@dataclass(frozen=True)
class Keyring:
    """The configured keys, newest (the one that encrypts) first."""

    keys: tuple[bytes, ...]
    _by_id: dict[str, bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyError_("no encryption key configured")
        for index, key in enumerate(self.keys, start=1):
            if len(key) != KEY_BYTES:
                raise KeyError_(f"encryption key {index} is {len(key)} bytes, not {KEY_BYTES}")
        by_id: dict[str, bytes] = {}
        for key in reversed(self.keys):  # the first of two keys with one id wins
            by_id[key_id(key)] = key
        object.__setattr__(self, "_by_id", by_id)

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """Keys as comma- or newline-separated base64 text. An error names the key by its
        position in the list, never by its content."""
        parts = [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]
        keys = []
        for index, part in enumerate(parts, start=1):
            try:
                keys.append(base64.b64decode(part, validate=True))
            except (ValueError, binascii.Error):
                raise KeyError_(f"encryption key {index} is not valid base64") from None
        return cls(tuple(keys))

    @staticmethod
    def generate() -> str:
        """A new random key, base64-encoded."""
        return base64.b64encode(os.urandom(KEY_BYTES)).decode("ascii")

    @property
    def primary_id(self) -> str:
        return key_id(self.keys[0])

    def _key(self, kid: str, binding: Binding | None) -> bytes:
        key = self._by_id.get(kid)
        if key is None:
            where = f"{binding}: " if binding else ""
            raise DecryptionError(f"{where}no configured key has id {kid}", binding, kid)
        return key

    def encrypt(self, plaintext: str, binding: Binding) -> str:
        """``plaintext`` sealed with the primary key, for the place ``binding`` names only."""
        key = self.keys[0]
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), binding.associated_data)
        body = base64.b64encode(nonce + sealed).decode("ascii")
        return f"{PREFIX}:{key_id(key)}:{body}"

    def decrypt(self, token: str, binding: Binding) -> str:
        """The plaintext of ``token`` read from the place ``binding`` names; a token made for
        another table, column or row, a changed one, an unknown key and the old unbound
        format are each a :class:`DecryptionError`."""
        prefix, kid, body = _split(token)
        if prefix == UNBOUND_PREFIX:
            raise DecryptionError(
                f"{binding}: the value is in the old unbound format {UNBOUND_PREFIX} "
                "(run the migrations: dossiers 0011 re-encrypts it)",
                binding,
                kid,
            )
        if prefix != PREFIX:
            raise DecryptionError(f"{binding}: not an encrypted value", binding)
        key = self._key(kid, binding)
        try:
            raw = base64.b64decode(body, validate=True)
            plain = AESGCM(key).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], binding.associated_data
            )
        except (ValueError, InvalidTag):
            raise DecryptionError(
                f"{binding}: the value does not decrypt with key {kid}: it was made for "
                "another row, column or table, or it was changed",
                binding,
                kid,
            ) from None
        return plain.decode("utf-8")

    def needs_rotation(self, token: str) -> bool:
        """Whether ``token`` is not yet a bound value under the primary key."""
        return not token.startswith(f"{PREFIX}:{self.primary_id}:")

    # The old format, for the migrations only -------------------------------------------

    def encrypt_unbound(self, plaintext: str) -> str:
        """A token in the old format ``enc1``. Only migration ``dossiers/0005`` makes these
        (it predates bound values; ``dossiers/0011`` re-encrypts them right after)."""
        key = self.keys[0]
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(key).encrypt(
            nonce, plaintext.encode("utf-8"), UNBOUND_PREFIX.encode("ascii")
        )
        body = base64.b64encode(nonce + sealed).decode("ascii")
        return f"{UNBOUND_PREFIX}:{key_id(key)}:{body}"

    def decrypt_unbound(self, token: str) -> str:
        """The plaintext of an old ``enc1`` token. Only migration ``dossiers/0011`` calls
        this, to re-encrypt every old value bound to its row; every read refuses ``enc1``."""
        prefix, kid, body = _split(token)
        if prefix != UNBOUND_PREFIX:
            raise DecryptionError(f"not a value in the old format {UNBOUND_PREFIX}")
        key = self._key(kid, None)
        try:
            raw = base64.b64decode(body, validate=True)
            plain = AESGCM(key).decrypt(
                raw[:NONCE_BYTES], raw[NONCE_BYTES:], UNBOUND_PREFIX.encode("ascii")
            )
        except (ValueError, InvalidTag):
            raise DecryptionError(
                f"an {UNBOUND_PREFIX} value does not decrypt with key {kid}"
            ) from None
        return plain.decode("utf-8")
