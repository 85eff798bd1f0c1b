"""A database error never carries what was being written (people's words, team names, ids)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from bot import db


def test_a_failed_statement_does_not_show_its_values(tmp_path, caplog):
    engine = db.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, team TEXT NOT NULL UNIQUE)"))
        conn.execute(sa.text("INSERT INTO t (team) VALUES (:team)"), {"team": "Ward 7 (Jane's team)"})
    with pytest.raises(sa.exc.IntegrityError) as failed:
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO t (team) VALUES (:team)"), {"team": "Ward 7 (Jane's team)"})
    assert "Jane" not in str(failed.value) and "hidden" in str(failed.value)
    engine.dispose()

