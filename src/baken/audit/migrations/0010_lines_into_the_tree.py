"""The access log becomes a transparency log, step 2: the lines written before it move into
the tree, in their old order (position 1, 2, 3 ...), each given a uid and its MAC now.

The old hash chain is checked once more first, as ``baken audit verify`` checked it. A
broken chain stops the migration: a MAC made now would vouch for a line that was already
changed. ``BAKEN_AUDIT_ACCEPT_BROKEN_CHAIN=1`` moves the lines in all the same, for an
operator who has seen and recorded the broken lines (docs/transparency-log.md).

Writing the uid and MAC into existing lines is maintenance on an append-only table: on
PostgreSQL the transaction sets ``baken.maintenance`` (baken.guards), on SQLite the guard
is dropped and made again in this migration's transaction.
"""

import os
import uuid
from typing import Any

from django.db import migrations

from baken import guards

TABLE = "audit_accessevent"
CHUNK = 1000


def _chain_problem(lines: Any, head: Any) -> str | None:
    from baken.audit.legacy import GENESIS, HASHED_FIELDS, line_hash

    previous, expected = GENESIS, 1
    for line in lines:
        values = {name: getattr(line, name) for name in HASHED_FIELDS}
        if line.position != expected:
            return f"line {expected}: missing or out of order"
        if line.previous_hash != previous or line_hash(values) != line.hash:
            return f"line {line.position}: changed after it was written"
        previous, expected = line.hash, expected + 1
    if head is not None and head.position != expected - 1:
        return "the newest lines are missing (the log was cut short)"
    return None


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    from baken.audit import keys, merkle
    from baken.audit.log import content, leaf_data, line_key

    event_model = apps.get_model("audit", "AccessEvent")
    head_model = apps.get_model("audit", "ChainHead")
    leaf_model = apps.get_model("audit", "LogLeaf")
    node_model = apps.get_model("audit", "LogNode")
    lines = event_model.objects.order_by("position")
    if not lines.exists():
        return
    problem = _chain_problem(lines.iterator(chunk_size=CHUNK), head_model.objects.first())
    if problem and os.environ.get("BAKEN_AUDIT_ACCEPT_BROKEN_CHAIN", "") != "1":
        raise RuntimeError(
            f"the access log's hash chain is broken ({problem}): its lines are not moved into "
            "the transparency log. See docs/transparency-log.md, 'Upgrading from the hash "
            "chain'; BAKEN_AUDIT_ACCEPT_BROKEN_CHAIN=1 moves them in all the same"
        )
    key = line_key()
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            guards.maintenance_on(cursor)
        else:
            cursor.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update")
    nodes = []
    tree = merkle.CompactRange(
        on_node=lambda level, index, h: nodes.append(
            node_model(level=level, index=index, hash=h.hex())
        )
    )
    leaves: list[Any] = []
    updates: list[tuple[Any, str, int]] = []

    def flush() -> None:
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {TABLE} SET uid = %s, mac = %s WHERE id = %s", updates)  # noqa: S608
        leaf_model.objects.bulk_create(leaves)
        node_model.objects.bulk_create(nodes)
        leaves.clear()
        updates.clear()
        nodes.clear()

    for line in lines.iterator(chunk_size=CHUNK):
        line.uid = uuid.uuid4()
        line_content = content({**vars(line)})
        line.mac = keys.line_mac(key, line_content)
        leaf = merkle.leaf_hash(leaf_data(line_content, line.mac))
        updates.append(
            (line.uid.hex if connection.vendor == "sqlite" else line.uid, line.mac, line.pk)
        )
        leaves.append(leaf_model(index=tree.size, event_id=line.pk, hash=leaf.hex()))
        tree.append(leaf)
        if len(leaves) >= CHUNK:
            flush()
    flush()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            guards.maintenance_off(cursor)
        else:
            guards.install(schema_editor, TABLE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0009_transparency_log")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
