"""Verifying the access log against the checkpoints it is trusted by (``baken audit verify``).

Trusted are the signed checkpoints in ``BAKEN_AUDIT_CHECKPOINT_DIR``, the files given with
``--checkpoint`` and the database's own copies whose signature verifies (the signature is
what counts, not where a copy lies). The leaves and their lines stream past in leaf order,
a chunk at a time, and two trees are rebuilt in O(log n) memory: one from the lines'
content (each line's leaf made again, its MAC checked) and one from the stored leaf hashes.
At each trusted size both roots are compared with the checkpoint's. Then the database's
tree must be consistent with the newest trusted checkpoint (an RFC 9162 consistency proof
from the stored subtrees), and the lines not yet in the tree are MAC-checked too.

Every problem names the line (its place in the log, 1-based) where one can be named:

- ``line N: changed after it was written``: its content no longer gives its leaf, or its
  MAC no longer matches while the tree it was signed in no longer matches either;
- ``line N: not written by Baken (its MAC does not match)``: a line that was never
  written with the log's key (inserted with SQL, after or before a checkpoint);
- ``line N: missing``: its leaf is there without its line, or its leaf is gone;
- ``line N: a copy of line M``: a line written once and inserted again;
- ``lines A to B do not match checkpoint …``: every line checks out on its own, but the
  tree does not (a line removed, inserted or moved with all hashes made again);
- ``the log ends at line N but checkpoint … covers S lines: the newest lines were
  removed``, and ``every line is missing`` when nothing is left.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from baken.audit import keys, merkle
from baken.audit.log import (
    TreeError,
    checkpoint_files,
    content,
    leaf_data,
    stored_subtree,
    values_of,
)
from baken.audit.models import AccessEvent, Checkpoint, LogLeaf

CHUNK = 2000
"""Rows fetched at a time while streaming (``QuerySet.iterator(chunk_size=…)``)."""


class VerifyInputError(Exception):
    """A checkpoint file that cannot be read or trusted, or an unusable key: exit 2."""


@dataclass(frozen=True)
class Problem:
    position: int | None
    message: str

    def __str__(self) -> str:
        return self.message if self.position is None else f"line {self.position}: {self.message}"


@dataclass(frozen=True)
class Trusted:
    size: int
    root: bytes
    label: str
    """Where it came from, for messages: a file's name, or "in the database"."""


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    lines: int = 0
    leaves: int = 0
    pending: int = 0
    trusted: list[Trusted] = field(default_factory=list)
    macs_checked: bool = False
    seconds: float = 0.0

    @property
    def newest(self) -> Trusted | None:
        return self.trusted[-1] if self.trusted else None

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds if self.seconds > 0 else float(self.lines)


def read_checkpoint_file(path: Path, verifier: keys.Verifier) -> Trusted:
    """A checkpoint file, its signature checked; :class:`VerifyInputError` otherwise."""
    try:
        note = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise VerifyInputError(f"cannot read checkpoint {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise VerifyInputError(f"cannot read checkpoint {path}: {reason}") from None
    try:
        checkpoint = keys.open_note(note, verifier)
    except keys.NoteError as exc:
        raise VerifyInputError(f"checkpoint {path}: {exc}") from None
    return Trusted(checkpoint.size, checkpoint.root, f"{path.name}")


def trusted_checkpoints(
    verifier: keys.Verifier, directory: Path | None, files: Sequence[Path], report: Report
) -> list[Trusted]:
    """Every trusted checkpoint, one per size, smallest first; two different checkpoints
    of one size are a problem (the key signed two histories)."""
    found: list[Trusted] = [read_checkpoint_file(path, verifier) for path in files]
    if directory is not None:
        found += [read_checkpoint_file(path, verifier) for path in checkpoint_files(directory)]
    for row in Checkpoint.objects.order_by("size").iterator(chunk_size=CHUNK):
        try:
            checkpoint = keys.open_note(row.note, verifier)
        except keys.NoteError:
            report.problems.append(
                Problem(
                    None,
                    f"the checkpoint of {row.size} lines in the database is not "
                    "signed by this log's key (it was made or changed without it)",
                )
            )
            continue
        found.append(Trusted(checkpoint.size, checkpoint.root, "in the database"))
    by_size: dict[int, Trusted] = {}
    for candidate in found:
        seen = by_size.get(candidate.size)
        if seen is None:
            by_size[candidate.size] = candidate
        elif seen.root != candidate.root:
            report.problems.append(
                Problem(
                    None,
                    f"checkpoints {seen.label} and {candidate.label} both cover "
                    f"{candidate.size} lines but differ: the log was forked (is the signing key "
                    "safe?)",
                )
            )
    return [by_size[size] for size in sorted(by_size)]


class _Stream:
    """The walk over the leaves: the two rebuilt trees and the problems found so far."""

    def __init__(self, report: Report, trusted: list[Trusted], line_key: bytes | None) -> None:
        self.report = report
        self.line_key = line_key
        self.sizes = [t for t in trusted if t.size > 0]
        self.next = 0
        self.from_content = merkle.CompactRange()
        self.from_leaves = merkle.CompactRange()
        self.broken = False
        """A leaf is gone: the trees cannot be rebuilt past it (it is reported)."""
        self.interval_start = 0
        self.interval_problems = 0
        self.unsigned: list[int] = []
        """Leaf indexes whose MAC failed while their leaf matches their content."""
        self.unknown_leaf = False
        """A changed line's leaf was made again too: its signed leaf is unknown, so the
        rebuilt tree cannot match a later checkpoint either (the line is named)."""

    def problem(self, position: int | None, message: str) -> None:
        self.report.problems.append(Problem(position, message))
        self.interval_problems += 1

    def mac_ok(self, line_content: bytes, mac: str) -> bool:
        return self.line_key is None or keys.line_mac(self.line_key, line_content) == mac

    def leaf(self, leaf: LogLeaf, expected: int) -> None:
        index = leaf.index
        if index != expected:
            self.gap(expected, index)
        try:
            stored = bytes.fromhex(leaf.hash)
        except ValueError:
            stored = b""
        if len(stored) != merkle.HASH_SIZE:
            self.problem(index + 1, "its leaf hash in the database is damaged")
            stored = merkle.leaf_hash(b"")
        event = leaf.event
        if event is None:
            self.problem(index + 1, "missing")
            rebuilt = stored
        else:
            self.report.lines += 1
            line_content = content(values_of(event))
            rebuilt = merkle.leaf_hash(leaf_data(line_content, event.mac))
            if rebuilt != stored:
                self.problem(index + 1, "changed after it was written")
                rebuilt = stored  # the tree as signed, if the leaf is what was signed
            elif not self.mac_ok(line_content, event.mac):
                self.unsigned.append(index)
        self.from_content.append(rebuilt)
        self.from_leaves.append(stored)
        self.report.leaves += 1
        self.passed(index + 1)

    def gap(self, expected: int, index: int) -> None:
        if index - expected == 1:
            self.problem(expected + 1, "missing")
        else:
            self.problem(None, f"lines {expected + 1} to {index}: missing")
        self.broken = True
        self.passed(index)

    def passed(self, size: int) -> None:
        """Compare with every trusted checkpoint of ``size`` lines or fewer not yet seen."""
        while self.next < len(self.sizes) and self.sizes[self.next].size <= size:
            trusted = self.sizes[self.next]
            self.next += 1
            self.boundary(trusted)

    def boundary(self, trusted: Trusted) -> None:
        leaves_match = not self.broken and self.from_leaves.root() == trusted.root
        content_matches = not self.broken and self.from_content.root() == trusted.root
        for index in self.unsigned:
            message = (
                "not written by Baken (its MAC does not match)"
                if leaves_match
                else "changed after it was written"
            )
            self.problem(index + 1, message)
        if self.unsigned and not leaves_match:
            self.unknown_leaf = True
        if (
            not self.broken
            and not self.unknown_leaf
            and not content_matches
            and not self.interval_problems
        ):
            self.problem(
                None,
                f"lines {self.interval_start + 1} to {trusted.size} do not match checkpoint "
                f"{trusted.label}: a line was removed, inserted or moved",
            )
        self.unsigned = []
        self.interval_start = trusted.size
        self.interval_problems = 0

    def end(self, size: int) -> None:
        for index in self.unsigned:
            self.problem(index + 1, "not written by Baken (its MAC does not match)")
        self.unsigned = []
        beyond = self.sizes[self.next :]
        if beyond:
            newest = beyond[-1]
            if size == 0 and self.report.lines == 0:
                self.problem(None, "every line is missing")
            else:
                self.problem(
                    None,
                    f"the log ends at line {size} but checkpoint {newest.label} covers "
                    f"{newest.size} lines: the newest lines were removed",
                )
            self.next = len(self.sizes)


def _consistency(stream: _Stream, size: int, newest: Trusted | None) -> None:
    """The database's tree of ``size`` leaves extends the newest trusted checkpoint."""
    if stream.broken or newest is None or newest.size > size:
        return
    before = [p for p in stream.report.problems if p.position is not None]
    if any(p.position is not None and p.position <= newest.size for p in before):
        return  # the lines already named explain it
    try:
        with transaction.atomic():
            root = merkle.root_from(size, stored_subtree)
            proof = merkle.consistency_proof(newest.size, size, stored_subtree)
    except TreeError:
        stream.problem(None, "the tree in the database is incomplete: a stored hash is missing")
        return
    if root != stream.from_leaves.root():
        stream.problem(None, "the tree in the database does not match its leaves")
    elif not merkle.verify_consistency(newest.size, size, newest.root, root, proof):
        stream.problem(
            None,
            f"the tree in the database ({size} lines) is not consistent with checkpoint "
            f"{newest.label} ({newest.size} lines)",
        )


def _copies(report: Report) -> None:
    """Lines whose random uid turns up twice: the later ones are copies."""
    doubled = (
        AccessEvent.objects.values("uid").annotate(n=Count("id")).filter(n__gt=1).values("uid")
    )
    for uid in doubled.values_list("uid", flat=True)[:1000]:
        rows = list(
            AccessEvent.objects.filter(uid=uid).order_by("pk").values_list("pk", "leaf__index")
        )
        first = rows[0][1]
        for _, index in rows[1:]:
            original = "an earlier line" if first is None else f"line {first + 1}"
            position = None if index is None else index + 1
            report.problems.append(Problem(position, f"a copy of {original}"))


def verify(
    files: Sequence[Path] = (),
    *,
    public_key: str = "",
    use_directory: bool = True,
) -> Report:
    """Check the access log against every trusted checkpoint; the report names every
    problem. :class:`VerifyInputError` for an unreadable or untrusted checkpoint file."""
    started = time.perf_counter()
    report = Report()
    from baken.audit.log import _line_key, signer

    try:
        verifier = (
            keys.Verifier.parse(public_key or settings.BAKEN_AUDIT_PUBLIC_KEY)
            if public_key or settings.BAKEN_AUDIT_PUBLIC_KEY
            else None
        )
    except keys.AuditKeyError as exc:
        raise VerifyInputError(str(exc)) from None
    active = signer()
    if verifier is None:
        if active is None:
            raise VerifyInputError(
                "no key to verify with: set BAKEN_AUDIT_SIGNING_KEY, or BAKEN_AUDIT_PUBLIC_KEY "
                "(or --public-key) to check the tree without the lines' MACs"
            )
        verifier = active.verifier
    line_key = (
        _line_key(settings.BAKEN_AUDIT_SIGNING_KEY, settings.BAKEN_AUDIT_ORIGIN)
        if active is not None
        else None
    )
    report.macs_checked = line_key is not None
    directory = Path(settings.BAKEN_AUDIT_CHECKPOINT_DIR) if use_directory else None
    if (
        directory is not None
        and not directory.is_dir()
        and (LogLeaf.objects.exists() or Checkpoint.objects.exists())
    ):
        # Lines are in the tree, so checkpoints were written there: a folder that is not
        # there (a mount that failed, a wrong path, another machine) would leave only the
        # database's own copies to trust.
        raise VerifyInputError(
            f"the checkpoint folder {directory} (BAKEN_AUDIT_CHECKPOINT_DIR) does not exist; "
            "point it at the checkpoints, pass them with --checkpoint FILE, or say "
            "--no-checkpoint-dir to check against the database's copies only"
        )
    report.trusted = trusted_checkpoints(verifier, directory, files, report)
    stream = _Stream(report, report.trusted, line_key)
    expected = 0
    leaves = LogLeaf.objects.select_related("event").order_by("index")
    for leaf in leaves.iterator(chunk_size=CHUNK):
        stream.leaf(leaf, expected)
        expected = leaf.index + 1
    stream.end(expected)
    _consistency(stream, expected, report.newest)
    pending = AccessEvent.objects.filter(leaf__isnull=True).order_by("pk")
    for event in pending.iterator(chunk_size=CHUNK):
        report.pending += 1
        report.lines += 1
        if not stream.mac_ok(content(values_of(event)), event.mac):
            report.problems.append(
                Problem(
                    expected + report.pending,
                    "not written by Baken (its MAC does not match; not yet in the tree)",
                )
            )
    _copies(report)
    report.seconds = time.perf_counter() - started
    return report
