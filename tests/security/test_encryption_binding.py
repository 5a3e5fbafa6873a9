"""Encryption bound to its row (issue 12 §2, ADR 10): a ciphertext moved into another row,
another column or another table fails loudly (an error naming table, column and key id, a
log line, Baken's own 500 page), never as that other row's value; paths without a model
instance cannot hand out or store ciphertext; the old unbound format is refused; the
migration binds old values; a wrong key configuration stops the start with one line."""

from __future__ import annotations

import base64
import importlib
import json
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.core.exceptions import FieldError
from django.db import connection, models, transaction
from django.test import Client
from django.test.utils import isolate_apps
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from baken.accounts.models import Organisation, OrganisationKind, Role, User
from baken.crypto import Binding, DecryptionError, Keyring
from baken.crypto.fields import EncryptedTextField, RowBindingError, keyring
from baken.crypto.rotate import encrypted_tables, rotate
from baken.dossiers import services
from baken.dossiers.break_glass import open_with_break_glass
from baken.dossiers.maintenance import append_only_lifted
from baken.dossiers.models import BreakGlassGrant, Dossier, Entry
from baken.dossiers.selectors import access_to
from tests.support import totp_code

MIGRATION = importlib.import_module("baken.dossiers.migrations.0011_bind_encryption_to_rows")
SECRET_TEXT = "Slaapt op de bank bij een kennis in Proefstad"
OBSERVATION = {
    "nature": "fact",
    "observed_on": "2026-11-20",
    "source": "mentor",
    "description": SECRET_TEXT,
}


def _sql(statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return list(cursor.fetchall()) if cursor.description else []


def _pk(value: Any) -> Any:
    """A UUID primary key as the database stores it (SQLite: 32 hex digits)."""
    return value.hex if connection.vendor == "sqlite" and hasattr(value, "hex") else value


def _stored(table: str, column: str, pk: Any) -> str:
    return str(_sql(f"SELECT {column} FROM {table} WHERE id = %s", [_pk(pk)])[0][0])  # noqa: S608


def _put(table: str, column: str, pk: Any, token: str) -> None:
    """Write a raw token into a row, as an attacker with SQL would (guards lifted)."""
    with append_only_lifted(table):
        _sql(f"UPDATE {table} SET {column} = %s WHERE id = %s", [token, _pk(pk)])  # noqa: S608


def _decryption_lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    """The ``decryption_failed`` lines: their event, code and ids (not the timestamp, nor
    the request context a previous request in this process may have left bound)."""
    return [
        {k: v for k, v in record.msg.items() if k in ("event", "code", "dossier_id")}
        for record in caplog.records
        if isinstance(record.msg, dict) and record.msg.get("event") == "decryption_failed"
    ]


@pytest.fixture
def two(open_dossier: Callable[..., Dossier], professional: User) -> tuple[Dossier, Dossier]:
    """Two dossiers of the same professional, each with one observation."""
    made = (open_dossier(label="Casus Eerste"), open_dossier(label="Casus Tweede"))
    for dossier in made:
        services.record(
            access_to(professional, dossier.pk), "observation", OBSERVATION, seen_sequence=0
        )
    return made


@pytest.fixture
def adviser(make_user: Callable[..., User]) -> User:
    """A Veilig Thuis adviser, who may open a dossier with break-glass access."""
    vt = Organisation.objects.create(name="Veilig Thuis Proef", kind=OrganisationKind.VEILIG_THUIS)
    return make_user("proef-vt", Role.VEILIG_THUIS_ADVISER, vt)


def _client(user: User) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="baken.web.auth.ModelBackend")
    return client


# A moved ciphertext fails loudly ------------------------------------------------------


def test_a_label_copied_into_another_dossier_does_not_decrypt_there(
    two: tuple[Dossier, Dossier], caplog: pytest.LogCaptureFixture
) -> None:
    """The first dossier's label ciphertext in the second dossier's row raises a
    DecryptionError naming table, column and key id (not the label), and logs one line
    with the same, ids only."""
    first, second = two
    _put("dossiers_dossier", "label", second.pk, _stored("dossiers_dossier", "label", first.pk))
    loaded = Dossier.objects.get(pk=second.pk)
    caplog.set_level(logging.ERROR, logger="baken.crypto")
    with pytest.raises(DecryptionError) as raised:
        _ = loaded.label
    message = str(raised.value)
    kid = keyring().primary_id
    assert (
        f"dossiers_dossier.label of row {second.pk}" in message,
        f"key {kid}" in message,
        "Eerste" in message or "enc2:" in message,
        _decryption_lines(caplog),
    ) == (
        True,
        True,
        False,
        [
            {
                "event": "decryption_failed",
                "code": f"dossiers_dossier.label:{kid}",
                "dossier_id": str(second.pk),
            }
        ],
    )


def test_the_page_of_a_dossier_with_a_moved_label_is_the_dutch_error_page(
    two: tuple[Dossier, Dossier], professional: User
) -> None:
    """The dossier page answers 500 with Baken's Dutch error page: neither the other
    dossier's label nor any ciphertext is shown."""
    first, second = two
    _put("dossiers_dossier", "label", second.pk, _stored("dossiers_dossier", "label", first.pk))
    response = _client(professional).get(reverse("dossiers:detail", args=[second.pk]))
    body = response.content.decode()
    assert (
        response.status_code,
        "Er ging iets mis" in body,
        "Eerste" in body,
        "enc2:" in body,
    ) == (
        500,
        True,
        False,
        False,
    )


def test_entry_data_copied_into_another_dossiers_entry_does_not_decrypt_there(
    two: tuple[Dossier, Dossier], professional: User
) -> None:
    """The entry table is append-only; with its guard lifted, the first dossier's entry data
    is copied into the second's entry: reading it raises, and the dossier page is the
    Dutch error page without the entry's text."""
    first, second = two
    source = Entry.objects.get(dossier=first)
    target = Entry.objects.get(dossier=second)
    _put("dossiers_entry", "data", target.pk, _stored("dossiers_entry", "data", source.pk))
    with pytest.raises(DecryptionError, match=rf"dossiers_entry\.data of row {second.pk}/1"):
        _ = Entry.objects.get(pk=target.pk).data
    response = _client(professional).get(reverse("dossiers:detail", args=[second.pk]))
    body = response.content.decode()
    assert (response.status_code, "Er ging iets mis" in body, "Proefstad" in body) == (
        500,
        True,
        False,
    )


def test_an_entry_moved_to_another_sequence_of_the_same_dossier_does_not_decrypt(
    open_dossier: Callable[..., Dossier], professional: User
) -> None:
    """Within one dossier, entry 1's data copied over entry 2's raises on reading entry 2."""
    dossier = open_dossier()
    for seen in (0, 1):
        services.record(
            access_to(professional, dossier.pk), "observation", OBSERVATION, seen_sequence=seen
        )
    one, two = Entry.objects.filter(dossier=dossier).order_by("sequence")
    _put("dossiers_entry", "data", two.pk, _stored("dossiers_entry", "data", one.pk))
    with pytest.raises(DecryptionError, match=rf"dossiers_entry\.data of row {dossier.pk}/2"):
        _ = Entry.objects.get(pk=two.pk).data


def test_a_value_moved_to_another_column_of_the_same_row_does_not_decrypt(
    open_dossier: Callable[..., Dossier],
) -> None:
    """The label's ciphertext written into the same dossier's date of birth raises."""
    dossier = open_dossier(birth_date=date(2010, 5, 17))
    _put(
        "dossiers_dossier",
        "birth_date",
        dossier.pk,
        _stored("dossiers_dossier", "label", dossier.pk),
    )
    with pytest.raises(DecryptionError, match=r"dossiers_dossier\.birth_date"):
        _ = Dossier.objects.get(pk=dossier.pk).birth_date


def test_a_value_in_the_old_unbound_format_is_refused(open_dossier: Callable[..., Dossier]) -> None:
    """An ``enc1`` token (what Baken wrote before migration dossiers 0011) does not read."""
    dossier = open_dossier()
    _put("dossiers_dossier", "label", dossier.pk, keyring().encrypt_unbound("Casus Oud"))
    with pytest.raises(DecryptionError, match="old unbound format enc1"):
        _ = Dossier.objects.get(pk=dossier.pk).label


def test_rotation_refuses_a_moved_value_instead_of_re_encrypting_it(
    two: tuple[Dossier, Dossier], settings: Any
) -> None:
    """`keys rotate` decrypts every value for its own row: a moved label makes it fail,
    and nothing is rewritten."""
    first, second = two
    _put("dossiers_dossier", "label", second.pk, _stored("dossiers_dossier", "label", first.pk))
    before = _stored("dossiers_dossier", "label", first.pk)
    settings.BAKEN_ENCRYPTION_KEYS = f"{Keyring.generate()},{settings.BAKEN_ENCRYPTION_KEYS}"
    with pytest.raises(DecryptionError, match=r"dossiers_dossier\.label"):
        rotate()
    assert _stored("dossiers_dossier", "label", first.pk) == before


# The two-factor secrets --------------------------------------------------------------


def test_a_totp_secret_is_stored_bound_to_its_authenticator_row(professional: User) -> None:
    """The stored TOTP secret opens for its own row's binding, for no other row's."""
    row = Authenticator.objects.get(user=professional, type="totp")
    token = _sql("SELECT data FROM mfa_authenticator WHERE id = %s", [row.pk])[0][0]
    secret = (json.loads(token) if isinstance(token, str) else token)["secret"]
    ring = keyring()
    own = Binding("mfa_authenticator", "data.secret", str(row.pk))
    other = Binding("mfa_authenticator", "data.secret", str(row.pk + 1000))
    assert ring.decrypt(secret, own) == professional.totp_secret  # type: ignore[attr-defined]
    with pytest.raises(DecryptionError):
        ring.decrypt(secret, other)


def test_a_totp_secret_copied_into_another_users_authenticator_does_not_decrypt(
    professional: User, colleague: User
) -> None:
    """The professional's TOTP secret copied into the colleague's row: checking a code of
    the colleague raises instead of accepting the professional's codes."""
    mine = Authenticator.objects.get(user=professional, type="totp")
    theirs = Authenticator.objects.get(user=colleague, type="totp")
    _sql(
        "UPDATE mfa_authenticator SET data = "
        "(SELECT data FROM mfa_authenticator WHERE id = %s) WHERE id = %s",
        [mine.pk, theirs.pk],
    )
    moved = Authenticator.objects.get(pk=theirs.pk).wrap()
    with pytest.raises(
        DecryptionError, match=rf"mfa_authenticator\.data\.secret of row {theirs.pk}"
    ):
        moved.validate_code(totp_code(professional.totp_secret))  # type: ignore[attr-defined]


def test_two_factor_still_works_through_allauth(professional: User) -> None:
    """A new authenticator row, re-read from the database, validates its code, and its
    recovery codes are generated from the sealed seed."""
    totp = Authenticator.objects.get(user=professional, type="totp").wrap()
    recovery = Authenticator.objects.get(user=professional, type="recovery_codes").wrap()
    assert (
        totp.validate_code(totp_code(professional.totp_secret)),
        len(recovery.get_unused_codes()),
    ) == (  # type: ignore[attr-defined]
        True,
        10,
    )


# Paths without an instance -----------------------------------------------------------


def test_values_of_an_encrypted_field_are_refused(two: tuple[Dossier, Dossier]) -> None:
    """values() and values_list() of an encrypted field, also through a relation, raise
    instead of handing out ciphertext; other columns still work."""
    refused = []
    for query in (
        lambda: list(Dossier.objects.values_list("label", flat=True)),
        lambda: list(Dossier.objects.values()),
        lambda: list(Entry.objects.values("data")),
        lambda: list(Entry.objects.values_list("dossier__label")),
    ):
        with pytest.raises(RowBindingError):
            query()
        refused.append(True)
    assert (refused, sorted(Dossier.objects.values_list("last_sequence", flat=True))) == (
        [True] * 4,
        [1, 1],
    )


def test_writing_an_encrypted_field_through_a_query_is_refused(
    two: tuple[Dossier, Dossier],
) -> None:
    """update() and bulk_update() of an encrypted field raise (a query cannot bind a value
    to each row); the stored label is unchanged."""
    first, _ = two
    before = _stored("dossiers_dossier", "label", first.pk)
    with pytest.raises(FieldError), transaction.atomic():
        Dossier.objects.filter(pk=first.pk).update(label="Casus Anders")
    first.label = "Casus Anders"
    with pytest.raises(FieldError), transaction.atomic():
        Dossier.objects.bulk_update([first], ["label"])
    assert _stored("dossiers_dossier", "label", first.pk) == before


def test_bulk_create_refresh_select_related_and_deferred_loading_work(
    two: tuple[Dossier, Dossier], professional: User
) -> None:
    """bulk_create binds each row's values; refresh_from_db, select_related, only() and a
    deferred field all read the plaintext."""
    first, _ = two
    copies = Dossier.objects.bulk_create(
        [
            Dossier(
                organisation=first.organisation,
                label=f"Casus Bulk {n}",
                birth_date=date(2011, 1, n),
                protocol_id=first.protocol_id,
                protocol_version=first.protocol_version,
                reporter=first.reporter,
                opened_by=professional,
                opened_at=first.opened_at,
            )
            for n in (1, 2)
        ]
    )
    bulk = sorted(
        (d.label, d.birth_date) for d in Dossier.objects.filter(pk__in=[c.pk for c in copies])
    )
    first.label = "niet opgeslagen"
    first.refresh_from_db()
    entry = Entry.objects.select_related("dossier").get(dossier=first)
    deferred = Entry.objects.only("kind").get(pk=entry.pk)
    assert (
        bulk,
        first.label,
        entry.dossier.label,
        deferred.data["description"],
        Dossier.objects.only("label").get(pk=first.pk).label,
    ) == (
        [("Casus Bulk 1", date(2011, 1, 1)), ("Casus Bulk 2", date(2011, 1, 2))],
        "Casus Eerste",
        "Casus Eerste",
        SECRET_TEXT,
        "Casus Eerste",
    )


def test_a_break_glass_reason_is_bound_to_the_grants_uid(
    adviser: User, open_dossier: Callable[..., Dossier]
) -> None:
    """The grant's primary key is assigned at the INSERT, so its reason is bound to its uid
    column; another grant's reason copied into it does not decrypt."""
    one = open_with_break_glass(adviser, open_dossier().pk, "Acute zorg, niemand bereikbaar")
    other = open_with_break_glass(adviser, open_dossier().pk, "Tweede reden voor toegang")
    token = _stored("dossiers_breakglassgrant", "reason", one.pk)
    bound = Binding("dossiers_breakglassgrant", "reason", str(one.uid))
    _put("dossiers_breakglassgrant", "reason", other.pk, token)
    with pytest.raises(DecryptionError, match=r"dossiers_breakglassgrant\.reason"):
        _ = BreakGlassGrant.objects.get(pk=other.pk).reason
    assert keyring().decrypt(token, bound) == "Acute zorg, niemand bereikbaar"


# The models and the migration ----------------------------------------------------------


def test_every_encrypted_model_has_a_row_identity_known_before_the_insert() -> None:
    """No model's encrypted field fails the row-identity check (baken.E010)."""
    errors = [
        error.id
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
        for error in field.check()
    ]
    assert errors == []


@isolate_apps("baken.dossiers")
def test_an_encrypted_field_on_a_database_assigned_key_fails_the_check() -> None:
    """A model whose key the database assigns and that names no identity is refused."""

    class Note(models.Model):
        text = EncryptedTextField()

        class Meta:
            app_label = "dossiers"

        def __str__(self) -> str:
            return "note"

    assert [error.id for error in Note._meta.get_field("text").check()] == ["baken.E010"]


def test_the_migration_lists_every_encrypted_table_the_models_have() -> None:
    """Migration 0011's frozen list is what the models have now: the same tables, columns
    and row-identity columns (so no encrypted value was left unbound)."""
    from_models = {
        found.table: (tuple(f.column for f in found.identity), found.columns)
        for found in encrypted_tables()
    }
    frozen = {
        table: (tuple(column for column, _kind in ids), columns)
        for table, (ids, columns) in MIGRATION.ENCRYPTED.items()
    }
    assert frozen == from_models


def test_the_migration_binds_old_values_and_unbinds_backwards(
    two: tuple[Dossier, Dossier], professional: User, adviser: User
) -> None:
    """Backwards, migration 0011 writes every value in the old format (then nothing reads);
    forwards, it binds them again: labels, entries, a break-glass reason and the two-factor
    secrets read and work as before."""
    first, second = two
    grant = open_with_break_glass(adviser, first.pk, "Reden voor noodtoegang")
    # The migration's functions as migrate runs them (the test's transaction is the
    # migration's; SQLite's editor is not entered inside a transaction, and need not be).
    editor = connection.schema_editor()
    MIGRATION.unbind(apps, editor)
    old = _stored("dossiers_dossier", "label", first.pk)
    with pytest.raises(DecryptionError, match="old unbound format"):
        _ = Dossier.objects.get(pk=first.pk).label
    MIGRATION.bind(apps, editor)
    totp = Authenticator.objects.get(user=professional, type="totp").wrap()
    assert (
        old.startswith("enc1:"),
        _stored("dossiers_dossier", "label", first.pk).startswith("enc2:"),
        Dossier.objects.get(pk=second.pk).label,
        Entry.objects.get(dossier=first).data["description"],
        BreakGlassGrant.objects.get(pk=grant.pk).reason,
        totp.validate_code(totp_code(professional.totp_secret)),  # type: ignore[attr-defined]
    ) == (True, True, "Casus Tweede", SECRET_TEXT, "Reden voor noodtoegang", True)


# Property: bound to exactly one place -------------------------------------------------

NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,20}", fullmatch=True)
ROWS = st.one_of(
    st.uuids().map(str),
    st.integers(min_value=1, max_value=2**63).map(str),
    st.tuples(st.uuids(), st.integers(min_value=1, max_value=10**6)).map(
        lambda t: f"{t[0]}/{t[1]}"
    ),
)
RING = Keyring((b"\x07" * 32,))


@hypothesis_settings(max_examples=300, deadline=None)
@given(
    text=st.text(max_size=500),
    here=st.tuples(NAMES, NAMES, ROWS),
    there=st.tuples(NAMES, NAMES, ROWS),
)
def test_a_value_opens_for_its_own_place_only(
    text: str, here: tuple[str, str, str], there: tuple[str, str, str]
) -> None:
    """Any text bound to any table, column and row comes back exactly there; bound to any
    other table, column or row it raises DecryptionError."""
    token = RING.encrypt(text, Binding(*here))
    assert RING.decrypt(token, Binding(*here)) == text
    if there != here:
        with pytest.raises(DecryptionError):
            RING.decrypt(token, Binding(*there))


# The key configuration at start ------------------------------------------------------


@pytest.mark.parametrize(
    ("keys", "problem"),
    [
        (base64.b64encode(b"s" * 16).decode(), "encryption key 1 is 16 bytes, not 32"),
        ("niet-base64!", "encryption key 1 is not valid base64"),
        (
            f"{base64.b64encode(b'k' * 32).decode()},{base64.b64encode(b'x' * 31).decode()}",
            "encryption key 2 is 31 bytes, not 32",
        ),
        (",", "no encryption key configured"),
    ],
)
def test_a_wrong_key_stops_the_start_with_one_line(
    baken: Callable[..., Any], tmp_path: Path, keys: str, problem: str
) -> None:
    """`baken migrate` (which ran migration 0005 and gave a traceback) exits 2 with exactly
    one line on stderr naming the problem, never the key."""
    env = {"BAKEN_VAR_DIR": str(tmp_path), "BAKEN_ENV": "development", "DATABASE_URL": ""}
    result = baken("migrate", env={**env, "BAKEN_ENCRYPTION_KEYS": keys})
    assert (result.code, result.stderr.splitlines()) == (
        2,
        [f"baken: error: configuration: BAKEN_ENCRYPTION_KEYS: {problem}"],
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            base64.b64encode(b"s" * 16).decode(),
            "BAKEN_ENCRYPTION_KEYS_FILE: encryption key 1 is 16 bytes, not 32",
        ),
        ("@@@@", "BAKEN_ENCRYPTION_KEYS_FILE: encryption key 1 is not valid base64"),
        ("", "BAKEN_ENCRYPTION_KEYS_FILE {file} is empty"),
    ],
)
def test_a_wrong_key_file_stops_the_start_with_one_line(
    baken: Callable[..., Any], tmp_path: Path, content: str, problem: str
) -> None:
    """A key file with a short key, bad base64 or nothing in it: `baken purge --dry-run`
    exits 2 with one stderr line, no traceback."""
    key_file = tmp_path / "keys"
    key_file.write_text(content + "\n", encoding="utf-8")
    env = {
        "BAKEN_VAR_DIR": str(tmp_path),
        "BAKEN_ENV": "development",
        "DATABASE_URL": "",
        "BAKEN_ENCRYPTION_KEYS": "",
        "BAKEN_ENCRYPTION_KEYS_FILE": str(key_file),
    }
    result = baken("purge", "--dry-run", env=env)
    assert (result.code, result.stderr.splitlines()) == (
        2,
        [f"baken: error: configuration: {problem.format(file=key_file)}"],
    )
