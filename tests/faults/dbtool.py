"""The fault tests' look into a Baken database, run as a subprocess with the environment of
the server under test (``python -m tests.faults.dbtool COMMAND``), so it reads the database
through Baken's own settings and ORM, as the server does, and prints one JSON object.

- ``migrate``: apply Baken's migrations (to make a template database the tests copy).
- ``seed DOSSIERS ENTRIES``: in a migrated database, make one organisation, a professional
  with an authenticator app, and DOSSIERS dossiers with ENTRIES observations each (every one
  written by Baken's services, with its access-log line). Prints the login, the dossier ids
  and what ``entries`` prints.
- ``seed-more``: one more dossier with one observation, by the seeded professional.
- ``entries``: every observation's dossier, number and description, every ``entry_added``
  log line's dossier and number, and each dossier's ``last_sequence``.
- ``readall``: decrypt every dossier label and every entry; print the counts and one SHA-256
  over all of the plaintext, to compare two databases.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from datetime import timedelta
from typing import Any

USERNAME = "storing-professional"
PASSWORD = "storing-wachtwoord-42!"  # synthetic


def observation(description: str) -> dict[str, str]:
    """An observation entry's data, as the form stores it (yesterday, a fact)."""
    from django.utils import timezone

    return {
        "nature": "fact",
        "observed_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "source": "Mentor (rol)",
        "description": description,
    }


def seed(dossiers: int, entries: int) -> dict[str, Any]:
    from baken.accounts.models import Organisation, OrganisationKind, Role, User
    from tests.support import enrol_totp

    organisation = Organisation.objects.create(
        name="Wijkteam Storing", kind=OrganisationKind.NEIGHBOURHOOD_TEAM
    )
    user = User.objects.create_user(
        username=USERNAME, password=PASSWORD, role=Role.PROFESSIONAL, organisation=organisation
    )
    secret = enrol_totp(user)
    ids = [_dossier(user, f"Casus Storing {number}", entries) for number in range(dossiers)]
    return {"username": USERNAME, "password": PASSWORD, "secret": secret, "dossiers": ids}


def seed_more() -> dict[str, Any]:
    from baken.accounts.models import User

    return {"dossiers": [_dossier(User.objects.get(username=USERNAME), "Casus Storing later", 1)]}


def _dossier(user: Any, label: str, entries: int) -> str:
    """Open a dossier and record ``entries`` observations in it, through the services."""
    from baken.dossiers import services
    from baken.dossiers.access import decide

    new = services.NewDossier(label=label, birth_date=None, age=16, exploitation_forms=["labour"])
    dossier = services.open_dossier(user, new)
    for count in range(entries):
        access = decide(user, dossier)
        assert access is not None
        services.record(
            access,
            "observation",
            observation(f"seed-{label}-{count}"),
            seen_sequence=dossier.last_sequence,
        )
        dossier.refresh_from_db()
    return str(dossier.pk)


def entries() -> dict[str, Any]:
    from baken.audit.models import AccessEvent
    from baken.dossiers.models import Dossier, Entry

    return {
        "entries": [
            [str(entry.dossier_id), entry.sequence, entry.data.get("description", "")]
            for entry in Entry.objects.filter(kind="observation").order_by("dossier_id", "sequence")
        ],
        "all_sequences": {
            str(dossier.pk): sorted(dossier.entries.values_list("sequence", flat=True))
            for dossier in Dossier.objects.all()
        },
        "logged": [
            [str(dossier_id), sequence]
            for dossier_id, sequence in AccessEvent.objects.filter(
                action="entry_added"
            ).values_list("dossier_id", "entry_sequence")
        ],
        "last_sequences": {
            str(pk): last for pk, last in Dossier.objects.values_list("pk", "last_sequence")
        },
    }


def readall() -> dict[str, Any]:
    from baken.audit.models import AccessEvent
    from baken.dossiers.models import Dossier, Entry

    digest = hashlib.sha256()
    labels = 0
    for dossier in Dossier.objects.order_by("pk"):
        digest.update(f"{dossier.pk}:{dossier.label}\n".encode())
        labels += 1
    count = 0
    for entry in Entry.objects.order_by("dossier_id", "sequence"):
        digest.update(f"{entry.dossier_id}:{entry.sequence}:{json.dumps(entry.data)}\n".encode())
        count += 1
    return {
        "dossiers": labels,
        "entries": count,
        "log_lines": AccessEvent.objects.count(),
        "sha256": digest.hexdigest(),
    }


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "baken.conf.settings")
    import django

    django.setup()
    command, *args = argv
    if command == "migrate":
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        result: dict[str, Any] = {"migrated": True}
    elif command == "seed":
        result = seed(int(args[0]), int(args[1])) | entries()
    elif command == "seed-more":
        result = seed_more()
    elif command == "entries":
        result = entries()
    elif command == "readall":
        result = readall()
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
