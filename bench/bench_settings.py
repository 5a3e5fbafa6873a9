"""Baken's settings for the page benchmark: the same in every way, except the URLconf, which
adds the bare view (``bench/bare.py``) beside Baken's own URLs. Only bench/bench_pages.py
uses this (``DJANGO_SETTINGS_MODULE=bench_settings`` with ``bench/`` on the path)."""

from baken.conf.settings import *  # noqa: F403

ROOT_URLCONF = "bare"
