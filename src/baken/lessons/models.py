"""The lessons' figures: one row per closed dossier that answered the case evaluation's
structured choices (§1.2 Casusevaluatie, questions 2 and 3).

A figure holds no personal data and no way back to the case: no dossier, organisation,
user or person, no date finer than the year, no free text, and a random key (no counter
that follows the order of closing). It stays when the dossier is purged at the end of its
retention term: it is a count, not part of the record about the person.
"""

from __future__ import annotations

from uuid import uuid4

from django.db import models


class EvaluationFigure(models.Model):
    """What one organisation answered for its part of one closed case, as protocol ids."""

    id = models.UUIDField(primary_key=True, default=uuid4, editable=False)
    closed_year = models.PositiveSmallIntegerField()
    """The (local) year the dossier was closed."""
    organisation_kind = models.CharField(max_length=32)
    """The kind of the organisation that closed it (an ``OrganisationKind`` value), never
    which one."""
    categories = models.JSONField(default=list)
    """The CoMensha categories of the dossier's forms of exploitation
    (``protocol.chain.comensha.category_of``), sorted; empty for "other" only."""
    worked = models.CharField(max_length=64)
    """The ``case_evaluation.choices.worked`` id: did the chain cooperation work."""
    gaps = models.JSONField(default=list)
    """The ``case_evaluation.choices.gaps`` ids ticked, sorted."""
    lessons = models.JSONField(default=list)
    """The ``case_evaluation.choices.lessons`` ids ticked, sorted."""
    protocol_id = models.CharField(max_length=100)
    """The protocol the choice ids are from (the dossier's pinned protocol)."""

    class Meta:
        verbose_name = "evaluation figure"

    def __str__(self) -> str:
        return f"evaluation figure {self.closed_year} {self.organisation_kind}"
