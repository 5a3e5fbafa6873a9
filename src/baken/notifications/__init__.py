"""Berichten (in-app notifications), their e-mail, and reminders for deadlines.

The generic part the chain calls: :mod:`.services` writes (``notify``,
``notify_organisation``, ``schedule_reminder``, ``cancel_reminders``,
``send_due_reminders``), :mod:`.selectors` reads, :mod:`.tasks` holds the background tasks
that ``baken worker`` (:mod:`.worker`) runs. A bericht and its e-mail never carry case
content: only its kind, the organisation it is about and a link inside Baken.
"""
