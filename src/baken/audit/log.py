"""The access log as a transparency log: the line's content, the integrator, checkpoints
and the copies outside the database (docs/adr/0009-transparency-log.md).

- A line's **content** is a canonical JSON encoding of its fields (:func:`content`). Its
  MAC is HMAC-SHA256 of the content with the line key; the leaf data is the content and
  the MAC (:func:`leaf_data`), hashed as an RFC 9162 leaf.
- The **integrator** (:func:`integrate`) gives committed lines that have no leaf yet the
  next leaf indexes, in id order, in batches, and stores every complete subtree it
  finishes (:class:`~baken.audit.models.LogNode`). On PostgreSQL one integrator runs at a
  time (``pg_try_advisory_xact_lock``); on SQLite the write lock serialises it already.
- A **checkpoint** (:func:`make_checkpoint`) integrates, signs the tree head, keeps it in
  the database, writes it to ``BAKEN_AUDIT_CHECKPOINT_DIR`` and sends it to the witness
  (``BAKEN_AUDIT_WITNESS_URL``, C2SP tlog-witness ``add-checkpoint``).
"""

from __future__ import annotations

import base64
import functools
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import structlog
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from baken.audit import keys, merkle
from baken.audit.models import AccessEvent, Checkpoint, LogLeaf, LogNode

log = structlog.stdlib.get_logger("baken.audit")

CONTENT_FIELDS = (
    "uid",
    "at",
    "user_id",
    "role",
    "organisation_id",
    "responsible_organisation_id",
    "dossier_id",
    "entry_sequence",
    "code",
    "action",
    "purpose",
    "authorised",
    "case_team",
    "consent",
    "break_glass",
    "detail",
)
"""Every field of a line that its MAC and its leaf cover (all but the database id)."""
LEAF_PREFIX = b"baken-access-log-line/v1\n"
BATCH = 1000
"""Lines per integration transaction."""
ADVISORY_LOCK = 0x62616B656E617564  # "bakenaud": one integrator on PostgreSQL
CHECKPOINT_FILE = "checkpoint-{size:012d}"
CHECKPOINT_LOG = "checkpoints.log"
WITNESS_STATE = "witness-size"
WITNESS_TIMEOUT = 10


class TreeError(Exception):
    """The tree in the database cannot be extended (a stored hash is missing or changed)."""


class CheckpointConflict(Exception):
    """The checkpoint folder already holds another checkpoint of this size: the log forked."""


# The line's content and MAC -----------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, str):
        return str.__str__(value)  # a TextChoices member as its value
    return value


def content(values: Mapping[str, Any]) -> bytes:
    """The canonical encoding of a line: its fields as sorted, compact, ASCII JSON."""
    return json.dumps(
        {name: _plain(values[name]) for name in CONTENT_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    ).encode("ascii")


def leaf_data(line_content: bytes, mac: str) -> bytes:
    """What a leaf hashes: a version prefix, the content, a newline and the MAC."""
    return LEAF_PREFIX + line_content + b"\n" + mac.encode("ascii", "replace")


def values_of(event: Any) -> dict[str, Any]:
    """A line's fields as stored (a model instance, also a migration's historical one)."""
    return {name: getattr(event, name) for name in CONTENT_FIELDS}


def event_leaf_hash(event: Any) -> bytes:
    return merkle.leaf_hash(leaf_data(content(values_of(event)), event.mac))


# Keys from the settings ---------------------------------------------------------------------


@functools.lru_cache(maxsize=4)
def _signer(seed_text: str, origin: str) -> keys.Signer:
    return keys.Signer(origin, keys.parse_seed(seed_text))


def signer() -> keys.Signer | None:
    """The log's signing key from BAKEN_AUDIT_SIGNING_KEY(_FILE), or None (verify only)."""
    seed_text: str = settings.BAKEN_AUDIT_SIGNING_KEY
    return _signer(seed_text, settings.BAKEN_AUDIT_ORIGIN) if seed_text else None


def require_signer() -> keys.Signer:
    found = signer()
    if found is None:
        raise ImproperlyConfigured(
            "the access log cannot be written or signed without BAKEN_AUDIT_SIGNING_KEY "
            "(or BAKEN_AUDIT_SIGNING_KEY_FILE)"
        )
    return found


@functools.lru_cache(maxsize=4)
def _line_key(seed_text: str, origin: str) -> bytes:
    return _signer(seed_text, origin).line_key


def line_key() -> bytes:
    require_signer()
    return _line_key(settings.BAKEN_AUDIT_SIGNING_KEY, settings.BAKEN_AUDIT_ORIGIN)


def verifier() -> keys.Verifier:
    """Who signs this log's checkpoints: BAKEN_AUDIT_PUBLIC_KEY, or the signing key's."""
    public: str = settings.BAKEN_AUDIT_PUBLIC_KEY
    if public:
        return keys.Verifier.parse(public)
    return require_signer().verifier


# The tree in the database -------------------------------------------------------------------


def tree_size() -> int:
    """How many leaves the database's tree has (its highest index + 1)."""
    highest = LogLeaf.objects.aggregate(highest=Max("index"))["highest"]
    return 0 if highest is None else int(highest) + 1


def stored_subtree(level: int, index: int) -> bytes:
    """A :data:`~baken.audit.merkle.SubtreeSource` over the stored leaves and nodes."""
    if level == 0:
        row = LogLeaf.objects.filter(index=index).values_list("hash", flat=True).first()
    else:
        row = (
            LogNode.objects.filter(level=level, index=index).values_list("hash", flat=True).first()
        )
    if row is None:
        raise TreeError(f"the tree in the database has no hash for {level}/{index}")
    try:
        value = bytes.fromhex(row)
    except ValueError:
        value = b""
    if len(value) != merkle.HASH_SIZE:
        raise TreeError(f"the tree in the database has a damaged hash at {level}/{index}")
    return value


def _locked() -> bool:
    """PostgreSQL: whether this transaction is the one integrator (it waits for nobody)."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK])
        row = cursor.fetchone()
    return bool(row and row[0])


def _integrate_batch(batch: int) -> int:
    size = tree_size()
    pending = list(AccessEvent.objects.filter(leaf__isnull=True).order_by("pk")[:batch])
    if not pending:
        return 0
    nodes: list[LogNode] = []
    tree = merkle.CompactRange.resume(
        size,
        stored_subtree,
        on_node=lambda level, index, h: nodes.append(
            LogNode(level=level, index=index, hash=h.hex())
        ),
    )
    key = _line_key(settings.BAKEN_AUDIT_SIGNING_KEY, settings.BAKEN_AUDIT_ORIGIN)
    leaves = []
    for event in pending:
        line_content = content(values_of(event))
        if keys.line_mac(key, line_content) != event.mac:
            # Integrated all the same (the tree records what the database holds), and
            # named: verify reports it as not written by Baken.
            log.error("audit_line_not_written_by_baken", position=tree.size + 1)
        leaf = merkle.leaf_hash(leaf_data(line_content, event.mac))
        leaves.append(LogLeaf(index=tree.size, event_id=event.pk, hash=leaf.hex()))
        tree.append(leaf)
    LogLeaf.objects.bulk_create(leaves)
    LogNode.objects.bulk_create(nodes)
    return len(leaves)


def integrate(batch: int = BATCH) -> int:
    """Give every committed line without a leaf its leaf, in id order, ``batch`` lines a
    transaction; how many were integrated. Returns 0 at once when another integrator runs
    (PostgreSQL). A line that commits late with a lower id gets the next index then."""
    require_signer()
    total = 0
    while True:
        with transaction.atomic():
            if not _locked():
                return total
            done = _integrate_batch(batch)
        total += done
        if done < batch:
            return total


# Checkpoints --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Made:
    """What :func:`make_checkpoint` did."""

    size: int
    root: bytes
    note: str
    new: bool
    """False when the newest checkpoint already had this size (nothing new was signed)."""
    path: Path
    integrated: int
    witness: str
    """What the witness said, in a few words ("" when none is configured)."""


def current_note() -> tuple[int, bytes, str]:
    """The database tree's size, root and a signed checkpoint of it (integrates nothing)."""
    active = require_signer()
    with transaction.atomic():
        size = tree_size()
        root = merkle.root_from(size, stored_subtree)
    note = keys.Checkpoint(settings.BAKEN_AUDIT_ORIGIN, size, root).sign(active)
    return size, root, note


def newest_checkpoint_file(directory: Path) -> Path | None:
    """The checkpoint file of the largest tree in the folder, found without listing the
    folder into memory (the names are zero-padded, so the largest name is the largest)."""
    newest: str | None = None
    if directory.is_dir():
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith("checkpoint-") and entry.name[11:].isdigit():
                    newest = entry.name if newest is None or entry.name > newest else newest
    return None if newest is None else directory / newest


def _extends_the_newest_file(directory: Path, size: int) -> None:
    """Refuse to sign a tree that is not the newest checkpoint in the folder grown by new
    lines: a tree that became smaller, or whose first lines no longer give that
    checkpoint's root (history was rewritten in the database), is a
    :class:`CheckpointConflict`, so the key never signs a fork."""
    path = newest_checkpoint_file(directory)
    if path is None:
        return
    try:
        signed = keys.open_note(path.read_text(encoding="utf-8"), verifier())
    except (OSError, UnicodeDecodeError, keys.NoteError) as exc:
        raise CheckpointConflict(f"{path} cannot be read as this log's checkpoint: {exc}") from None
    if signed.size > size:
        raise CheckpointConflict(
            f"{path} covers {signed.size} lines but the tree in the database holds {size}: "
            "lines were removed (run `baken audit verify`)"
        )
    with transaction.atomic():
        root = merkle.root_from(signed.size, stored_subtree)
    if root != signed.root:
        raise CheckpointConflict(
            f"the tree in the database does not extend {path}: its first {signed.size} lines "
            "were changed (run `baken audit verify`)"
        )


def make_checkpoint(now: datetime | None = None) -> Made:
    """Integrate what is pending, check that the tree extends the newest checkpoint in the
    folder, sign the tree head, keep it in the database and in the checkpoint folder, and
    send it to the witness."""
    integrated = integrate()
    directory = Path(settings.BAKEN_AUDIT_CHECKPOINT_DIR)
    size, root, note = current_note()
    _extends_the_newest_file(directory, size)
    try:
        with transaction.atomic():
            known = Checkpoint.objects.filter(size=size).first()
            if known is None:
                Checkpoint.objects.create(
                    size=size, root=root.hex(), note=note, made_at=now or timezone.now()
                )
    except IntegrityError:
        # Another checkpointer (the worker, the timer) stored this size just now.
        known = Checkpoint.objects.filter(size=size).first()
    if known is not None and known.root != root.hex():
        raise CheckpointConflict(
            f"the database already holds another checkpoint of {size} lines: the tree "
            "was changed (run `baken audit verify`)"
        )
    path = write_checkpoint_file(directory, size, note)
    said = send_to_witness() if settings.BAKEN_AUDIT_WITNESS_URL else ""
    log.info("audit_checkpoint", count=size, action="new" if known is None else "same")
    return Made(size, root, note, known is None, path, integrated, said)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_checkpoint_file(directory: Path, size: int, note: str) -> Path:
    """``checkpoint-<size>`` in ``directory``, written once (a temporary file linked into
    place, so a crash leaves no half file), and the note appended to ``checkpoints.log``;
    both fsynced. The same checkpoint again changes nothing; another one of the same size
    is a :class:`CheckpointConflict` (never overwritten)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / CHECKPOINT_FILE.format(size=size)
    if path.exists():
        if path.read_text(encoding="utf-8") == note:
            return path
        raise CheckpointConflict(
            f"{path} holds another checkpoint of {size} lines: the log in the database is "
            "not the one that was checkpointed (run `baken audit verify`)"
        )
    temporary = directory / f".{path.name}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(note)
        out.flush()
        os.fsync(out.fileno())
    try:
        os.link(temporary, path)
    except FileExistsError:
        if path.read_text(encoding="utf-8") != note:
            raise CheckpointConflict(f"{path} holds another checkpoint of {size} lines") from None
        return path
    finally:
        temporary.unlink()
    fd = os.open(directory / CHECKPOINT_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (note + "\n").encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    _fsync_dir(directory)
    return path


def checkpoint_files(directory: Path) -> Iterator[Path]:
    """The checkpoint files in the folder, smallest tree first."""
    if directory.is_dir():
        yield from sorted(directory.glob("checkpoint-[0-9]*"))


# The witness (C2SP tlog-witness, add-checkpoint) ---------------------------------------------


def _witness_size(directory: Path) -> int:
    try:
        text = (directory / WITNESS_STATE).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return 0
    return int(text) if text.isdigit() else 0


def _set_witness_size(directory: Path, size: int) -> None:
    temporary = directory / f".{WITNESS_STATE}.{os.getpid()}.tmp"
    temporary.write_text(f"{size}\n", encoding="ascii")
    os.replace(temporary, directory / WITNESS_STATE)


def add_checkpoint_body(old_size: int, note: str, new_size: int) -> bytes:
    """The add-checkpoint request: ``old <size>``, the consistency proof (base64, a line
    each), a blank line, the checkpoint."""
    with transaction.atomic():
        proof = merkle.consistency_proof(old_size, new_size, stored_subtree)
    lines = [f"old {old_size}", *(base64.b64encode(p).decode("ascii") for p in proof)]
    return ("\n".join(lines) + "\n\n" + note).encode("utf-8")


def send_to_witness(attempts: int = 2) -> str:
    """Send the newest checkpoint to BAKEN_AUDIT_WITNESS_URL (its ``add-checkpoint``) with
    a consistency proof from the size the witness last took. A 200 keeps its cosignature
    beside the checkpoint; a 409 names the witness's own size, and the proof is made again
    from there once. Any failure is logged (ids only) and tried again at the next
    checkpoint; it never raises."""
    directory = Path(settings.BAKEN_AUDIT_CHECKPOINT_DIR)
    newest = Checkpoint.objects.order_by("-size").first()
    if newest is None:
        return "nothing to send"
    url = settings.BAKEN_AUDIT_WITNESS_URL.rstrip("/") + "/add-checkpoint"
    for _ in range(attempts):
        old = _witness_size(directory)
        if old == newest.size and (directory / f"witness-{newest.size:012d}").exists():
            return f"the witness has {newest.size} lines already"
        if old > newest.size:
            # The witness holds a larger tree than the newest checkpoint: the log went
            # backwards (a restore that lost lines, or lines removed). Said loudly; the
            # witness will refuse every smaller tree.
            log.error("audit_witness_ahead", count=newest.size, position=old)
            return f"the witness holds {old} lines, more than this log's {newest.size}"
        try:
            body = add_checkpoint_body(old, newest.note, newest.size)
            request = urllib.request.Request(  # noqa: S310 (an operator's http(s) URL)
                url, data=body, method="POST", headers={"Content-Type": "text/plain"}
            )
            with urllib.request.urlopen(request, timeout=WITNESS_TIMEOUT) as response:  # noqa: S310
                cosignature = response.read(65536)
        except urllib.error.HTTPError as refused:
            answer = refused.read(64).decode("ascii", "replace").strip()
            if refused.code == 409 and answer.isdigit():
                _set_witness_size(directory, int(answer))
                continue
            log.warning("audit_witness_refused", status=refused.code, count=newest.size)
            return f"the witness refused it ({refused.code})"
        except (OSError, TreeError) as failed:
            log.warning("audit_witness_failed", exc_type=type(failed).__name__, count=newest.size)
            return "the witness could not be reached"
        (directory / f"witness-{newest.size:012d}").write_bytes(cosignature)
        _set_witness_size(directory, newest.size)
        log.info("audit_witness_cosigned", count=newest.size)
        return f"the witness cosigned {newest.size} lines"
    log.warning("audit_witness_refused", status=409, count=newest.size)
    return "the witness refused it (409)"


def checkpoint_quietly() -> None:
    """The worker's periodic checkpoint: never raises, logs what went wrong (ids only)."""
    try:
        make_checkpoint()
    except Exception as failed:  # noqa: BLE001 (the worker keeps running; the log says why)
        log.error("audit_checkpoint_failed", exc_type=type(failed).__name__)
