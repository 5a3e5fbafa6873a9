"""The audit events move to the hash-chained access log (app ``audit``): copy every old
line there, in order, before the old table goes, so no record is lost."""

from django.db import migrations

CODES = {
    "dossier_opened": "C",
    "entry_added": "C",
    "team_member_added": "U",
    "entry_corrected": "U",
    "details_changed": "U",
    "dossier_closed": "U",
}


def copy_to_access_log(apps, schema_editor):  # type: ignore[no-untyped-def]
    from baken.audit.legacy import line_hash

    old = apps.get_model("dossiers", "AuditEvent")
    new = apps.get_model("audit", "AccessEvent")
    head_model = apps.get_model("audit", "ChainHead")
    head, _ = head_model.objects.get_or_create(pk=1)
    for event in old.objects.order_by("at", "pk").select_related("user", "entry", "dossier"):
        user = event.user
        values = {
            "position": head.position + 1,
            "at": event.at.replace(microsecond=0),
            "user_id": event.user_id,
            "role": getattr(user, "role", "") or "",
            "organisation_id": getattr(user, "organisation_id", None),
            "responsible_organisation_id": event.dossier.organisation_id if event.dossier else None,
            "dossier_id": event.dossier_id,
            "entry_sequence": event.entry.sequence if event.entry else None,
            "code": CODES.get(event.action, "E"),
            "action": event.action,
            "purpose": "care" if event.dossier_id else "administration",
            "authorised": True,
            "case_team": False,
            "consent": "not_recorded",
            "break_glass": False,
            "detail": event.detail,
            "previous_hash": head.hash,
        }
        created = new.objects.create(**values, hash=line_hash(values))
        head.position, head.hash = created.position, created.hash
    head.save()


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0003_entry_kind_details"),
        ("audit", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.RunPython(copy_to_access_log, migrations.RunPython.noop),
        migrations.DeleteModel(name="AuditEvent"),
    ]
