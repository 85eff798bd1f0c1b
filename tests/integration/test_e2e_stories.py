"""`rasa test core` on the end-to-end test stories (tests/test_stories.yml). It predicts each
story's actions from the model without running them, so no action server is needed."""
from __future__ import annotations

import subprocess
import sys

from bot.runner import ROOT, base_env, model_path
from bot.settings import load_settings


def test_rasa_test_stories_pass(tmp_path):
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "rasa", "test", "core", "--model", str(model_path(load_settings())),
         "--stories", "tests/test_stories.yml", "--endpoints", "endpoints.yml", "--out", str(out),
         "--fail-on-prediction-errors", "--no-plot"],
        cwd=ROOT, env=base_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}"}), capture_output=True, text=True,
        timeout=600,
    )
    failed = out / "failed_test_stories.yml"
    detail = failed.read_text() if failed.exists() else ""
    assert proc.returncode == 0, f"rasa test failed:\n{detail}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
