"""`rasa test` on the end-to-end test stories (tests/test_stories.yml), with the real action server."""
from __future__ import annotations

import subprocess
import sys

from bot.runner import ROOT, Stack, free_port, model_path, stack_env
from bot.settings import load_settings


def test_rasa_test_stories_pass(tmp_path):
    settings = load_settings({"DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}", "ACTION_PORT": str(free_port())})
    from bot import db

    db.migrate(settings.database_url)
    env = stack_env(settings)
    stack = Stack(settings)
    stack.start_actions(env)
    try:
        stack.wait_ready(timeout=60)
        out = tmp_path / "results"
        proc = subprocess.run(
            [sys.executable, "-m", "rasa", "test", "core", "--model", str(model_path(load_settings())),
             "--stories", "tests/test_stories.yml", "--endpoints", "endpoints.yml", "--out", str(out),
             "--fail-on-prediction-errors", "--no-plot"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
        )
        failed = (out / "failed_test_stories.yml")
        detail = failed.read_text() if failed.exists() else ""
        assert proc.returncode == 0, f"rasa test failed:\n{detail}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    finally:
        stack.stop()
