"""Every access-log test keeps its checkpoints in its own folder (the folder outside the
database that verify trusts), so no test sees another's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def checkpoint_dir(settings: Any, tmp_path: Path) -> Path:
    """BAKEN_AUDIT_CHECKPOINT_DIR for this test: an empty folder of its own."""
    folder = tmp_path / "checkpoints"
    settings.BAKEN_AUDIT_CHECKPOINT_DIR = folder
    return folder
