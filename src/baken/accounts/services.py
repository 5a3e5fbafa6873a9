"""Changes to organisations and users. Each one writes its audit event in the same transaction.

Views call these functions and do nothing else to the database. Users are never deleted
(dossiers and their records point at them); a user who leaves is deactivated.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db import transaction
from django.utils.translation import gettext as _

from baken.accounts.models import Organisation, Role, User
from baken.accounts.sessions import sessions_of
from baken.dossiers.access import log_account


class ManagementError(Exception):
    """A change the functioneel beheerder may not make; the message is for the user."""


def _audit(by: User | None, action: str, detail: str) -> None:
    log_account(by, action, detail)


@transaction.atomic
def create_organisation(*, by: User, name: str, kind: str) -> Organisation:
    """Create an organisation and log ``organisation_created``."""
    organisation = Organisation.objects.create(name=name, kind=kind)
    _audit(by, "organisation_created", organisation.name)
    return organisation


@transaction.atomic
def create_user(
    *,
    by: User | None,
    username: str,
    password: str,
    role: str,
    organisation: Organisation | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    action: str = "user_created",
) -> User:
    """Create an active user and log ``action`` (the username).

    The password must already have passed Django's password validators (the forms do that).
    """
    user = User.objects.create_user(
        username=username,
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        role=role,
        organisation=organisation,
    )
    _audit(by or user, action, user.username)
    return user


@transaction.atomic
def deactivate_user(*, by: User, user: User) -> User:
    """Stop ``user`` from logging in (their sessions end with it) and log ``user_deactivated``."""
    if user.pk == by.pk:
        raise ManagementError(_("You cannot deactivate your own account."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active:
        locked.is_active = False
        locked.save(update_fields=["is_active"])
        _audit(by, "user_deactivated", locked.username)
    return locked


@transaction.atomic
def reactivate_user(*, by: User, user: User) -> User:
    """Let a deactivated user log in again and log ``user_reactivated``."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    if not locked.is_active:
        locked.is_active = True
        locked.save(update_fields=["is_active"])
        _audit(by, "user_reactivated", locked.username)
    return locked


@transaction.atomic
def change_role(*, by: User, user: User, role: str, organisation: Organisation | None) -> User:
    """Give ``user`` another role or organisation and log ``user_role_changed``.

    Visibility follows at once: every dossier read checks the role as it is now.
    """
    if user.pk == by.pk:
        raise ManagementError(_("You cannot change your own role."))
    if role not in Role.values:
        raise ManagementError(_("Choose a role from the list."))
    if role != Role.ADMINISTRATOR and organisation is None:
        raise ManagementError(_("Choose the organisation this user works for."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    before = (locked.role, locked.organisation_id)
    locked.role = role
    locked.organisation = organisation if role != Role.ADMINISTRATOR else None
    if before != (locked.role, locked.organisation_id):
        locked.save(update_fields=["role", "organisation"])
        _audit(
            by,
            "user_role_changed",
            f"{locked.username}:{before[0]}>{locked.role}:org{before[1]}>org{locked.organisation_id}",
        )
    return locked


@transaction.atomic
def reset_two_factor(*, by: User, user: User) -> int:
    """Remove ``user``'s authenticator app and recovery codes (a lost phone) and end their
    sessions: at the next login they must set up two-factor authentication again, and a
    session left open on the lost device cannot set up its own. Logs ``two_factor_reset``."""
    if user.pk == by.pk:
        raise ManagementError(_("You cannot reset your own two-factor authentication."))
    removed, _by_type = Authenticator.objects.filter(user_id=user.pk).delete()
    end_sessions(user)
    _audit(by, "two_factor_reset", user.username)
    return int(removed)


def end_sessions(user: User) -> int:
    """Log ``user`` out everywhere: delete every session of theirs, found by the index on
    the session table's user column (:mod:`baken.accounts.sessions`); one DELETE, whatever
    the number of sessions in the installation."""
    ended, _by_type = sessions_of(user).delete()
    return int(ended)
