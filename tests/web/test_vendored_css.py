"""The vendored NL Design System CSS is a subset made by `make vendor` (scripts/vendor.sh)
for the classes our templates and Python code use; these tests fail when a template gains
a class or a stylesheet a design token that the subset was not made for."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "baken"
VENDOR = PACKAGE / "web" / "static" / "vendor"
# The same pattern as scripts/vendor/subset.mjs: a name, or the fixed start of one that a
# template variable or an f-string field completes.
CLASS = re.compile(r"utrecht-[a-z0-9_-]*(?:\{(?=[{A-Za-z_]))?")


def _used_names() -> set[str]:
    files = [*PACKAGE.glob("**/templates/**/*.html"), *PACKAGE.glob("**/*.py")]
    return {m.removesuffix("{") for f in files for m in CLASS.findall(f.read_text("utf-8"))}


def test_every_utrecht_class_in_the_code_is_in_the_vendored_subset() -> None:
    """Each utrecht-… class (or class prefix) in a template or Python file is one the
    vendored CSS was subset for, so its rules were kept; otherwise `make vendor` is due."""
    vendored = set((VENDOR / "utrecht" / "SUBSET.txt").read_text("utf-8").split())
    missing = sorted(_used_names() - vendored)
    assert missing == [], f"run `make vendor`: the vendored CSS lacks {missing}"


def test_every_design_token_our_stylesheets_read_is_vendored() -> None:
    """Every custom property our own stylesheets read without a fallback is defined, in
    the vendored theme, the vendored components or our own stylesheets."""
    own = [p for p in PACKAGE.glob("**/static/**/*.css") if VENDOR not in p.parents]
    defined: set[str] = set()
    for css in [*VENDOR.glob("**/*.css"), *own]:
        defined |= set(re.findall(r"(--[A-Za-z0-9_-]+)\s*:", css.read_text("utf-8")))
    read = {
        name
        for css in own
        for name in re.findall(r"var\(\s*(--[A-Za-z0-9_-]+)\s*\)", css.read_text("utf-8"))
    }
    assert sorted(read - defined) == [], "run `make vendor`: a token our CSS reads is missing"
