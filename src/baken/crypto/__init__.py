"""Encryption at rest for dossier free text and identifying data (AES-256-GCM).

Keys come from ``BAKEN_ENCRYPTION_KEYS`` (comma-separated, base64, 32 bytes each, newest
first) or the file named by ``BAKEN_ENCRYPTION_KEYS_FILE``; in development a key is
generated once into ``var/encryption_keys``. Keys are never derived from SECRET_KEY. The
first key encrypts; every key in the list decrypts, which is what makes rotation possible
(``baken keys rotate`` re-encrypts everything with the first key). A value that does not
decrypt is an error, never returned as ciphertext or as empty.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc1"
NONCE_BYTES = 12


class KeyError_(Exception):
    """The key configuration is missing or wrong."""


class DecryptionError(Exception):
    """A stored value could not be decrypted with any configured key."""


def key_id(key: bytes) -> str:
    """A short, non-secret name for a key (the first 8 hex digits of its SHA-256)."""
    return hashlib.sha256(key).hexdigest()[:8]


@dataclass(frozen=True)
class Keyring:
    """The configured keys, newest (the one that encrypts) first."""

    keys: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise KeyError_("no encryption key configured")
        for key in self.keys:
            if len(key) != 32:
                raise KeyError_(f"encryption key {key_id(key)} is {len(key)} bytes, not 32")

    @classmethod
    def parse(cls, text: str) -> Keyring:
        """Keys as comma- or newline-separated base64 text."""
        parts = [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]
        keys = []
        for index, part in enumerate(parts):
            try:
                keys.append(base64.b64decode(part, validate=True))
            except ValueError:
                raise KeyError_(f"encryption key {index + 1} is not valid base64") from None
        return cls(tuple(keys))

    @staticmethod
    def generate() -> str:
        """A new random key, base64-encoded."""
        return base64.b64encode(os.urandom(32)).decode("ascii")

    @property
    def primary_id(self) -> str:
        return key_id(self.keys[0])

    def encrypt(self, plaintext: str) -> str:
        key = self.keys[0]
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), PREFIX.encode("ascii"))
        body = base64.b64encode(nonce + sealed).decode("ascii")
        return f"{PREFIX}:{key_id(key)}:{body}"

    def decrypt(self, token: str) -> str:
        try:
            prefix, kid, body = token.split(":", 2)
        except ValueError:
            raise DecryptionError("not an encrypted value") from None
        if prefix != PREFIX:
            raise DecryptionError(f"unknown format {prefix!r}")
        key = next((k for k in self.keys if key_id(k) == kid), None)
        if key is None:
            raise DecryptionError(f"no configured key has id {kid}")
        try:
            raw = base64.b64decode(body, validate=True)
            plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], PREFIX.encode())
        except (ValueError, InvalidTag):
            raise DecryptionError(f"value does not decrypt with key {kid}") from None
        return plain.decode("utf-8")

    def needs_rotation(self, token: str) -> bool:
        """Whether ``token`` was encrypted with a key other than the primary one."""
        return not token.startswith(f"{PREFIX}:{self.primary_id}:")
