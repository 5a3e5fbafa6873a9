"""Checkpoints outside the database: the signed note's format (C2SP tlog-checkpoint and
signed-note), the append-only folder, the witness (C2SP tlog-witness add-checkpoint,
a real HTTP server on 127.0.0.1), the worker's periodic checkpoint, the key command and
the migration of the old hash chain's lines into the tree."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from baken.audit import keys, merkle
from baken.audit.chain import append
from baken.audit.log import make_checkpoint, verifier
from baken.audit.models import Checkpoint

pytestmark = pytest.mark.django_db


def write(count: int) -> None:
    for n in range(count):
        append(code="E", action="logged_in", purpose="authentication", user_id=n)


def test_a_checkpoint_is_a_signed_note_in_the_c2sp_format(checkpoint_dir: Path) -> None:
    """Origin, size and base64 root, a blank line, and '— <name> <base64(key hash ||
    Ed25519 signature)>' with the signed-note key hash; the file and the log hold it."""
    write(5)
    made = make_checkpoint()
    origin, size, root, blank, signature, end = made.note.split("\n")
    assert (origin, size, blank, end) == ("127.0.0.1:8000/access-log", "5", "", "")
    assert base64.b64decode(root) == made.root
    name, encoded = signature.removeprefix("\u2014 ").split(" ")
    raw = base64.b64decode(encoded)
    public = verifier().public
    expected_hash = hashlib.sha256(name.encode() + b"\n\x01" + public).digest()[:4]
    assert (name, raw[:4], len(raw)) == (origin, expected_hash, 68)
    assert verifier().verify(f"{origin}\n{size}\n{root}\n".encode(), raw[4:])
    assert (checkpoint_dir / "checkpoint-000000000005").read_text() == made.note
    assert (checkpoint_dir / "checkpoints.log").read_text() == made.note + "\n"
    assert str(verifier()).startswith(f"{origin}+{expected_hash.hex()}+")


def test_a_second_checkpoint_of_the_same_tree_writes_nothing_new(checkpoint_dir: Path) -> None:
    """Without new lines the checkpoint is the same: no second file, no second log entry."""
    write(2)
    first = make_checkpoint()
    again = make_checkpoint()
    assert (first.new, again.new, again.note) == (True, False, first.note)
    assert (checkpoint_dir / "checkpoints.log").read_text().count("\u2014 ") == 1
    assert Checkpoint.objects.count() == 1


def test_another_checkpoint_of_a_size_already_in_the_folder_is_a_conflict(
    checkpoint_dir: Path,
) -> None:
    """A file for that size with other content is never overwritten: the log forked."""
    from baken.audit.log import CheckpointConflict

    checkpoint_dir.mkdir(parents=True)
    (checkpoint_dir / "checkpoint-000000000003").write_text("another\n")
    write(3)
    with pytest.raises(CheckpointConflict):
        make_checkpoint()
    assert (checkpoint_dir / "checkpoint-000000000003").read_text() == "another\n"


class Witness(BaseHTTPRequestHandler):
    """A tiny C2SP tlog-witness: add-checkpoint checks the signature and the consistency
    proof from the size it holds, then cosigns (here: answers 'ok <size>')."""

    state: dict[str, Any]

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        head, _, note = body.partition("\n\n")
        old_line, *proof_lines = head.split("\n")
        old = int(old_line.removeprefix("old "))
        state = self.state
        state["requests"].append((self.path, old, len(proof_lines)))
        if state["fail"]:
            self._answer(500, "down")
            return
        checkpoint = keys.open_note(note, state["verifier"])
        if old != state["size"]:
            self._answer(409, str(state["size"]), "text/x.tlog.size")
            return
        proof = [base64.b64decode(line) for line in proof_lines]
        if not merkle.verify_consistency(
            old, checkpoint.size, state["root"], checkpoint.root, proof
        ):
            self._answer(422, "inconsistent")
            return
        state["size"], state["root"] = checkpoint.size, checkpoint.root
        state["proofs_checked"] += 1
        self._answer(200, f"\u2014 witness ok {checkpoint.size}\n")

    def _answer(self, status: int, text: str, kind: str = "text/plain") -> None:
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture
def witness(settings: Any) -> Iterator[dict[str, Any]]:
    state: dict[str, Any] = {
        "verifier": verifier(),
        "size": 0,
        "root": merkle.EMPTY_ROOT,
        "fail": False,
        "requests": [],
        "proofs_checked": 0,
    }
    handler = type("TestWitness", (Witness,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.BAKEN_AUDIT_WITNESS_URL = f"http://127.0.0.1:{server.server_port}/baken"
    yield state
    server.shutdown()
    server.server_close()


def test_the_witness_gets_each_checkpoint_with_a_consistency_proof_it_verifies(
    witness: dict[str, Any], checkpoint_dir: Path
) -> None:
    """Checkpoints of 5, 12 and 31 lines reach the witness's add-checkpoint with 'old'
    sizes 0, 5 and 12 and proofs it verifies; its cosignature is kept beside them."""
    for count in (5, 7, 19):
        write(count)
        made = make_checkpoint()
        assert made.witness == f"the witness cosigned {made.size} lines"
    assert [(path, old) for path, old, _ in witness["requests"]] == [
        ("/baken/add-checkpoint", 0),
        ("/baken/add-checkpoint", 5),
        ("/baken/add-checkpoint", 12),
    ]
    assert (witness["proofs_checked"], witness["size"]) == (3, 31)
    assert all(n > 0 for _, old, n in witness["requests"] if old)
    assert (checkpoint_dir / "witness-000000000031").read_text() == "\u2014 witness ok 31\n"


def test_a_failed_witness_is_logged_and_tried_again_at_the_next_checkpoint(
    witness: dict[str, Any], checkpoint_dir: Path
) -> None:
    """A witness answering 500 does not stop the checkpoint; the next one sends from the
    size the witness last took. A witness that knows another size (409) is followed."""
    write(4)
    make_checkpoint()
    witness["fail"] = True
    write(4)
    failed = make_checkpoint()
    assert (failed.new, failed.witness) == (True, "the witness refused it (500)")
    assert (checkpoint_dir / "checkpoint-000000000008").exists()
    witness["fail"] = False
    write(1)
    assert make_checkpoint().witness == "the witness cosigned 9 lines"
    assert [old for _, old, _ in witness["requests"]] == [0, 4, 4]
    (checkpoint_dir / "witness-size").write_text("0\n")
    write(1)
    assert make_checkpoint().witness == "the witness cosigned 10 lines"
    assert [old for _, old, _ in witness["requests"]][-2:] == [0, 9]


@pytest.mark.django_db(transaction=True)
def test_the_worker_makes_a_checkpoint(checkpoint_dir: Path) -> None:
    """One round of the worker integrates the new lines and writes a checkpoint."""
    from baken.notifications import worker

    write(3)
    worker.run(interval=60, once=True, say=lambda text: None)
    assert (checkpoint_dir / "checkpoint-000000000003").exists()


def test_the_key_command_prints_a_key_and_its_verifier(baken: Any, tmp_path: Path) -> None:
    """`baken audit key` prints a signing key and the matching verifier key, with no
    database and no settings (it works before a production install first starts)."""
    result = baken(
        "audit", "key", env={"BAKEN_ENV": "production", "BAKEN_BASE_URL": "https://b.example.nl"}
    )
    assert result.code == 0, result.stderr
    seed_line, public_line = result.stdout.splitlines()
    seed = keys.parse_seed(seed_line.removeprefix("BAKEN_AUDIT_SIGNING_KEY="))
    public = public_line.removeprefix("BAKEN_AUDIT_PUBLIC_KEY=")
    assert str(keys.Signer("b.example.nl/access-log", seed).verifier) == public


def test_production_refuses_to_start_without_a_signing_key(baken: Any, tmp_path: Path) -> None:
    """BAKEN_ENV=production without BAKEN_AUDIT_SIGNING_KEY stops with one line."""
    result = baken(
        "audit",
        "verify",
        env={
            "BAKEN_ENV": "production",
            "SECRET_KEY": "x" * 50,
            "BAKEN_VAR_DIR": str(tmp_path),
            "BAKEN_ENCRYPTION_KEYS": base64.b64encode(b"k" * 32).decode(),
            "BAKEN_AUDIT_SIGNING_KEY": "",
            "BAKEN_AUDIT_SIGNING_KEY_FILE": "",
        },
    )
    assert result.code == 2
    assert "BAKEN_ENV=production needs the access log's signing key" in result.stderr


def test_the_old_hash_chain_moves_into_the_tree_in_its_order(migrator: Any) -> None:
    """Lines of the old hash chain (audit 0008) get a uid and a MAC and become leaves in
    their old position order; the log then verifies, and a checkpoint covers them."""
    old = migrator.before(("audit", "0008_authentication_and_refused_reads"))
    from baken.audit.legacy import GENESIS, line_hash

    event = old.get_model("audit", "AccessEvent")
    head = old.get_model("audit", "ChainHead")
    previous = GENESIS
    from django.utils import timezone

    at = timezone.now().replace(microsecond=0)
    for position in (1, 2, 3):
        values = {
            "position": position,
            "at": at,
            "user_id": position,
            "role": "professional",
            "organisation_id": None,
            "responsible_organisation_id": None,
            "dossier_id": None,
            "entry_sequence": None,
            "code": "R",
            "action": "view",
            "purpose": "care",
            "authorised": True,
            "case_team": False,
            "consent": "not_applicable",
            "break_glass": False,
            "detail": "",
            "previous_hash": previous,
        }
        previous = line_hash(values)
        event.objects.create(**values, hash=previous)
    head.objects.create(pk=1, position=3, hash=previous)
    new = migrator.after()
    leaves = new.get_model("audit", "LogLeaf").objects.order_by("index")
    users = [
        new.get_model("audit", "AccessEvent").objects.get(pk=leaf.event_id).user_id
        for leaf in leaves
    ]
    assert users == [1, 2, 3]
    from baken.audit.verify import verify

    make_checkpoint()
    assert verify().problems == []


@pytest.fixture
def migrator(transactional_db: None) -> Iterator[Any]:
    """Migrate the test database back to a state, then forward to the newest again."""
    from django.db.migrations.executor import MigrationExecutor

    class Migrator:
        def before(self, target: tuple[str, str]) -> Any:
            executor = MigrationExecutor(connection)
            executor.migrate([target])
            return MigrationExecutor(connection).loader.project_state([target]).apps

        def after(self) -> Any:
            executor = MigrationExecutor(connection)
            executor.loader.build_graph()
            leaves = executor.loader.graph.leaf_nodes()
            executor.migrate(leaves)
            return MigrationExecutor(connection).loader.project_state(leaves).apps

    yield Migrator()
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@settings(max_examples=200, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32))
def test_every_public_key_line_reads_back_as_the_same_key(seed: bytes) -> None:
    """The public key line `baken audit public-key` prints, <name>+<hex>+<base64>, parses
    back to the same key for every seed, also when the base64 holds a '+'."""
    public = keys.Signer("baken.example.nl/access-log", seed).verifier
    assert keys.Verifier.parse(str(public)) == public
