"""Verifying the access log against the checkpoints it is trusted by (``baken audit verify``).

Trusted are the signed checkpoints in ``BAKEN_AUDIT_CHECKPOINT_DIR``, the files given with
``--checkpoint`` and the database's own copies whose signature verifies (the signature is
what counts, not where a copy lies). The leaves and their lines stream past in leaf order,
a chunk at a time, and the tree is rebuilt in O(log n) memory from the stored leaf hashes,
each line's leaf made again from its content beside it (its MAC checked). At each trusted
size the root is compared with the checkpoint's. Then the database's tree must be
consistent with the newest trusted checkpoint (an RFC 9162 consistency proof from the
stored subtrees), and the lines not yet in the tree are MAC-checked too.

Memory stays flat however long the log is (100 million lines, a checkpoint every five
minutes for twenty years):

- the checkpoints are not loaded into a list: the folder (its names are zero-padded, so
  name order is size order) and the database's copies (by size) are merged as the walk
  reaches their sizes; a database copy whose note is byte for byte the file of its size is
  not checked twice;
- the folder is listed a window of :data:`NAME_WINDOW` names at a time, never whole;
- at most :data:`MAX_PROBLEMS` problems are kept to be named; the rest are counted.

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

import heapq
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Count

from baken.audit import keys, merkle
from baken.audit.log import CONTENT_FIELDS, LEAF_PREFIX, TreeError, stored_subtree
from baken.audit.models import AccessEvent, Checkpoint, LogLeaf

CHUNK = 2000
"""Rows fetched at a time while streaming (``QuerySet.iterator(chunk_size=…)``)."""
CHECKPOINT_CHUNK = 256
"""The database's checkpoint copies fetched at a time (their notes are a few hundred bytes)."""
MAX_PROBLEMS = 1000
"""Problems kept to be named one by one; any more are counted (:attr:`Report.problem_count`)."""
NAME_WINDOW = 65536
"""Checkpoint file names held at a time while the folder is listed in name order."""
CHECKPOINT_PREFIX = "checkpoint-"


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
    """The first :data:`MAX_PROBLEMS` problems, in the order they were found."""
    problem_count: int = 0
    """Every problem found, also those beyond :data:`MAX_PROBLEMS` that are not listed."""
    lines: int = 0
    leaves: int = 0
    pending: int = 0
    checkpoints: int = 0
    """How many trusted checkpoints (one per size) the log was checked against."""
    newest: Trusted | None = None
    """The trusted checkpoint of the largest tree."""
    macs_checked: bool = False
    seconds: float = 0.0
    first_position: int | None = None
    """The smallest line position any problem named."""

    def add(self, problem: Problem) -> None:
        """Count ``problem``, and keep it to be named while fewer than the cap are kept."""
        self.problem_count += 1
        position = problem.position
        if position is not None and (self.first_position is None or position < self.first_position):
            self.first_position = position
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    @property
    def unlisted(self) -> int:
        """Problems counted but not kept (beyond :data:`MAX_PROBLEMS`)."""
        return self.problem_count - len(self.problems)

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.seconds if self.seconds > 0 else float(self.lines)


def read_checkpoint_file(path: Path, verifier: keys.Verifier) -> Trusted:
    """A checkpoint file, its signature checked; :class:`VerifyInputError` otherwise."""
    return _open_file(path, _read_note(path), verifier)


def _read_note(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise VerifyInputError(f"cannot read checkpoint {path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8 text"
        raise VerifyInputError(f"cannot read checkpoint {path}: {reason}") from None


def _open_file(path: Path, note: str, verifier: keys.Verifier) -> Trusted:
    try:
        checkpoint = keys.open_note(note, verifier)
    except keys.NoteError as exc:
        raise VerifyInputError(f"checkpoint {path}: {exc}") from None
    return Trusted(checkpoint.size, checkpoint.root, f"{path.name}")


def _is_checkpoint_name(name: str) -> bool:
    """The names ``log.checkpoint_files`` takes (``checkpoint-[0-9]*``)."""
    return name.startswith(CHECKPOINT_PREFIX) and name[11:12].isdigit()


def _name_key(name: str) -> int:
    """The size a checkpoint file's name gives (its leading digits)."""
    digits = name[11:]
    end = 0
    while end < len(digits) and digits[end].isdigit():
        end += 1
    return int(digits[:end])


def checkpoint_names(directory: Path, window: int = NAME_WINDOW) -> Iterator[str]:
    """The checkpoint files' names in the folder in name order (smallest tree first, the
    sizes being zero-padded), holding at most ``window`` names at a time: each pass over
    the folder takes the next ``window`` names after the last one given."""
    if not directory.is_dir():
        return
    last = ""
    while True:
        with os.scandir(directory) as entries:
            names = heapq.nsmallest(
                window, (e.name for e in entries if e.name > last and _is_checkpoint_name(e.name))
            )
        yield from names
        if len(names) < window:
            return
        last = names[-1]


# The trusted checkpoints, merged as the walk reaches them ----------------------------------

_EXPLICIT, _FOLDER, _DATABASE = 0, 1, 2
"""Which copy of a size names it when several do: given files, then the folder, then the
database (as before the checkpoints were streamed)."""


class _Checkpoints:
    """Every trusted checkpoint, one per size, smallest first, read only as far as the walk
    has come. Two different checkpoints of one size are a problem (the key signed two
    histories); a database copy that is not signed by the key is a problem too.

    The folder's names and the database's ``size`` column only say where to look: what
    counts is the size inside the signed note. A copy whose size turns out smaller than
    the walk has already passed (a file renamed, a database row's size changed) is
    checked against the stored tree instead (:meth:`late`)."""

    def __init__(
        self,
        verifier: keys.Verifier,
        directory: Path | None,
        files: Sequence[Path],
        report: Report,
        late: Callable[[Trusted], None],
    ) -> None:
        self.verifier = verifier
        self.report = report
        self.late = late
        self.heap: list[tuple[int, int, int, Trusted]] = []
        self.sequence = 0
        self.handed_out: Trusted | None = None
        """The checkpoint of the largest size given to the walk so far."""
        self.position = 0
        """How many lines the walk has passed: a copy of a smaller size found now is late."""
        # Files given by hand are few: read (and refused) before anything else.
        for path in files:
            self.push(read_checkpoint_file(path, verifier), _EXPLICIT)
        self.names = iter(checkpoint_names(directory)) if directory is not None else iter(())
        self.directory = directory if directory is not None else Path()
        self.file_head = self._next_name()
        self.last_file: tuple[int, str] | None = None
        rows = Checkpoint.objects.order_by("size").values_list("size", "note")
        self.rows = rows.iterator(chunk_size=CHECKPOINT_CHUNK)
        self.row_head = next(self.rows, None)
        self.next_due = self._next_due()

    def _next_name(self) -> tuple[int, str] | None:
        name = next(self.names, None)
        return None if name is None else (_name_key(name), name)

    def push(self, trusted: Trusted, rank: int) -> None:
        handed = self.handed_out
        if handed is not None and trusted.size == handed.size:
            self.compare(handed, trusted)
            return
        if trusted.size < self.position:
            self.late(trusted)
            return
        self.sequence += 1
        heapq.heappush(self.heap, (trusted.size, rank, self.sequence, trusted))

    def compare(self, seen: Trusted, candidate: Trusted) -> None:
        if seen.root != candidate.root:
            self.report.add(
                Problem(
                    None,
                    f"checkpoints {seen.label} and {candidate.label} both cover "
                    f"{candidate.size} lines but differ: the log was forked (is the signing "
                    "key safe?)",
                )
            )

    def read(self, upto: int | None) -> None:
        """Read the folder and the database up to the copies of ``upto`` lines (all when
        None), a file before the database's copy of the same size."""
        while True:
            file_head, row_head = self.file_head, self.row_head
            if (
                file_head is not None
                and (upto is None or file_head[0] <= upto)
                and (row_head is None or file_head[0] <= row_head[0])
            ):
                self.file_head = self._next_name()
                self.read_file(*file_head)
            elif row_head is not None and (upto is None or row_head[0] <= upto):
                self.row_head = next(self.rows, None)
                self.read_row(*row_head)
            else:
                return

    def read_file(self, key: int, name: str) -> None:
        path = self.directory / name
        note = _read_note(path)
        self.last_file = (key, note)
        self.push(_open_file(path, note, self.verifier), _FOLDER)

    def read_row(self, size: int, note: str) -> None:
        if self.last_file == (size, note):
            return  # byte for byte the file of its size: its signature is checked already
        try:
            checkpoint = keys.open_note(note, self.verifier)
        except keys.NoteError:
            self.report.add(
                Problem(
                    None,
                    f"the checkpoint of {size} lines in the database is not "
                    "signed by this log's key (it was made or changed without it)",
                )
            )
            return
        self.push(Trusted(checkpoint.size, checkpoint.root, "in the database"), _DATABASE)

    def upto(self, size: int | None) -> Iterator[Trusted]:
        """The trusted checkpoints of ``size`` lines or fewer (all when None) not given
        yet, smallest first, one per size; the walk is at ``size`` lines."""
        if size is not None:
            self.position = size
        self.read(size)
        while self.heap and (size is None or self.heap[0][0] <= size):
            kept = heapq.heappop(self.heap)[3]
            while self.heap and self.heap[0][0] == kept.size:
                self.compare(kept, heapq.heappop(self.heap)[3])
            self.handed_out = kept
            self.report.checkpoints += 1
            self.report.newest = kept
            yield kept
        self.next_due = self._next_due()

    def _next_due(self) -> float:
        """The smallest walk size at which :meth:`upto` would give or read anything."""
        due = float("inf")
        if self.heap:
            due = self.heap[0][0]
        if self.file_head is not None:
            due = min(due, self.file_head[0])
        if self.row_head is not None:
            due = min(due, self.row_head[0])
        return due


# The walk over the leaves ---------------------------------------------------------------------

_SPECIAL = {
    name: ("time" if isinstance(f, models.DateTimeField) else "uuid")
    for name in CONTENT_FIELDS
    if isinstance(f := AccessEvent._meta.get_field(name), models.DateTimeField | models.UUIDField)
}
_TIMES = tuple(i for i, name in enumerate(CONTENT_FIELDS) if _SPECIAL.get(name) == "time")
_UUIDS = tuple(i for i, name in enumerate(CONTENT_FIELDS) if _SPECIAL.get(name) == "uuid")
_FIELDS = len(CONTENT_FIELDS)
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True)
"""What ``baken.audit.log.content`` encodes with (``json.dumps`` with these options)."""
LINE_COLUMNS = (*(f"event__{name}" for name in CONTENT_FIELDS), "event__mac")
"""A leaf's line, read beside it with ``values_list`` (no model instance per line)."""


_ORDER = sorted(range(_FIELDS), key=lambda i: CONTENT_FIELDS[i])
"""The content fields' places in :data:`CONTENT_FIELDS`, in the sorted order of their names."""
_KEYS = tuple(
    ("{" if n == 0 else ",") + encode_basestring_ascii(CONTENT_FIELDS[i]) + ":"
    for n, i in enumerate(_ORDER)
)


def _line_content(values: Sequence[Any]) -> bytes:
    """:func:`baken.audit.log.content` of a line's :data:`CONTENT_FIELDS` values in that
    order (more values after them are left out), as ``values_list`` gives them: the same
    bytes, without a model instance per line. Strings, whole numbers, booleans and None are
    written as ``json`` writes them (sorted keys, compact, ASCII); any other value goes
    through ``json`` itself."""
    plain = list(values[:_FIELDS])
    for i in _TIMES:
        moment: datetime = plain[i]
        plain[i] = moment.astimezone(UTC).isoformat()
    for i in _UUIDS:
        if plain[i] is not None:
            plain[i] = str(plain[i])
    parts = []
    for key, i in zip(_KEYS, _ORDER, strict=True):
        value = plain[i]
        kind = type(value)
        if kind is str:
            parts.append(key + encode_basestring_ascii(value))
        elif kind is bool:
            parts.append(key + ("true" if value else "false"))
        elif kind is int:
            parts.append(key + int.__repr__(value))
        elif value is None:
            parts.append(key + "null")
        else:
            return _ENCODER.encode(dict(zip(CONTENT_FIELDS, plain, strict=True))).encode("ascii")
    parts.append("}")
    return "".join(parts).encode("ascii")


class _Stream:
    """The walk over the leaves: the rebuilt tree and the problems found so far.

    One tree is enough: a line's leaf made again from its content is compared with its
    stored leaf, and the tree is built from the stored one either way (a changed line is
    named; the tree then shows whether its stored leaf is what was signed)."""

    def __init__(
        self,
        report: Report,
        line_key: bytes | None,
        verifier: keys.Verifier,
        directory: Path | None,
        files: Sequence[Path],
    ) -> None:
        self.report = report
        self.line_key = line_key
        self.tree = merkle.CompactRange()
        self.broken = False
        """A leaf is gone: the tree cannot be rebuilt past it (it is reported)."""
        self.interval_start = 0
        self.interval_problems = 0
        self.unsigned: list[int] = []
        """Leaf indexes whose MAC failed while their leaf matches their content (the first
        :data:`MAX_PROBLEMS` of an interval; :attr:`unsigned_more` counts the rest)."""
        self.unsigned_more = 0
        self.unknown_leaf = False
        """A changed line's leaf was made again too: its signed leaf is unknown, so the
        rebuilt tree cannot match a later checkpoint either (the line is named)."""
        self.checkpoints = _Checkpoints(verifier, directory, files, report, self.late)

    def problem(self, position: int | None, message: str) -> None:
        self.report.add(Problem(position, message))
        self.interval_problems += 1

    def mac_ok(self, line_content: bytes, mac: str) -> bool:
        return self.line_key is None or keys.line_mac(self.line_key, line_content) == mac

    def leaf(self, index: int, hash_text: str, line: Sequence[Any], expected: int) -> None:
        """Leaf ``index`` with its stored hash and its line's values (:data:`LINE_COLUMNS`,
        the uid None when the line is gone)."""
        if index != expected:
            self.gap(expected, index)
        try:
            stored = bytes.fromhex(hash_text)
        except ValueError:
            stored = b""
        if len(stored) != merkle.HASH_SIZE:
            self.problem(index + 1, "its leaf hash in the database is damaged")
            stored = merkle.leaf_hash(b"")
        if line[_UUIDS[0]] is None:  # the uid is never empty in a line that is there
            self.problem(index + 1, "missing")
        else:
            self.report.lines += 1
            mac: str = line[-1]
            line_content = _line_content(line)
            rebuilt = merkle.leaf_hash(
                LEAF_PREFIX + line_content + b"\n" + mac.encode("ascii", "replace")
            )
            if rebuilt != stored:
                self.problem(index + 1, "changed after it was written")
            elif not self.mac_ok(line_content, mac):
                if len(self.unsigned) < MAX_PROBLEMS:
                    self.unsigned.append(index)
                else:
                    self.unsigned_more += 1
        self.tree.append(stored)
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
        checkpoints = self.checkpoints
        if size < checkpoints.next_due:
            return
        for trusted in checkpoints.upto(size):
            if trusted.size > 0:
                self.boundary(trusted)

    def unsigned_problems(self, message: str) -> None:
        for index in self.unsigned:
            self.problem(index + 1, message)
        for _ in range(self.unsigned_more):
            self.problem(None, message)

    def boundary(self, trusted: Trusted) -> None:
        leaves_match = not self.broken and self.tree.root() == trusted.root
        unsigned = bool(self.unsigned) or self.unsigned_more > 0
        self.unsigned_problems(
            "not written by Baken (its MAC does not match)"
            if leaves_match
            else "changed after it was written"
        )
        if unsigned and not leaves_match:
            self.unknown_leaf = True
        if (
            not self.broken
            and not self.unknown_leaf
            and not leaves_match
            and not self.interval_problems
        ):
            self.problem(
                None,
                f"lines {self.interval_start + 1} to {trusted.size} do not match checkpoint "
                f"{trusted.label}: a line was removed, inserted or moved",
            )
        self.unsigned = []
        self.unsigned_more = 0
        self.interval_start = trusted.size
        self.interval_problems = 0

    def late(self, trusted: Trusted) -> None:
        """A signed checkpoint found only after the walk passed its size (its file was
        renamed, or the database row's size changed): the stored tree must give its root."""
        try:
            with transaction.atomic():
                root = merkle.root_from(trusted.size, stored_subtree)
        except TreeError:
            self.problem(None, "the tree in the database is incomplete: a stored hash is missing")
            return
        if root != trusted.root:
            self.problem(
                None,
                f"the tree in the database ({trusted.size} lines) is not consistent with "
                f"checkpoint {trusted.label} ({trusted.size} lines)",
            )

    def end(self, size: int) -> None:
        self.unsigned_problems("not written by Baken (its MAC does not match)")
        self.unsigned = []
        self.unsigned_more = 0
        newest: Trusted | None = None
        for trusted in self.checkpoints.upto(None):
            if trusted.size > size:
                newest = trusted
            elif trusted.size == size and size > 0:
                self.boundary(trusted)  # a copy whose place did not say its size
        if newest is not None:
            if size == 0 and self.report.lines == 0:
                self.problem(None, "every line is missing")
            else:
                self.problem(
                    None,
                    f"the log ends at line {size} but checkpoint {newest.label} covers "
                    f"{newest.size} lines: the newest lines were removed",
                )


def _consistency(stream: _Stream, size: int, newest: Trusted | None) -> None:
    """The database's tree of ``size`` leaves extends the newest trusted checkpoint."""
    if stream.broken or newest is None or newest.size > size:
        return
    first = stream.report.first_position
    if first is not None and first <= newest.size:
        return  # the lines already named explain it
    try:
        with transaction.atomic():
            root = merkle.root_from(size, stored_subtree)
            proof = merkle.consistency_proof(newest.size, size, stored_subtree)
    except TreeError:
        stream.problem(None, "the tree in the database is incomplete: a stored hash is missing")
        return
    if root != stream.tree.root():
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
    for uid in doubled.values_list("uid", flat=True)[:MAX_PROBLEMS]:
        rows = list(
            AccessEvent.objects.filter(uid=uid).order_by("pk").values_list("pk", "leaf__index")
        )
        first = rows[0][1]
        for _, index in rows[1:]:
            original = "an earlier line" if first is None else f"line {first + 1}"
            position = None if index is None else index + 1
            report.add(Problem(position, f"a copy of {original}"))


def verify(
    files: Sequence[Path] = (),
    *,
    public_key: str = "",
    use_directory: bool = True,
) -> Report:
    """Check the access log against every trusted checkpoint; the report names every
    problem (the first :data:`MAX_PROBLEMS`, and counts them all). :class:`VerifyInputError`
    for an unreadable or untrusted checkpoint file."""
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
    stream = _Stream(report, line_key, verifier, directory, files)
    expected = 0
    leaves = LogLeaf.objects.order_by("index").values_list("index", "hash", *LINE_COLUMNS)
    for row in leaves.iterator(chunk_size=CHUNK):
        stream.leaf(row[0], row[1], row[2:], expected)
        expected = row[0] + 1
    stream.end(expected)
    _consistency(stream, expected, report.newest)
    pending = AccessEvent.objects.filter(leaf__isnull=True).order_by("pk")
    for line in pending.values_list(*CONTENT_FIELDS, "mac").iterator(chunk_size=CHUNK):
        report.pending += 1
        report.lines += 1
        if not stream.mac_ok(_line_content(line), line[-1]):
            report.add(
                Problem(
                    expected + report.pending,
                    "not written by Baken (its MAC does not match; not yet in the tree)",
                )
            )
    _copies(report)
    report.seconds = time.perf_counter() - started
    return report
