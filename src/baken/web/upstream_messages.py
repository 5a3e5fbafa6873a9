"""Django's own texts that Baken's pages can show, kept for translation.

Django's Dutch catalogue addresses the user with "u"; Baken uses "je" (docs/glossary.md).
The main catalogue overrides these texts, and ``make messages`` only keeps entries whose
msgid occurs in our own source, so the msgids are listed here, unchanged from Django
(django.contrib.auth's forms and password validators), and marked for extraction.
Nothing imports this module.
"""

from django.utils.translation import gettext_noop, ngettext_lazy

DJANGO_MESSAGES = [
    gettext_noop("This account is inactive."),
    gettext_noop("Enter new password"),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
]
