"""Benchmark: what encryption at rest costs per value (ADR 10).

Reports, in microseconds per value (median and best of repeated batches):

- ``encrypt`` and ``decrypt`` with the associated data bound to table, column and row
  (format ``enc2``), for a short label and for a typical entry (about 600 bytes of JSON);
- the same for the old unbound format (``enc1``), to show what the binding adds;
- reading an encrypted attribute of a model instance: the descriptor, the row identity
  (primary key, or dossier and sequence for an entry) and the decryption, with the
  instance made beforehand (no database: the row as ``from_db`` would give it);
- a wrong row: the cost of the failure (a DecryptionError).

Figures only; nothing here asserts a time.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable

VAR = tempfile.mkdtemp(prefix="baken-bench-")
os.environ["BAKEN_VAR_DIR"] = VAR
os.environ["DATABASE_URL"] = f"sqlite:///{VAR}/bench.sqlite3"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baken.conf.settings")
os.environ.setdefault("BAKEN_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from baken.crypto import Binding, DecryptionError  # noqa: E402
from baken.crypto.fields import Sealed, keyring  # noqa: E402
from baken.dossiers.models import Dossier, Entry  # noqa: E402

LABEL = "Casus Proefstad 12"
ENTRY = json.dumps(
    {
        "nature": "fact",
        "observed_on": "2026-11-20",
        "source": "mentor",
        "description": "Verblijft bij een oom in Proefstad; telefoon afgepakt. " * 9,
    },
    ensure_ascii=False,
    sort_keys=True,
)
BATCH = 2000


def measure(label: str, action: Callable[[], object], batches: int = 15) -> None:
    """Median and best of ``batches`` runs of ``BATCH`` calls, per call in µs."""
    times = []
    for _ in range(batches):
        start = time.perf_counter()
        for _ in range(BATCH):
            action()
        times.append((time.perf_counter() - start) / BATCH)
    median, best = statistics.median(times) * 1e6, min(times) * 1e6
    print(f"{label:<58} median {median:7.2f} µs   best {best:7.2f} µs")


def main() -> None:
    ring = keyring()
    dossier_id = uuid.uuid4()
    label_at = Binding("dossiers_dossier", "label", str(dossier_id))
    entry_at = Binding("dossiers_entry", "data", f"{dossier_id}/17")
    wrong = Binding("dossiers_dossier", "label", str(uuid.uuid4()))
    print(f"Python {sys.version.split()[0]}; label {len(LABEL)} bytes, entry {len(ENTRY)} bytes")
    label_token, entry_token = ring.encrypt(LABEL, label_at), ring.encrypt(ENTRY, entry_at)
    old_label, old_entry = ring.encrypt_unbound(LABEL), ring.encrypt_unbound(ENTRY)
    measure("encrypt label, bound (enc2)", lambda: ring.encrypt(LABEL, label_at))
    measure("decrypt label, bound (enc2)", lambda: ring.decrypt(label_token, label_at))
    measure("decrypt label, unbound (enc1, before ADR 10)", lambda: ring.decrypt_unbound(old_label))
    measure("encrypt entry, bound (enc2)", lambda: ring.encrypt(ENTRY, entry_at))
    measure("decrypt entry, bound (enc2)", lambda: ring.decrypt(entry_token, entry_at))
    measure("decrypt entry, unbound (enc1, before ADR 10)", lambda: ring.decrypt_unbound(old_entry))

    def wrong_row() -> None:
        try:
            ring.decrypt(label_token, wrong)
        except DecryptionError:
            pass

    measure("decrypt label for the wrong row (DecryptionError)", wrong_row)

    dossiers = [Dossier(id=dossier_id, label=Sealed(label_token)) for _ in range(BATCH * 15)]
    entries = [
        Entry(dossier_id=dossier_id, sequence=17, data=Sealed(entry_token))
        for _ in range(BATCH * 15)
    ]
    next_dossier, next_entry = iter(dossiers), iter(entries)
    measure(
        "read Dossier.label (descriptor, pk identity, decrypt)", lambda: next(next_dossier).label
    )
    measure(
        "read Entry.data (descriptor, dossier/sequence, decrypt, JSON)",
        lambda: next(next_entry).data,
    )
    cached = Dossier(id=dossier_id, label=Sealed(label_token))
    _ = cached.label
    measure("read Dossier.label again (plaintext kept on the instance)", lambda: cached.label)


if __name__ == "__main__":
    main()
