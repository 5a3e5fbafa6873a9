"""Who may do what with a dossier, decided once, and the access-log lines (NEN 7513) that
record it.

:func:`decide` is the one place that answers "may this user do this with this dossier, and
on what ground": the user's case team, the organisation's aandachtsfunctionaris, or a
running break-glass grant. :func:`restrict` gives the same answer for a whole query set
(NetBox's ``restrict(user, action)``), so a list and a page never disagree; a test checks
the two against each other for every role and ground. A request resolves its dossier
once, through :func:`baken.dossiers.selectors.dossier_for`, and the views, templates,
services and log lines read the :class:`DossierAccess` it returns instead of deciding
again.

A dossier that exists but is not the user's is refused here too (:func:`refuse`): the same
404 as for a dossier that does not exist, and an access-log line with ``authorised`` false,
at most :data:`REFUSED_LINES_PER_WINDOW` per user per window (see docs/logging.md).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, NoReturn

import structlog
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, Value
from django.http import Http404
from django.utils import timezone

from baken.accounts.models import Role, User
from baken.audit.chain import append, append_many
from baken.audit.models import AccessEvent, Action, Code, Purpose
from baken.dossiers.models import (
    BREAK_GLASS_ROLES,
    BreakGlassGrant,
    CaseTeamMember,
    Dossier,
    DossierQuerySet,
    Entry,
    EntryKind,
)

log = structlog.stdlib.get_logger("baken.audit")


class Act(StrEnum):
    """What a user may want to do with a dossier."""

    READ = "read"
    """Open the dossier and its pages, "Wie keek er" included."""
    RECORD = "record"
    """Add and correct entries, add colleagues, change the details, close the dossier."""
    WEIGH = "weigh"
    """The weighing (step 4) and the step-5 decision: not for volunteers (§1.2 Stap 5)."""
    EXPORT = "export"
    """Inzage, export and print: hands data out, so not under break-glass, not volunteers."""
    ASK_ADVICE = "ask_advice"
    """Ask Veilig Thuis for advice: anyone working on the dossier, volunteers too (§1.2 Stap 2)."""
    REPORT = "report"
    """Report to Veilig Thuis (melding): professionals only (§1.2 Stap 5, §2.2)."""


class Ground(StrEnum):
    """Why a user has access to a dossier."""

    CASE_TEAM = "case_team"
    ORGANISATION_EXPERT = "organisation_expert"
    """The aandachtsfunctionaris of the organisation that holds the dossier."""
    BREAK_GLASS = "break_glass"
    """A running noodtoegang grant: read-only."""


WORKING_GROUNDS = frozenset({Ground.CASE_TEAM, Ground.ORGANISATION_EXPERT})
"""The grounds on which a user works on the dossier (break-glass only reads)."""

PROFESSIONAL_ACTS = frozenset({Act.WEIGH, Act.EXPORT, Act.REPORT})
"""Acts a volunteer may not do, whatever the ground."""


def _allowed(act: Act, grounds: frozenset[Ground], role: str) -> bool:
    """The rule itself: which grounds allow which act, for which role."""
    if not grounds:
        return False
    if act == Act.READ:
        return True
    if not grounds & WORKING_GROUNDS:
        return False
    return not (act in PROFESSIONAL_ACTS and role == Role.VOLUNTEER)


@dataclass(frozen=True)
class DossierAccess:
    """What ``user`` may do with ``dossier``, and why. Made by :func:`decide` only."""

    user: User
    dossier: Dossier
    grounds: frozenset[Ground]
    grant: BreakGlassGrant | None = None
    """The running break-glass grant, when that is the only ground."""

    def may(self, act: Act | str) -> bool:
        return _allowed(Act(act), self.grounds, self.user.role)

    @property
    def in_case_team(self) -> bool:
        return Ground.CASE_TEAM in self.grounds

    @property
    def break_glass(self) -> bool:
        """Access rests only on a break-glass grant: read-only, logged as break-glass."""
        return not self.grounds & WORKING_GROUNDS and Ground.BREAK_GLASS in self.grounds

    @property
    def volunteer(self) -> bool:
        return self.user.role == Role.VOLUNTEER

    # For templates, which cannot pass an argument to ``may``.
    @property
    def may_record(self) -> bool:
        return self.may(Act.RECORD)

    @property
    def may_weigh(self) -> bool:
        return self.may(Act.WEIGH)

    @property
    def may_export(self) -> bool:
        return self.may(Act.EXPORT)

    @property
    def may_ask_advice(self) -> bool:
        return self.may(Act.ASK_ADVICE)

    @property
    def may_report(self) -> bool:
        return self.may(Act.REPORT)

    def with_dossier(self, dossier: Dossier) -> DossierAccess:
        """The same decision about a fresh copy of the dossier row (e.g. locked for a write)."""
        if dossier.pk != self.dossier.pk:
            raise ValueError("an access decision is about one dossier")
        return replace(self, dossier=dossier)


def dossier_user(request: Any) -> User:
    """The request's user, if they work with dossiers at all; else 404 (the functioneel
    beheerder, an inactive user), so no dossier page admits that it exists."""
    user = getattr(request, "user", None)
    if not isinstance(user, User) or not user.works_with_dossiers:
        raise Http404("no dossiers for this user")
    return user


_TEAM_FLAG = "reader_in_case_team"
_TEAM_READER = "reader_for_case_team"


def with_case_team_flag(queryset: DossierQuerySet, user: Any) -> DossierQuerySet:
    """``queryset`` with, on every dossier, whether ``user`` is in its case team (an
    ``EXISTS`` in the same query), which :func:`decide_many` then reads instead of asking
    the database again."""
    if not isinstance(user, User):
        return queryset
    member = CaseTeamMember.objects.filter(dossier_id=OuterRef("pk"), user_id=user.pk)
    return queryset.annotate(**{_TEAM_FLAG: Exists(member), _TEAM_READER: Value(user.pk)})


def decide(user: Any, dossier: Dossier) -> DossierAccess | None:
    """The access ``user`` has to ``dossier``, or ``None`` when they need not know it."""
    return decide_many(user, [dossier]).get(dossier.pk)


def decide_many(user: Any, dossiers: list[Dossier]) -> dict[Any, DossierAccess]:
    """:func:`decide` for several dossiers at once, keyed by dossier id; dossiers the user
    need not know are left out. At most two queries, whatever their number: the case teams
    (none when the dossiers came with :func:`with_case_team_flag`), and the running
    break-glass grants of who may have one, for the dossiers nothing else opens.

    Case teams are one organisation's: after a move to another organisation, the old
    organisation's case teams no longer count. The functioneel beheerder never has access.
    """
    if not isinstance(user, User) or not user.works_with_dossiers or not dossiers:
        return {}
    flagged = [d for d in dossiers if getattr(d, _TEAM_READER, None) == user.pk]
    teams = {d.pk for d in flagged if getattr(d, _TEAM_FLAG)}
    unknown = [d.pk for d in dossiers if getattr(d, _TEAM_READER, None) != user.pk]
    if unknown:
        teams |= set(
            CaseTeamMember.objects.filter(user=user, dossier_id__in=unknown).values_list(
                "dossier_id", flat=True
            )
        )
    decided = {}
    ungrounded = []
    for dossier in dossiers:
        grounds: set[Ground] = set()
        same_organisation = user.organisation_id == dossier.organisation_id
        if same_organisation and dossier.pk in teams:
            grounds.add(Ground.CASE_TEAM)
        if same_organisation and user.role == Role.DESIGNATED_EXPERT:
            grounds.add(Ground.ORGANISATION_EXPERT)
        if grounds:
            decided[dossier.pk] = DossierAccess(user, dossier, frozenset(grounds), None)
        else:
            ungrounded.append(dossier)
    # A running break-glass grant counts only where nothing else does: asked for those alone.
    if ungrounded and user.role in BREAK_GLASS_ROLES:
        grants: dict[Any, BreakGlassGrant] = {}
        running = BreakGlassGrant.objects.running_for(user)
        for grant in running.filter(dossier_id__in=[d.pk for d in ungrounded]):
            grants.setdefault(grant.dossier_id, grant)
        for dossier in ungrounded:
            found = grants.get(dossier.pk)
            if found is not None:
                decided[dossier.pk] = DossierAccess(
                    user, dossier, frozenset({Ground.BREAK_GLASS}), found
                )
    return {d.pk: decided[d.pk] for d in dossiers if d.pk in decided}


def restrict(queryset: DossierQuerySet, user: Any, act: Act | str = Act.READ) -> DossierQuerySet:
    """The dossiers in ``queryset`` on which ``user`` may do ``act``: :func:`decide` for a
    whole query set, in SQL."""
    act = Act(act)
    if not isinstance(user, User) or not user.works_with_dossiers:
        return queryset.none()
    if act in PROFESSIONAL_ACTS and user.role == Role.VOLUNTEER:
        return queryset.none()
    scope = Q(
        pk__in=CaseTeamMember.objects.filter(user=user).values("dossier_id"),
        organisation_id=user.organisation_id,
    )
    if user.role == Role.DESIGNATED_EXPERT:
        scope |= Q(organisation_id=user.organisation_id)
    if act == Act.READ and user.role in BREAK_GLASS_ROLES:
        scope |= Q(
            pk__in=BreakGlassGrant.objects.filter(
                user_id=user.pk, expires_at__gt=timezone.now()
            ).values("dossier_id")
        )
    return queryset.filter(scope)


def _consent(dossier: Dossier) -> str:
    """The person's consent to involve others, from the newest conversation that still
    stands; else not recorded.

    A conversation that was corrected counts no more (its correction does), and neither
    does a withdrawal: it carries the withdrawn entry's answers, consent included, but
    says the conversation is not on record. This is the rule of
    :func:`baken.dossiers.selectors.current_entries`, which the engine reads the consent to
    report by."""
    conversations = (
        Entry.objects.filter(dossier=dossier, kind=EntryKind.CONVERSATION)
        .current()
        .order_by("-sequence")
    )
    # The data is encrypted, so the withdrawal flag is read here, not in SQL; the newest
    # standing conversation is nearly always the first.
    for conversation in conversations.iterator(chunk_size=20):
        if not conversation.withdrawn:
            return str(conversation.data.get("consent_to_involve", "not_recorded"))
    return "not_recorded"


def consent_in(entries: list[Entry]) -> str:
    """:func:`_consent` from the dossier's standing entries, oldest first, as
    ``baken.dossiers.selectors.standing_entries`` reads them (every standing conversation
    among them; withdrawals left out): the newest conversation's answer."""
    for entry in reversed(entries):
        if entry.kind == EntryKind.CONVERSATION:
            return str(entry.data.get("consent_to_involve", "not_recorded"))
    return "not_recorded"


def _consents(dossiers: list[Dossier]) -> dict[Any, str]:
    """:func:`_consent` for several dossiers in one query, keyed by dossier id.

    The standing conversations of all of them come in one query, newest first per dossier;
    an entry's data is only decrypted when it is read (``baken.crypto.fields``), so per
    dossier only the conversations down to the newest that is not a withdrawal are."""
    found: dict[Any, str] = {}
    conversations = (
        Entry.objects.filter(dossier_id__in=[d.pk for d in dossiers], kind=EntryKind.CONVERSATION)
        .current()
        .only("pk", "dossier", "sequence", "data")
        .order_by("dossier_id", "-sequence")
    )
    for conversation in conversations:
        if conversation.dossier_id in found or conversation.withdrawn:
            continue
        found[conversation.dossier_id] = str(
            conversation.data.get("consent_to_involve", "not_recorded")
        )
    return {d.pk: found.get(d.pk, "not_recorded") for d in dossiers}


def _dossier_line(
    access: DossierAccess,
    code: Code,
    action: str,
    consent: str,
    *,
    entry: Entry | None,
    purpose: str,
    detail: str,
) -> dict[str, Any]:
    user, dossier = access.user, access.dossier
    return {
        "user_id": user.pk,
        "role": user.role,
        "organisation_id": user.organisation_id,
        "responsible_organisation_id": dossier.organisation_id,
        "dossier_id": dossier.pk,
        "entry_sequence": entry.sequence if entry is not None else None,
        "code": code,
        "action": action,
        "purpose": "break_glass" if access.break_glass else purpose,
        "authorised": True,
        "case_team": access.in_case_team,
        "consent": consent,
        "break_glass": access.break_glass,
        "detail": detail,
    }


def log_dossier(
    access: DossierAccess,
    code: Code,
    action: str,
    *,
    entry: Entry | None = None,
    purpose: str = "care",
    detail: str = "",
    consent: str | None = None,
) -> AccessEvent:
    """One access-log line about the dossier, in the current transaction, with the checks
    of the access decision that allowed it: case team, break-glass (which also sets the
    purpose), and the organisation on whose responsibility the dossier is kept. ``consent``
    is the consent on record when the caller read it already (:func:`consent_in`)."""
    line = _dossier_line(
        access,
        code,
        action,
        consent if consent is not None else _consent(access.dossier),
        entry=entry,
        purpose=purpose,
        detail=detail,
    )
    return append(**line)


def log_dossiers(
    accesses: list[DossierAccess],
    code: Code,
    action: str,
    *,
    purpose: str = "care",
    detail: str = "",
) -> list[AccessEvent]:
    """:func:`log_dossier` for several dossiers read in one request (the list): one line
    per dossier, each the line :func:`log_dossier` would write, in one INSERT and two
    queries whatever their number (the consents, the lines), in the current transaction."""
    if not accesses:
        return []
    consents = _consents([access.dossier for access in accesses])
    return append_many(
        _dossier_line(
            access,
            code,
            action,
            consents[access.dossier.pk],
            entry=None,
            purpose=purpose,
            detail=detail,
        )
        for access in accesses
    )


def log_dossier_actions(
    access: DossierAccess,
    actions: list[tuple[Code, str]],
    *,
    consent: str,
    purpose: str = "care",
) -> list[AccessEvent]:
    """Several lines about one dossier for one request (a read and the export it made),
    each the line :func:`log_dossier` would write, in one INSERT."""
    return append_many(
        _dossier_line(access, code, action, consent, entry=None, purpose=purpose, detail="")
        for code, action in actions
    )


def log_transfer(
    user: Any,
    dossier: Dossier,
    code: Code,
    action: str,
    *,
    purpose: str,
    basis: str = "",
    entry: Entry | None = None,
) -> AccessEvent:
    """An access-log line (NEN 7513: transfer) about ``dossier`` for something that went to
    or came from another organisation through the chain, on the ground of a share, not of a
    :class:`DossierAccess`: the sender's dossier when Veilig Thuis opens what was sent, or
    when its answer or feedback lands there. ``basis`` is the legal basis (a protocol id,
    e.g. ``meldrecht``), kept in the line's detail."""
    return append(
        user_id=user.pk,
        role=user.role,
        organisation_id=user.organisation_id,
        responsible_organisation_id=dossier.organisation_id,
        dossier_id=dossier.pk,
        entry_sequence=entry.sequence if entry is not None else None,
        code=code,
        action=action,
        purpose=purpose,
        authorised=True,
        case_team=False,
        consent=_consent(dossier),
        break_glass=False,
        detail=f"basis:{basis}" if basis else "",
    )


def log_account(by: Any, action: str, detail: str) -> AccessEvent:
    """A management or login event (code E), not about a dossier."""
    return append(
        user_id=getattr(by, "pk", None),
        role=getattr(by, "role", "") or "",
        organisation_id=getattr(by, "organisation_id", None),
        code=Code.EXECUTE,
        action=action,
        purpose="administration",
        detail=detail[:200],
    )


def log_authentication(
    user: User | None, action: str, *, authorised: bool, detail: str = ""
) -> AccessEvent:
    """A line about signing in or out (code E, purpose ``authentication``): ids only.

    ``user`` is the account the attempt was for, or ``None`` when the username given
    belongs to no account: what was typed is never written (it may be a real user's name
    with a typo, or a password typed in the wrong field). ``authorised`` is false for a
    failed login and a lockout."""
    return append(
        user_id=user.pk if user is not None else None,
        role=user.role if user is not None else "",
        organisation_id=user.organisation_id if user is not None else None,
        code=Code.EXECUTE,
        action=action,
        purpose=Purpose.AUTHENTICATION,
        authorised=authorised,
        detail=detail,
    )


# --- Refused reads ---------------------------------------------------------------------------

REFUSED_LINES_PER_WINDOW = 10
"""At most this many refused-read lines per user in one window; the refusals after them
are counted, and the count is written as one line (see docs/logging.md)."""

REFUSAL_WINDOW_SECONDS = 10 * 60
"""The windows are fixed ten-minute periods of the clock (UTC): 09:00:00-09:09:59, ..."""

COUNT_KEPT_SECONDS = 90 * 24 * 60 * 60
"""How long a window's count of suppressed refusals waits in the cache for the moment it
is written: the user's next refused read in a later window, login or logout."""

_CACHE_PREFIX = "baken:refused"


def _window(now: datetime) -> int:
    return int(now.timestamp()) // REFUSAL_WINDOW_SECONDS


def _key(user_id: int, *parts: object) -> str:
    return ":".join((_CACHE_PREFIX, str(user_id), *(str(part) for part in parts)))


def refuse(user: Any, dossier: Dossier, now: datetime | None = None) -> NoReturn:
    """Refuse ``user`` the existing ``dossier`` they need not know: log the refused read,
    then raise the same 404 as for a dossier that does not exist.

    Whatever the log does (a line, a count, a cache or a database that fails), the answer
    is this 404: an error page instead would tell the user that the dossier exists. A line
    that could not be written is reported in the application log instead."""
    if isinstance(user, User):
        try:
            log_refused(user, dossier, now)
        except Exception as exc:
            log.error(
                "refused_read_not_logged",
                exc_type=type(exc).__name__,
                user_id=user.pk,
                dossier_id=dossier.pk,
            )
    raise Http404("no such dossier")


def log_refused(user: User, dossier: Dossier, now: datetime | None = None) -> AccessEvent | None:
    """The access-log line (code R, ``read_refused``, ``authorised`` false) for a request
    for ``dossier`` by ``user``, who may not see it; ``None`` when this window's lines for
    the user are used up (the refusal is then counted, see :func:`flush_refusals`).

    The line names the dossier and the organisation responsible for it, so its "Wie keek
    er" page shows the attempt, and nothing else about the dossier (no consent, no case
    team). Every view decides access before it opens a transaction, so the line commits
    although the request ends in a 404."""
    now = now or timezone.now()
    flush_refusals(user, now)
    try:
        written = _claim_line(user.pk, _window(now))
    except Exception:  # a cache that is down: then every refusal gets its line
        written = True
    if not written:
        return None
    return append(
        user_id=user.pk,
        role=user.role,
        organisation_id=user.organisation_id,
        responsible_organisation_id=dossier.organisation_id,
        dossier_id=dossier.pk,
        code=Code.READ,
        action=Action.READ_REFUSED,
        purpose=Purpose.CARE,
        authorised=False,
    )


def _claim_line(user_id: int, window: int) -> bool:
    """Whether this refusal gets its own line: one of the window's numbered slots is still
    free. ``cache.add`` claims a slot atomically on every cache backend (the database cache
    through its primary key), so the limit holds under parallel requests too; ``incr`` is
    only atomic on some backends, so it only counts what is suppressed."""
    live = 2 * REFUSAL_WINDOW_SECONDS
    full = _key(user_id, window, "full")
    if cache.get(full) is None:
        for slot in range(1, REFUSED_LINES_PER_WINDOW + 1):
            if cache.add(_key(user_id, window, "line", slot), 1, timeout=live):
                return True
        cache.set(full, 1, timeout=live)
    counted = _key(user_id, window, "suppressed")
    if cache.add(counted, 1, timeout=COUNT_KEPT_SECONDS):
        # The first suppressed refusal of the window: remember to write the count.
        cache.set(_key(user_id, "pending"), window, timeout=COUNT_KEPT_SECONDS)
    else:
        try:
            cache.incr(counted)
        except ValueError:  # expired between add and incr
            cache.add(counted, 1, timeout=COUNT_KEPT_SECONDS)
    return False


def flush_refusals(user: User, now: datetime | None = None) -> AccessEvent | None:
    """Write the count of ``user``'s refusals that were not logged one by one in a window
    that has ended, as one ``read_refused`` line without a dossier whose ``detail`` is the
    number; ``None`` when there is none to write. Called on the user's next refused read,
    login and logout; written once, whichever process comes first."""
    now = now or timezone.now()
    try:
        pending = cache.get(_key(user.pk, "pending"))
        if not isinstance(pending, int) or pending >= _window(now):
            return None
        if not cache.add(_key(user.pk, pending, "written"), 1, timeout=COUNT_KEPT_SECONDS):
            return None
        count = cache.get(_key(user.pk, pending, "suppressed"))
    except Exception:  # a cache that is down: the count waits for a later call
        return None
    if not isinstance(count, int) or count < 1:
        return None
    return append(
        user_id=user.pk,
        role=user.role,
        organisation_id=user.organisation_id,
        code=Code.READ,
        action=Action.READ_REFUSED,
        purpose=Purpose.CARE,
        authorised=False,
        detail=str(count),
    )
