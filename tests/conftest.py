"""Shared fixtures: a fresh migrated database per test, and environment hygiene."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")


def load_bench_nlu():
    """scripts/bench_nlu.py as a module (scripts/ is not a package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_nlu", ROOT / "scripts" / "bench_nlu.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def db_url(tmp_path, monkeypatch):
    """A new SQLite database with the Alembic schema, used as DATABASE_URL."""
    from bot import db, settings

    url = f"sqlite:///{tmp_path / 'test.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    settings.settings.cache_clear()
    db.migrate(url)
    yield url
    db.get_engine(url).dispose()
    db.get_engine.cache_clear()
    db._factory.cache_clear()
    settings.settings.cache_clear()
