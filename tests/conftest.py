"""Shared fixtures: the shipped roster, a private copy of it, and the real-data folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from wego_xl import roster as roster_mod

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "workbooks" / "wego_roster.xlsx"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(autouse=True)
def _fresh_roster_cache(monkeypatch):
    monkeypatch.delenv(roster_mod.ROSTER_ENV, raising=False)
    roster_mod.clear_cache()
    yield
    roster_mod.clear_cache()


@pytest.fixture
def roster_copy(tmp_path) -> Path:
    """A private copy of the shipped roster that a test may change."""
    target = tmp_path / "roster.xlsx"
    shutil.copy2(SHIPPED, target)
    return target
