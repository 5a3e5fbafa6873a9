"""Fill a PostgreSQL database of its own with N synthetic dossiers, for the page benchmark.

    .venv/bin/python bench/generate.py 1k          # database baken_bench_1k, 1,000 dossiers
    .venv/bin/python bench/generate.py 10k --jobs 2
    .venv/bin/python bench/generate.py 1000000 --name baken_bench_1m --verify

The database is dropped and created again on the shared server (``BAKEN_BENCH_POSTGRES``,
default ``postgres://postgres@127.0.0.1:5432``), migrated with Baken's migrations, and
filled in bulk with ``COPY`` (psycopg 3's ``cursor.copy``), never through the services one
by one. Everything is synthetic: organisations "Proeforganisatie 17", users ``bench-u123``,
dossiers "Casus Reiger 4711".

What is made, in realistic proportions:

- about 300 organisations (Veilig Thuis, the zorgcoördinatie, the Veiligheidshuis and the
  municipality linked as chain partners; wijkteams, schools, youth care, GP practices,
  shelters and volunteer organisations, long-tailed in size), an administrator, and users
  (professionals, one aandachtsfunctionaris per organisation, volunteers, Veilig Thuis
  advisers), each with a TOTP authenticator bound to its row;
- dossiers with 3 to 500 entries (a Pareto tail: most have 3 to 8), at every step of the
  protocol, some with acute danger, some closed with the case evaluation; case teams (the
  opener, sometimes a colleague); advice requests to Veilig Thuis (chain shares with their
  snapshot, pending or answered); a few break-glass grants;
- about 20 access-log lines per dossier (opened, one per entry, views, the list, "Wie keek
  er", break-glass), each with its MAC, its leaf and the tree's nodes, and one signed
  checkpoint at the end, so ``baken audit verify`` passes on the database.

Encrypted values are real ciphertext bound to their row: each is made with the keyring and
the row identity of ``baken.crypto.fields`` (``identity_fields``, ``row_identity``, the
field's ``to_plaintext``), exactly what the model field's ``pre_save`` makes, so the pages
decrypt them. Each table's rows come from one small function (:class:`Table`) driven by the
model's ``_meta``: the column list is the model's concrete fields, and a column the
generator does not name gets the field's default, so a new column with a default (or a new
table) needs no change here, or one line. The exploitation-form columns (ADR 11) are filled
from ``baken.dossiers.models.FORM_COLUMNS``.

The work is spread over ``--jobs`` processes (2 by default, one per core), each writing
whole chunks of dossiers over its own connection. The MAC and leaf hash of an access-log line
do not depend on its place, so each process reserves a range of line ids, writes its lines
and leaves, and hands the leaf hashes to the main process, which builds the tree's nodes in
leaf order with :class:`baken.audit.merkle.CompactRange` while the others go on.

Benchmark accounts and dossiers (ids, logins, TOTP secrets, the password) are written to
``var/bench/<name>/bench.json``, the environment the server needs (keys, checkpoint folder,
database) to ``var/bench/<name>/env.json``; ``bench/bench_pages.py`` reads both:

- ``bench-50``: a professional with 50 dossiers, among them one with 10 entries and one with
  500 entries (both at step 5);
- ``bench-5000``: a professional with 5,000 dossiers (half the database when it is smaller);
- ``bench-vt``: a Veilig Thuis adviser, whose inbox holds every pending advice request;
- ``bench-admin``: the functioneel beheerder (the management pages).

Figures only; nothing here asserts a time.
"""

# ruff: noqa: S311 (synthetic data: the generator is seeded to be repeatable)
from __future__ import annotations

import argparse
import base64
import enum
import hashlib
import hmac
import json
import multiprocessing
import os
import random
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from uuid6 import uuid7

REPO = Path(__file__).resolve().parents[1]
SERVER = os.environ.get("BAKEN_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432")
PASSWORD = "bench-wachtwoord-2026"  # noqa: S105 (synthetic, written to bench.json on purpose)
BENCH_USERS = ("bench-admin", "bench-50", "bench-5000", "bench-vt")
"""The benchmark's accounts; every other user is ``bench-u<id>``."""
CHUNK = 1000
"""Dossiers per unit of work (one transaction of one process)."""
ORGANISATIONS = 300
NOW = datetime.now(UTC).replace(microsecond=0)
YEARS = 10
"""Dossiers are opened over the last ten years."""

# --- Environment ---------------------------------------------------------------------------


def parse_size(text: str) -> int:
    """``1k``, ``10k``, ``1m``, ``1000000``."""
    match = re.fullmatch(r"(\d+)([kKmM]?)", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a number of dossiers: {text!r}")
    return int(match[1]) * {"": 1, "k": 1000, "m": 1_000_000}[match[2].lower()]


def label_of(size: int) -> str:
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def bench_dir(name: str) -> Path:
    return REPO / "var" / "bench" / name


def make_env(name: str) -> dict[str, str]:
    """The environment of every Baken process on this database: its own keys (made once, kept
    in ``var/bench/<name>/``), its own checkpoint folder. Written to ``env.json``."""
    from baken.audit import keys
    from baken.crypto import Keyring

    folder = bench_dir(name)
    folder.mkdir(parents=True, exist_ok=True)

    def kept(file: str, make: Any) -> str:
        path = folder / file
        if not path.exists():
            path.write_text(make() + "\n", encoding="utf-8")
            path.chmod(0o600)
        return str(path)

    env = {
        "DATABASE_URL": f"{SERVER}/{name}",
        "BAKEN_VAR_DIR": str(folder),
        "BAKEN_ENCRYPTION_KEYS_FILE": kept("encryption_keys", Keyring.generate),
        "BAKEN_AUDIT_SIGNING_KEY_FILE": kept("audit_signing_key", keys.generate_seed),
        "BAKEN_AUDIT_CHECKPOINT_DIR": str(folder / "checkpoints"),
        "SECRET_KEY": Path(kept("secret_key", lambda: base64.b64encode(os.urandom(40)).decode()))
        .read_text(encoding="utf-8")
        .strip(),
        "BAKEN_LOG_LEVEL": "WARNING",
    }
    (folder / "env.json").write_text(json.dumps(env, indent=2) + "\n", encoding="utf-8")
    return env


def recreate_database(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]


# --- Rows from the models' _meta ------------------------------------------------------------


class Table:
    """COPY rows into one model's table, its columns taken from ``model._meta``.

    :meth:`row` takes values by attribute name (``organisation_id``, ``label``); a concrete
    field not given gets its default (``default``, else ``db_default``, ``now`` for an
    ``auto_now(_add)`` date); an encrypted field's plaintext is encrypted for the row's
    identity (ADR 10); a JSON field's value goes as ``jsonb``; a generated column is left to
    the database. With ``explicit_pk=False`` an
    auto-increment key is left to the database."""

    def __init__(self, model: Any, *, explicit_pk: bool = True) -> None:
        from django.db import models
        from django.db.models import NOT_PROVIDED
        from psycopg.types.json import Jsonb

        from baken.crypto import Binding
        from baken.crypto.fields import EncryptedTextField, identity_fields, keyring, row_identity

        self._jsonb, self._binding, self._row_identity = Jsonb, Binding, row_identity
        self.model = model
        meta = model._meta
        self.table = meta.db_table
        pk_auto = isinstance(meta.pk, models.AutoField)
        self.fields = [
            f
            for f in meta.concrete_fields
            if (explicit_pk or not (f.primary_key and pk_auto)) and not f.generated
        ]
        self.columns = [f.column for f in self.fields]
        self.encrypted = {f.attname for f in self.fields if isinstance(f, EncryptedTextField)}
        self.json = {
            f.attname
            for f in self.fields
            if isinstance(f, models.JSONField) and f.attname not in self.encrypted
        }
        self.identity = identity_fields(model) if self.encrypted else ()
        self.keyring = keyring()
        self.defaults: dict[str, Any] = {}
        for f in self.fields:
            if f.has_default():
                self.defaults[f.attname] = f.get_default
            elif getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                self.defaults[f.attname] = lambda: NOW
            elif f.db_default is not NOT_PROVIDED:
                value = getattr(f.db_default, "value", None)
                self.defaults[f.attname] = lambda value=value: value
            else:
                self.defaults[f.attname] = f.get_default  # None, or "" for text
        self.rows: list[tuple[Any, ...]] = []
        self.written = 0

    def row(self, **values: Any) -> None:
        unknown = set(values) - {f.attname for f in self.fields}
        if unknown:
            raise ValueError(f"{self.table} has no column for {sorted(unknown)}")
        full = {
            f.attname: values[f.attname] if f.attname in values else self.defaults[f.attname]()
            for f in self.fields
        }
        for name, value in full.items():
            if isinstance(value, enum.Enum):  # a TextChoices member: its value
                full[name] = value.value
        if self.encrypted:
            row = self._row_identity(self.identity, [full[f.attname] for f in self.identity])
            for f in self.fields:
                if f.attname in self.encrypted and full[f.attname] is not None:
                    full[f.attname] = self.keyring.encrypt(
                        f.to_plaintext(full[f.attname]), self._binding(self.table, f.column, row)
                    )
        for name in self.json:
            if full[name] is not None:
                full[name] = self._jsonb(full[name])
        self.rows.append(tuple(full[f.attname] for f in self.fields))

    def flush(self, cursor: Any) -> int:
        count = len(self.rows)
        if count:
            columns = ", ".join(f'"{c}"' for c in self.columns)
            with cursor.copy(f'COPY "{self.table}" ({columns}) FROM STDIN') as copy:
                for row in self.rows:
                    copy.write_row(row)
        self.rows = []
        self.written += count
        return count


def tables() -> dict[str, Table]:
    """One :class:`Table` per model the generator fills."""
    from allauth.mfa.models import Authenticator

    from baken.accounts.models import Organisation, User
    from baken.audit.models import AccessEvent, LogLeaf, LogNode
    from baken.chain.models import ChainPartner, Share, Snapshot
    from baken.dossiers.models import BreakGlassGrant, CaseTeamMember, Dossier, Entry

    return {
        "organisation": Table(Organisation),
        "user": Table(User),
        "authenticator": Table(Authenticator),
        "partner": Table(ChainPartner, explicit_pk=False),
        "dossier": Table(Dossier),
        "team": Table(CaseTeamMember, explicit_pk=False),
        "entry": Table(Entry, explicit_pk=False),
        "grant": Table(BreakGlassGrant),
        "share": Table(Share),
        "snapshot": Table(Snapshot, explicit_pk=False),
        "event": Table(AccessEvent),
        "leaf": Table(LogLeaf),
        "node": Table(LogNode, explicit_pk=False),
    }


# --- Organisations and users (the main process) ---------------------------------------------


def totp_secret(username: str, seed: bytes) -> str:
    """Every user's own authenticator secret (base32, 32 characters), from the run's seed."""
    digest = hmac.new(seed, username.encode(), hashlib.sha256).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


def people(size: int, rng: random.Random) -> dict[str, Any]:
    """The organisations and users: ids, kinds, roles; the benchmark accounts."""
    from baken.accounts.models import OrganisationKind, Role

    kinds = [
        OrganisationKind.NEIGHBOURHOOD_TEAM,
        OrganisationKind.YOUTH_CARE,
        OrganisationKind.SCHOOL,
        OrganisationKind.GP_PRACTICE,
        OrganisationKind.SHELTER,
        OrganisationKind.VOLUNTEERS,
        OrganisationKind.OTHER,
    ]
    kind_weights = [30, 15, 25, 15, 6, 6, 3]
    orgs: list[dict[str, Any]] = [
        {"id": 1, "name": "Veilig Thuis Proefregio", "kind": OrganisationKind.VEILIG_THUIS},
        {"id": 2, "name": "Zorgcoördinatie Proefregio", "kind": OrganisationKind.CARE_COORDINATION},
        {"id": 3, "name": "Veiligheidshuis Proefregio", "kind": OrganisationKind.SAFETY_HOUSE},
        {"id": 4, "name": "Gemeente Proefstad", "kind": OrganisationKind.MUNICIPALITY},
    ]
    for number in range(5, ORGANISATIONS + 1):
        kind = rng.choices(kinds, kind_weights)[0]
        orgs.append({"id": number, "name": f"Proeforganisatie {number}", "kind": kind})
    # Long-tailed sizes: the organisation of rank r keeps a share ~ 1 / r**0.8 of dossiers.
    working = [o for o in orgs if o["id"] >= 5]
    rng.shuffle(working)
    for rank, org in enumerate(working, start=1):
        org["weight"] = 1 / rank**0.8
    orgs[0]["weight"] = working[0]["weight"]  # Veilig Thuis keeps dossiers of its own too
    # Users: about one per 25 dossiers, at least 3 per organisation.
    total_users = max(3 * ORGANISATIONS, min(size // 25, 40_000))
    total_weight = sum(o.get("weight", 0) for o in orgs)
    users: list[dict[str, Any]] = [
        {"id": 1, "username": "bench-admin", "role": Role.ADMINISTRATOR, "organisation_id": None}
    ]

    def add(org: dict[str, Any], role: str, username: str | None = None) -> dict[str, Any]:
        user = {
            "id": len(users) + 1,
            "username": username or f"bench-u{len(users) + 1}",
            "role": role,
            "organisation_id": org["id"],
        }
        users.append(user)
        org.setdefault("users", []).append(user)
        return user

    for org in orgs:
        org["users"] = []
        kind = org["kind"]
        if kind == OrganisationKind.VEILIG_THUIS:
            add(org, Role.VEILIG_THUIS_ADVISER, "bench-vt")
            count = max(3, round(total_users * org["weight"] / total_weight))
            for _ in range(count):
                add(org, Role.VEILIG_THUIS_ADVISER)
        elif kind == OrganisationKind.CARE_COORDINATION:
            for _ in range(3):
                add(org, Role.CARE_COORDINATOR)
        elif kind == OrganisationKind.SAFETY_HOUSE:
            add(org, Role.PROCESS_DIRECTOR)
        elif kind == OrganisationKind.MUNICIPALITY:
            add(org, Role.CHAIN_DIRECTOR)
        else:
            add(org, Role.DESIGNATED_EXPERT)
            worker = Role.VOLUNTEER if kind == OrganisationKind.VOLUNTEERS else Role.PROFESSIONAL
            count = max(2, round(total_users * org["weight"] / total_weight))
            for _ in range(count):
                add(org, worker)
    # The benchmark professionals: bench-50 in a middling wijkteam, bench-5000 in the largest.
    teams = [o for o in working if o["kind"] == OrganisationKind.NEIGHBOURHOOD_TEAM]
    small_org, big_org = teams[len(teams) // 2], teams[0]
    add(small_org, Role.PROFESSIONAL, "bench-50")
    add(big_org, Role.PROFESSIONAL, "bench-5000")
    return {
        "orgs": orgs,
        "users": users,
        "vt": orgs[0]["id"],
        "small_org": small_org["id"],
        "big_org": big_org["id"],
    }


def write_people(cursor: Any, plan: dict[str, Any], secret_seed: bytes) -> None:
    from django.contrib.auth.hashers import make_password

    from baken.chain.models import PartnerRole
    from baken.crypto.authenticators import binding

    t = tables()
    password = make_password(PASSWORD)  # one hash for all: PBKDF2 takes a while per user
    joined = NOW - timedelta(days=YEARS * 365)
    for org in plan["orgs"]:
        t["organisation"].row(id=org["id"], name=org["name"], kind=org["kind"], created_at=joined)
    for user in plan["users"]:
        t["user"].row(
            id=user["id"],
            username=user["username"],
            password=password,
            first_name="Proef",
            last_name=f"Gebruiker {user['id']}",
            role=user["role"],
            organisation_id=user["organisation_id"],
            is_active=True,
            date_joined=joined,
        )
        secret = totp_secret(user["username"], secret_seed)
        token = t["authenticator"].keyring.encrypt(secret, binding(user["id"], "secret"))
        t["authenticator"].row(
            id=user["id"],
            user_id=user["id"],
            type="totp",
            data={"secret": token},
            created_at=joined,
        )
    for org_id, partner in (
        (1, PartnerRole.VEILIG_THUIS),
        (2, PartnerRole.CARE_COORDINATOR),
        (3, PartnerRole.SCREENING),
        (4, PartnerRole.CHAIN_DIRECTOR),
    ):
        t["partner"].row(organisation_id=org_id, partner=partner, linked_by_id=1, linked_at=joined)
    for name in ("organisation", "user", "authenticator", "partner"):
        t[name].flush(cursor)


# --- Dossiers (the worker processes) ---------------------------------------------------------

WORDS = (
    "Reiger Merel Linde Wilg Vlinder Eik Berk Zwaluw Storm Kompas Anker Haven Meeuw Spreeuw "
    "Lijster Vink Specht Uil Valk Kievit Grutto Plevier Zilverreiger Esdoorn Hazelaar Beuk"
).split()
DESCRIPTIONS = (
    "Verzuimt op maandag en vrijdag; wordt na school opgehaald in een auto.",
    "Lijkt een oudere vriend te hebben die bepaalt met wie zij omgaat.",
    "Woont met vijf anderen in een bovenwoning; moet huur afdragen aan de baas.",
    "Heeft steeds nieuwe spullen en wil niet zeggen waar die vandaan komen.",
    "Moet zijn paspoort inleveren bij de werkgever en krijgt geen loonstrook.",
    "Wordt 's nachts gezien bij een woning waar volgens de buurt wordt gehandeld.",
)
SOURCES = ("eigen waarneming", "mentor", "buurvrouw", "jongerenwerker", "collega")
NATURES = ("fact", "interpretation", "own_observation", "event", "circumstance")
WEIGHINGS = (
    # (answers, decision): the advice is report required/help possible, or report not
    # required/help possible (baken.engine.rules.weighing); the decision follows it.
    (
        {"q1": "yes", "q2": "yes", "q3": "yes", "q4": "yes", "q5": "yes"},
        {"report": "yes", "help": "yes", "advice_report": "required", "advice_help": True},
    ),
    (
        {"q1": "yes", "q2": "no", "q3": "yes", "q4": "yes", "q5": "yes"},
        {"report": "no", "help": "yes", "advice_report": "not_required", "advice_help": True},
    ),
)


class Context:
    """What a worker process needs: the plan of people, the protocol, the keys."""

    def __init__(self, plan: dict[str, Any], size: int, seed: int) -> None:
        from baken.audit.log import line_key
        from baken.protocol.loader import default_registry

        self.size = size
        self.seed = seed
        self.orgs = [o for o in plan["orgs"] if o.get("weight")]
        self.weights = [o["weight"] for o in self.orgs]
        self.by_id = {o["id"]: o for o in plan["orgs"]}
        self.vt = self.by_id[plan["vt"]]
        self.vt_advisers = [u for u in self.vt["users"]]
        self.bench = {u["username"]: u for u in plan["users"] if u["username"].startswith("bench")}
        self.small = plan["small_org"]
        self.big = plan["big_org"]
        self.big_count = min(5000, size // 2)
        protocol = default_registry().get(None)
        self.protocol_id, self.protocol_version = protocol.id, protocol.version
        self.signals: dict[str, list[str]] = {}
        for signal_list in protocol.signal_lists:
            ids = [s.id for g in signal_list.groups for s in g.signals]
            self.signals.setdefault(signal_list.form.value, []).extend(ids)
        self.all_signals = [s for ids in self.signals.values() for s in ids]
        self.profiles = [p.id for p in protocol.profiles if getattr(p, "id", None)]
        self.line_key = line_key()


CONTEXT: Context | None = None
COUNTERS: dict[str, Any] = {}


def _init_worker(plan: dict[str, Any], size: int, seed: int, counters: dict[str, Any]) -> None:
    global CONTEXT, COUNTERS
    from django.db import connections

    connections.close_all()
    CONTEXT = Context(plan, size, seed)
    COUNTERS = counters


def reserve(name: str, count: int) -> int:
    """The first of ``count`` ids reserved for this process in the shared counter ``name``."""
    counter = COUNTERS[name]
    with counter.get_lock():
        first = counter.value
        counter.value += count
    return int(first)


def entry_count(rng: random.Random) -> int:
    """3 to 500, a Pareto tail (alpha 1.5 from 3): median about 5, mean about 8."""
    return min(500, int(3 * (1 - rng.random()) ** (-1 / 1.5)))


def timeline(ctx: Context, rng: random.Random, n: int, stage: int, forms: list[str]) -> list[str]:
    """The kinds of ``n`` entries of a dossier that reached ``stage`` (1 to 5)."""
    from baken.dossiers.models import EntryKind as K

    base = [K.OBSERVATION, K.SIGNAL, K.CONSULTATION, K.CONVERSATION, K.WEIGHING, K.DECISION]
    stage = min(stage, n - 1)
    kinds = base[: stage + 1]
    tail = kinds[4:]  # the weighing and the decision stay last
    middle = kinds[:4]
    for _ in range(n - len(kinds)):
        extra = rng.choices([K.OBSERVATION, K.SIGNAL, K.PROFILE], [70, 20, 10])[0]
        if extra == K.PROFILE and not ctx.profiles:
            extra = K.OBSERVATION
        middle.insert(rng.randint(1, len(middle)), extra)
    return [str(k) for k in middle + tail]


def entry_data(ctx: Context, rng: random.Random, kind: str, day: str, forms: list[str]) -> Any:
    if kind == "observation":
        return {
            "nature": rng.choice(NATURES),
            "observed_on": day,
            "source": rng.choice(SOURCES),
            "description": rng.choice(DESCRIPTIONS),
        }
    if kind == "signal":
        pool = [s for f in forms for s in ctx.signals.get(f, [])] or ctx.all_signals
        return {"signal_id": rng.choice(pool), "note": ""}
    if kind == "profile":
        return {"profile_id": rng.choice(ctx.profiles), "note": ""}
    if kind == "consultation":
        return {
            "consulted": rng.choice(["designated_expert", "veilig_thuis"]),
            "held_on": day,
            "advice": "Signalen serieus nemen en een gesprek voeren over wat er speelt.",
            "agreements": "Binnen twee weken een gesprek; daarna opnieuw overleggen.",
        }
    if kind == "conversation":
        return {
            "held": "yes",
            "held_on": day,
            "discussed": "Wie haar ophaalt na school en waar ze dan heen gaat.",
            "reaction": "Eerst terughoudend, later opgelucht dat iemand het vroeg.",
            "risk_factors": "Afhankelijk van een oudere 'vriend' voor onderdak en geld.",
            "protective_factors": "Goed contact met een tante.",
            "consent_to_involve": "yes",
            "consent_to_report": "yes",
            "follow_up": "Over een week opnieuw afspreken.",
            "not_held_reason": "",
        }
    raise ValueError(kind)


def weighing_data(answers: dict[str, str]) -> dict[str, Any]:
    return {
        "expert_consulted": "aandachtsfunctionaris",
        "discussed_with_person": "yes",
        "answers": answers,
        "motivations": {q: "Afgewogen met de aandachtsfunctionaris." for q in answers},
    }


def decision_data(decision: dict[str, Any]) -> dict[str, Any]:
    return {
        "report": decision["report"],
        "report_motivation": "Volgt uit de afweging in stap 4.",
        "help": decision["help"],
        "help_motivation": "Hulp via het eigen team, afgestemd met Veilig Thuis.",
        "deviation_motivation": "",
        "advice_report": decision["advice_report"],
        "advice_help": decision["advice_help"],
        "deviations": [],
        "deviates": False,
    }


EVALUATION = {
    "evaluatie-1": "Ja, veilig in de opvang; het contact met de uitbuiter is gestopt.",
    "evaluatie-2": "Eerder de aandachtsfunctionaris inschakelen bij de eerste signalen.",
    "evaluatie-3": "Goed met de zorgcoördinator.",
    "evaluatie-4": "De zorgcoördinator meldt bij CoMensha.",
}


def special_id(ordinal: int) -> uuid.UUID:
    """The id of the benchmark's 10-entry (0) and 500-entry (1) dossier."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"https://baken.invalid/bench/{ordinal}")


class Lines:
    """Access-log lines of one chunk: their values, MAC and leaf hash (none depends on the
    line's id or place, so ids are given when the chunk is written)."""

    def __init__(self, key: bytes) -> None:
        from baken.audit import keys, merkle
        from baken.audit.chain import DEFAULTS
        from baken.audit.log import content, leaf_data

        self.key = key
        self.defaults = DEFAULTS
        self.content, self.leaf_data = content, leaf_data
        self.line_mac, self.leaf_hash = keys.line_mac, merkle.leaf_hash
        self.values: list[dict[str, Any]] = []
        self.leaves: list[bytes] = []

    def add(self, **fields: Any) -> None:
        """One line as :func:`baken.audit.chain.append` writes it: the defaults, a new uid,
        the time to the second, the MAC of its content; and its leaf hash."""
        values = {**self.defaults, **fields, "uid": uuid7()}
        values["at"] = values["at"].replace(microsecond=0)
        line_content = self.content(values)
        mac = self.line_mac(self.key, line_content)
        values["mac"] = mac
        self.values.append(values)
        self.leaves.append(self.leaf_hash(self.leaf_data(line_content, mac)))


def make_chunk(task: tuple[int, int, int]) -> tuple[int, bytes, dict[str, int]]:
    """Write dossiers ``[start, end)`` of the plan in one transaction; returns the first
    leaf index of the chunk's lines, their leaf hashes and the row counts."""
    import psycopg

    from baken.accounts.models import Role
    from baken.audit.models import Code
    from baken.dossiers import models as dossier_models
    from baken.dossiers.selectors import steps_done

    chunk, start, end = task
    ctx = CONTEXT
    assert ctx is not None  # noqa: S101 (set by the pool's initializer)
    rng = random.Random(ctx.seed * 1_000_003 + chunk)
    t = tables()
    lines = Lines(ctx.line_key)
    form_columns: Mapping[str, str] = getattr(dossier_models, "FORM_COLUMNS", {})
    all_forms = list(form_columns) or ["sexual", "labour", "criminal"]
    grants: list[dict[str, Any]] = []
    span = YEARS * 365 * 86400
    for ordinal in range(start, end):
        # Who keeps it --------------------------------------------------------------------
        if ordinal < 50:
            org = ctx.by_id[ctx.small]
            opener = ctx.bench["bench-50"]
        elif ordinal < 50 + ctx.big_count:
            org = ctx.by_id[ctx.big]
            opener = ctx.bench["bench-5000"]
        else:
            org = rng.choices(ctx.orgs, ctx.weights)[0]
            workers = [u for u in org["users"] if u["role"] != Role.DESIGNATED_EXPERT] or org[
                "users"
            ]
            opener = rng.choice(workers)
        expert = next((u for u in org["users"] if u["role"] == Role.DESIGNATED_EXPERT), None)
        volunteer = opener["role"] == Role.VOLUNTEER
        # What it holds ---------------------------------------------------------------------
        n = entry_count(rng)
        stage = rng.choices([1, 2, 3, 4, 5], [25, 20, 15, 15, 25])[0]
        if volunteer:
            stage = min(stage, 2)
        if ordinal == 0:
            n, stage = 10, 5
        elif ordinal == 1:
            n, stage = 500, 5
        forms = sorted(set(rng.choices(all_forms[:3], k=rng.choice([1, 1, 1, 2]))))
        kinds = timeline(ctx, rng, n, stage, forms)
        special = ordinal < 2
        acute = not special and not volunteer and rng.random() < 0.02
        if acute:
            kinds.insert(1, "acute_danger")
        closed = not special and kinds[-1] == "decision" and rng.random() < 0.4
        shares = not special and not volunteer and stage >= 2 and rng.random() < 0.08
        weighing, decision = rng.choice(WEIGHINGS) if not acute else WEIGHINGS[0]
        if closed:
            kinds.append("evaluation")
        if shares:
            kinds.insert(min(3, len(kinds)), "advice_request")
        colleague = None
        candidates = [u for u in org["users"] if u["role"] == opener["role"] and u is not opener]
        if candidates and rng.random() < 0.3:
            colleague = rng.choice(candidates)
        opened_at = NOW - timedelta(seconds=rng.randrange(span))
        gap = max(60, int((NOW - opened_at).total_seconds() * 0.8 / (len(kinds) + 1)))
        dossier_id = special_id(ordinal) if special else uuid.uuid4()
        share_id = uuid.uuid4() if shares else None
        # The entries -----------------------------------------------------------------------
        consent = "not_recorded"
        moment = opened_at
        entries = []
        common = {
            "organisation_id": org["id"],
            "responsible_organisation_id": org["id"],
            "dossier_id": dossier_id,
        }
        opener_line = {"user_id": opener["id"], "role": opener["role"], "case_team": True}
        lines.add(
            at=opened_at,
            code=Code.CREATE,
            action="dossier_opened",
            purpose="care",
            consent=consent,
            **common,
            **opener_line,
        )
        pending = shares and rng.random() < 0.4
        for sequence, kind in enumerate(kinds, start=1):
            moment = moment + timedelta(seconds=rng.randint(gap // 2, gap))
            day = moment.date().isoformat()
            author = colleague if colleague and rng.random() < 0.3 else opener
            if kind == "weighing":
                data: Any = weighing_data(weighing)
            elif kind == "decision":
                data = decision_data(decision)
            elif kind == "acute_danger":
                data = {"active": True, "raised": True}
            elif kind == "evaluation":
                data = EVALUATION
            elif kind == "advice_request":
                data = {
                    "question": "Is dit genoeg voor een melding, of eerst nog een gesprek?",
                    "entries_sent": 0,
                    "share": str(share_id),
                    "to": ctx.vt["name"],
                }
                author = opener
            else:
                data = entry_data(ctx, rng, kind, day, forms)
            t["entry"].row(
                dossier_id=dossier_id,
                sequence=sequence,
                kind=kind,
                data=data,
                author_id=author["id"],
                created_at=moment,
            )
            if kind == "conversation":
                consent = data["consent_to_involve"]
            entries.append(SimpleNamespace(kind=kind, sequence=sequence, data=data))
            action = "share_sent" if kind == "advice_request" else "entry_added"
            lines.add(
                at=moment,
                code=Code.EXECUTE if kind == "advice_request" else Code.CREATE,
                action=action,
                purpose="advice_request" if kind == "advice_request" else "care",
                entry_sequence=sequence,
                consent=consent,
                **common,
                user_id=author["id"],
                role=author["role"],
                case_team=True,
            )
            if kind == "advice_request":
                status = "pending" if pending else "answered"
                adviser = rng.choice(ctx.vt_advisers)
                t["share"].row(
                    id=share_id,
                    kind="advice_request",
                    sender_dossier_id=dossier_id,
                    sender_organisation_id=org["id"],
                    sent_by_id=opener["id"],
                    sent_at=moment,
                    recipient_id=ctx.vt["id"],
                    status=status,
                    status_at=moment if pending else moment + timedelta(days=2),
                    handled_by_id=None if pending else adviser["id"],
                )
                t["snapshot"].row(
                    share_id=share_id,
                    content={
                        "kind": "advice_request",
                        "protocol": {"id": ctx.protocol_id, "version": ctx.protocol_version},
                        "signals": [],
                        "entries": [],
                        "weighing": [],
                        "question": data["question"],
                    },
                    created_at=moment,
                )
        done = steps_done(entries)  # type: ignore[arg-type]
        closed_at = moment + timedelta(days=1) if closed else None
        values: dict[str, Any] = {
            "id": dossier_id,
            "organisation_id": org["id"],
            "label": f"Casus {rng.choice(WORDS)} {ordinal + 1}",
            "birth_date": None,
            "age_at_opening": rng.randint(12, 45),
            "exploitation_forms": forms,
            "protocol_id": ctx.protocol_id,
            "protocol_version": ctx.protocol_version,
            "reporter": "volunteer" if volunteer else "professional",
            "opened_by_id": opener["id"],
            "opened_at": opened_at,
            "closed_at": closed_at,
            "last_sequence": len(kinds),
            "steps_done": "".join(str(s) for s in done),
            "next_step": next((s for s in range(1, 6) if s not in done), 6),
            "deviates": False,
            "acute_danger": acute,
        }
        if rng.random() < 0.3:
            age = values["age_at_opening"]
            values["birth_date"] = (opened_at - timedelta(days=int(age * 365.25) + 100)).date()
        for form, column in form_columns.items():
            values[column] = form in forms
        t["dossier"].row(**values)
        t["team"].row(
            dossier_id=dossier_id,
            user_id=opener["id"],
            added_by_id=opener["id"],
            added_at=opened_at,
        )
        if colleague:
            t["team"].row(
                dossier_id=dossier_id,
                user_id=colleague["id"],
                added_by_id=opener["id"],
                added_at=opened_at + timedelta(hours=1),
            )
        if closed:
            lines.add(
                at=closed_at,
                code=Code.UPDATE,
                action="dossier_closed",
                consent=consent,
                purpose="care",
                **common,
                **opener_line,
            )
        # Reads: views, the list, "Wie keek er" -------------------------------------------
        last = closed_at or NOW
        seconds = max(1, int((last - opened_at).total_seconds()))
        readers = [(opener, True)] * 7 + ([(colleague, True)] * 2 if colleague else [])
        if expert:
            readers.append((expert, False))
        for _ in range(rng.randint(4, 14)):
            reader, in_team = rng.choice(readers)
            action = rng.choices(["view", "list", "view_access_log"], [75, 20, 5])[0]
            lines.add(
                at=opened_at + timedelta(seconds=rng.randrange(seconds)),
                code=Code.READ,
                action=action,
                purpose="care",
                consent=consent,
                **common,
                user_id=reader["id"],
                role=reader["role"],
                case_team=in_team,
            )
        if not special and rng.random() < 0.003:
            adviser = rng.choice(ctx.vt_advisers)
            grants.append(
                {
                    "dossier_id": dossier_id,
                    "user": adviser,
                    "at": opened_at + timedelta(seconds=rng.randrange(seconds)),
                    "org": org["id"],
                    "consent": consent,
                }
            )
    # Break-glass grants: their ids are in their lines' detail, so they are reserved.
    first_grant = reserve("grant", len(grants)) if grants else 0
    for offset, grant in enumerate(grants):
        grant_id = first_grant + offset
        reviewed = rng.random() < 0.5
        t["grant"].row(
            id=grant_id,
            dossier_id=grant["dossier_id"],
            user_id=grant["user"]["id"],
            reason="Melding buiten kantoortijd; de casus moet nu worden ingezien.",
            granted_at=grant["at"],
            expires_at=grant["at"] + timedelta(hours=4),
            reviewed_by_id=1 if reviewed else None,
            reviewed_at=grant["at"] + timedelta(days=1) if reviewed else None,
            review_note="Terecht gebruikt." if reviewed else "",
        )
        lines.add(
            at=grant["at"],
            code=Code.EXECUTE,
            action="break_glass_opened",
            purpose="break_glass",
            user_id=grant["user"]["id"],
            role=grant["user"]["role"],
            organisation_id=ctx.vt["id"],
            responsible_organisation_id=grant["org"],
            dossier_id=grant["dossier_id"],
            break_glass=True,
            consent=grant["consent"],
            detail=f"grant:{grant_id}",
        )
    first = reserve("event", len(lines.values))
    for offset, values in enumerate(lines.values):
        t["event"].row(id=first + offset, **values)
        t["leaf"].row(
            index=first + offset - 1,
            event_id=first + offset,
            hash=lines.leaves[offset].hex(),
        )
    counts: dict[str, int] = {}
    with psycopg.connect(os.environ["DATABASE_URL"]) as conn, conn.cursor() as cursor:
        for name in ("dossier", "team", "entry", "grant", "share", "snapshot", "event", "leaf"):
            counts[name] = t[name].flush(cursor)
    return first - 1, b"".join(lines.leaves), counts


# --- The tree's nodes (the main process) -----------------------------------------------------


class Nodes:
    """Build the tree in leaf order as the chunks arrive (in any order) and COPY every
    complete subtree's node, as the integrator would store them."""

    def __init__(self, cursor: Any) -> None:
        from baken.audit import merkle

        self.cursor = cursor
        self.table = tables()["node"]
        self.tree = merkle.CompactRange(
            on_node=lambda level, index, h: self.table.row(level=level, index=index, hash=h.hex())
        )
        self.waiting: dict[int, bytes] = {}

    def add(self, first: int, leaves: bytes) -> None:
        self.waiting[first] = leaves
        while self.tree.size in self.waiting:
            block = self.waiting.pop(self.tree.size)
            for offset in range(0, len(block), 32):
                self.tree.append(block[offset : offset + 32])
            self.table.flush(self.cursor)


# --- Main -----------------------------------------------------------------------------------


def setup(name: str) -> dict[str, str]:
    """The bench environment in ``os.environ``, then Django on it."""
    sys.path.insert(0, str(REPO / "src"))
    env = make_env(name)  # plain Python: the keys exist before the settings read them
    for key in ("BAKEN_ENV", "BAKEN_ENCRYPTION_KEYS", "BAKEN_AUDIT_SIGNING_KEY", "BAKEN_DEBUG"):
        os.environ.pop(key, None)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "baken.conf.settings"
    import django

    django.setup()
    return env


def fill(size: int, jobs: int, seed: int, plan: dict[str, Any], url: str) -> dict[str, int]:
    """Every chunk of dossiers, in ``jobs`` processes; the tree's nodes here."""
    import psycopg
    from django.db import connections

    connections.close_all()  # nothing open is shared with the processes forked now
    context = multiprocessing.get_context("fork")
    counters = {"event": context.Value("q", 1), "grant": context.Value("q", 1)}
    tasks = [(n, first, min(first + CHUNK, size)) for n, first in enumerate(range(0, size, CHUNK))]
    pool = None
    if jobs > 1:
        pool = context.Pool(jobs, _init_worker, (plan, size, seed, counters), maxtasksperchild=200)
        results: Iterable[Any] = pool.imap_unordered(make_chunk, tasks)
    else:
        _init_worker(plan, size, seed, counters)
        results = map(make_chunk, tasks)
    totals: dict[str, int] = {}
    started = time.perf_counter()
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        nodes = Nodes(cursor)
        for done, (first, leaves, counts) in enumerate(results, start=1):
            nodes.add(first, leaves)
            for key, value in counts.items():
                totals[key] = totals.get(key, 0) + value
            if done % 100 == 0 and done < len(tasks):
                print(f"    {done}/{len(tasks)} chunks, {time.perf_counter() - started:.0f} s")
        if nodes.waiting:
            raise RuntimeError("leaf ranges are missing: the tree is incomplete")
        totals["node"] = nodes.table.written
    if pool is not None:
        pool.close()
        pool.join()
    return totals


def finish(url: str) -> Any:
    """Sequences past the ids given, statistics, and one signed checkpoint."""
    import psycopg
    from django.db import connection

    from baken.audit.log import make_checkpoint

    with psycopg.connect(url, autocommit=True) as conn:
        for table in (
            "accounts_user",
            "accounts_organisation",
            "mfa_authenticator",
            "audit_accessevent",
            "dossiers_breakglassgrant",
        ):
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {table}), false)",  # type: ignore[arg-type]
            )
        conn.execute("VACUUM ANALYZE")
    made = make_checkpoint()
    connection.close()
    return made


def describe(name: str, size: int, plan: dict[str, Any], secret_seed: bytes) -> dict[str, Any]:
    """What the page benchmark needs: logins, the dossiers, how many each user sees."""
    from baken.chain.models import Share
    from baken.dossiers.models import Dossier, Entry

    users = {u["username"]: u for u in plan["users"] if u["username"] in BENCH_USERS}
    ids = {u: users[u]["id"] for u in users}
    return {
        "name": name,
        "size": size,
        "database_url": f"{SERVER}/{name}",
        "password": PASSWORD,
        "users": {
            username: {"id": u["id"], "secret": totp_secret(username, secret_seed)}
            for username, u in users.items()
        },
        "dossier_10": str(special_id(0)),
        "dossier_500": str(special_id(1)),
        "entries": {
            "dossier_10": Entry.objects.filter(dossier_id=special_id(0)).count(),
            "dossier_500": Entry.objects.filter(dossier_id=special_id(1)).count(),
        },
        "list_50": Dossier.objects.filter(team__user_id=ids["bench-50"]).count(),
        "list_5000": Dossier.objects.filter(team__user_id=ids["bench-5000"]).count(),
        "inbox": Share.objects.filter(recipient_id=plan["vt"], status="pending").count(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("size", type=parse_size, help="dossiers: 1000, 1k, 10k, 1m")
    parser.add_argument("--name", help="the database (default baken_bench_<size>)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--verify", action="store_true", help="run `baken audit verify` after")
    args = parser.parse_args(argv)
    size: int = args.size
    if size < 100:
        parser.error("at least 100 dossiers (the benchmark user alone has 50)")
    name = args.name or f"baken_bench_{label_of(size)}"
    timings: dict[str, float] = {}
    started = time.perf_counter()
    env = setup(name)
    checkpoints = Path(env["BAKEN_AUDIT_CHECKPOINT_DIR"])
    checkpoints.mkdir(parents=True, exist_ok=True)
    for old in checkpoints.iterdir():  # the checkpoints of the database dropped now
        old.unlink()

    import psycopg
    from django.core.management import call_command

    url = env["DATABASE_URL"]
    print(f"{name}: {size:,} dossiers, {args.jobs} process(es), PostgreSQL at {SERVER}")
    step = time.perf_counter()
    recreate_database(name)
    call_command("migrate", interactive=False, verbosity=0)
    timings["migrate"] = time.perf_counter() - step
    print(f"  created and migrated in {timings['migrate']:.1f} s")

    step = time.perf_counter()
    plan = people(size, random.Random(args.seed))
    secret_seed = hashlib.sha256(f"baken-bench-{name}-{args.seed}".encode()).digest()
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        write_people(cursor, plan, secret_seed)
    timings["people"] = time.perf_counter() - step
    print(
        f"  {len(plan['orgs'])} organisations, {len(plan['users']):,} users with "
        f"authenticators in {timings['people']:.1f} s"
    )

    step = time.perf_counter()
    totals = fill(size, args.jobs, args.seed, plan, url)
    timings["dossiers"] = time.perf_counter() - step
    print(
        f"  {totals['dossier']:,} dossiers, {totals['entry']:,} entries, {totals['team']:,} "
        f"case-team members, {totals['share']:,} shares, {totals['grant']:,} break-glass "
        f"grants, {totals['event']:,} access-log lines with {totals['node']:,} tree nodes "
        f"in {timings['dossiers']:.1f} s"
    )

    step = time.perf_counter()
    made = finish(url)
    timings["finish"] = time.perf_counter() - step
    print(f"  analysed, checkpoint of {made.size:,} lines signed in {timings['finish']:.1f} s")
    timings["total"] = time.perf_counter() - started

    info = describe(name, size, plan, secret_seed)
    info["counts"] = {**totals, "users": len(plan["users"]), "organisations": len(plan["orgs"])}
    info["jobs"] = args.jobs
    info["generated_at"] = NOW.isoformat()
    info["timings"] = {key: round(value, 1) for key, value in timings.items()}
    out = bench_dir(name) / "bench.json"
    print(f"  {size:,} dossiers in {timings['total']:.1f} s in all; accounts in {out}")
    if args.verify:
        step = time.perf_counter()
        done = subprocess.run(  # noqa: S603 (our own command)
            [str(Path(sys.executable).with_name("baken")), "audit", "verify"],
            env=dict(os.environ),
            capture_output=True,
            text=True,
            check=False,
        )
        info["timings"]["verify"] = round(time.perf_counter() - step, 1)
        info["verify_exit"] = done.returncode
        said = (done.stdout + done.stderr).strip().replace("\n", "\n    ")
        print(f"  baken audit verify: exit {done.returncode} in {info['timings']['verify']} s")
        print(f"    {said}")
    out.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return 1 if info.get("verify_exit") else 0


if __name__ == "__main__":
    sys.exit(main())
