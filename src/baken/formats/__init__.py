"""Baken's own locale formats (FORMAT_MODULE_PATH): one Dutch way to write a date or a time."""
