"""Dutch date and time formats, used by every template through the locale.

A date reads "1 december 2026", a moment "1 december 2026, 21:37" (in Nederlandse tijd,
settings.TIME_ZONE). Input formats keep ISO first: date fields are ``<input type="date">``,
which always sends YYYY-MM-DD.
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j F Y"
SHORT_DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d-%m-%Y", "%d-%m-%y", "%d/%m/%Y", "%d/%m/%y"]
FIRST_DAY_OF_WEEK = 1
