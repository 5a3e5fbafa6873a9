"""The access log's keys and signed checkpoints, without Django.

One secret, the 32-byte Ed25519 seed in ``BAKEN_AUDIT_SIGNING_KEY``, gives:

- the **signing key** of the checkpoints (Ed25519, RFC 8032, through ``cryptography``);
- the **line key**: HMAC-SHA256 (RFC 2104) over every line as it is written, derived from
  the seed with HKDF-SHA256 (RFC 5869) so the two uses never share a key.

A checkpoint is a C2SP ``tlog-checkpoint`` body (origin, tree size, base64 root hash, one
line each) in a C2SP ``signed-note``: the body, a blank line, and one signature line
``— <key name> <base64(key hash || signature)>`` per signer, where the key hash is the
first four bytes of SHA-256(key name || "\\n" || 0x01 || public key) and 0x01 names
Ed25519. The key name is the log's origin. The verifier key, what a witness or an auditor
needs and nothing secret, is ``<name>+<hex key hash>+<base64(0x01 || public key)>``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

ED25519 = b"\x01"
"""The signed-note signature type of Ed25519."""
SIGNATURE_PREFIX = "\u2014 "
"""An em dash and a space start every signature line (C2SP signed-note)."""
LINE_KEY_INFO = b"baken access log line MAC v1"
SEED_SIZE = 32


class AuditKeyError(ValueError):
    """A key or verifier key that is not usable; the message is one line for the operator."""


class NoteError(ValueError):
    """A checkpoint that cannot be read, or whose signature does not verify."""


def generate_seed() -> str:
    """A new signing key: base64 of 32 random bytes."""
    return base64.b64encode(os.urandom(SEED_SIZE)).decode("ascii")


def parse_seed(text: str, name: str = "BAKEN_AUDIT_SIGNING_KEY") -> bytes:
    """The 32-byte seed from its base64 text; one-line error otherwise."""
    try:
        seed = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise AuditKeyError(f"{name} is not base64 (make one with `baken audit key`)") from None
    if len(seed) != SEED_SIZE:
        raise AuditKeyError(
            f"{name} must be {SEED_SIZE} bytes of base64, not {len(seed)} "
            "(make one with `baken audit key`)"
        )
    return seed


def check_origin(origin: str) -> str:
    """An origin (and key name): printable, no spaces, no plus sign (signed-note)."""
    if not origin or any(c.isspace() or c == "+" or not c.isprintable() for c in origin):
        raise AuditKeyError(
            f"BAKEN_AUDIT_ORIGIN must be like baken.example.nl/access-log (no spaces or '+'), "
            f"not {origin!r}"
        )
    return origin


def default_origin(netloc: str) -> str:
    """The log's origin from the host (and port) of BAKEN_BASE_URL."""
    return check_origin(f"{netloc}/access-log")


def key_hash(name: str, public: bytes) -> bytes:
    """The 4-byte key hash of signed-note for an Ed25519 key."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519 + public).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A public key with its name: what checks a checkpoint's signature."""

    name: str
    public: bytes

    @property
    def hash(self) -> bytes:
        return key_hash(self.name, self.public)

    def __str__(self) -> str:
        encoded = base64.b64encode(ED25519 + self.public).decode("ascii")
        return f"{self.name}+{self.hash.hex()}+{encoded}"

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """A verifier key ``<name>+<hex key hash>+<base64(0x01 || public key)>``."""
        parts = text.strip().split("+", 2)  # base64 may hold "+" too
        if len(parts) != 3:
            raise AuditKeyError("the public key must look like <name>+<8 hex digits>+<base64>")
        name, hex_hash, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
            expected = bytes.fromhex(hex_hash)
        except (binascii.Error, ValueError):
            raise AuditKeyError("the public key is not <name>+<hex>+<base64>") from None
        if len(raw) != 33 or raw[:1] != ED25519:
            raise AuditKeyError("the public key is not an Ed25519 verifier key")
        verifier = cls(check_origin(name), raw[1:])
        if verifier.hash != expected:
            raise AuditKeyError("the public key's hash does not match its name and key")
        return verifier

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """The log's secret: signs checkpoints and derives the line key."""

    name: str
    seed: bytes

    @property
    def private(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(self.seed)

    @property
    def verifier(self) -> Verifier:
        public = self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return Verifier(self.name, public)

    @property
    def line_key(self) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=LINE_KEY_INFO).derive(
            self.seed
        )

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)


def line_mac(line_key: bytes, content: bytes) -> str:
    """HMAC-SHA256 of a line's canonical content, hex."""
    return hmac.new(line_key, content, hashlib.sha256).hexdigest()


# Checkpoints (C2SP tlog-checkpoint in a signed-note) ----------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: this log (origin) had ``size`` lines with this root."""

    origin: str
    size: int
    root: bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"

    def sign(self, signer: Signer) -> str:
        """The signed note: body, blank line, one signature line."""
        body = self.body()
        signature = signer.sign(body.encode("utf-8"))
        encoded = base64.b64encode(signer.verifier.hash + signature).decode("ascii")
        return f"{body}\n{SIGNATURE_PREFIX}{signer.name} {encoded}\n"


def open_note(note: str, verifier: Verifier) -> Checkpoint:
    """The checkpoint in ``note`` if ``verifier`` signed it; :class:`NoteError` otherwise.
    Signatures of other keys (a witness's cosignature) are skipped."""
    body, sep, signatures = note.partition("\n\n")
    if not sep or not signatures.endswith("\n"):
        raise NoteError("not a signed checkpoint (no signature lines)")
    body += "\n"
    lines = body.split("\n")[:-1]
    if len(lines) < 3:
        raise NoteError("not a checkpoint (it needs an origin, a size and a root hash)")
    origin, size_text, root_text = lines[:3]
    if not (size_text.isascii() and size_text.isdigit()) or (
        len(size_text) > 1 and size_text[0] == "0"
    ):
        raise NoteError(f"not a checkpoint (the size is not a number: {size_text!r})")
    try:
        root = base64.b64decode(root_text, validate=True)
    except (binascii.Error, ValueError):
        root = b""
    if len(root) != 32:
        raise NoteError("not a checkpoint (the root hash is not 32 bytes of base64)")
    found_name = False
    for line in signatures[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteError("not a signed note (a signature line does not start with '— ')")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if name != verifier.name:
            continue
        found_name = True
        try:
            raw = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            continue
        if raw[:4] == verifier.hash and verifier.verify(body.encode("utf-8"), raw[4:]):
            if origin != verifier.name:
                raise NoteError(f"signed for another log ({origin!r}, not {verifier.name!r})")
            return Checkpoint(origin, int(size_text), root)
    if found_name:
        raise NoteError("its signature does not verify with this log's key")
    raise NoteError(f"not signed by this log's key ({verifier.name})")
