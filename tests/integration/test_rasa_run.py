"""Plain `rasa run`, as a Rasa user would type it in the project folder, starts and answers with
only the documented environment (no ACTION_SERVER_URL, no Slack variables)."""
from __future__ import annotations

import json
import subprocess
import sys
import urllib.request

from bot.runner import ROOT, base_env, free_port, model_path, wait_http
from bot.settings import load_settings


def test_plain_rasa_run_starts_with_the_repository_files(tmp_path):
    port = free_port()
    env = {k: v for k, v in base_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'coprod.db'}"}).items()
           if k not in ("ACTION_SERVER_URL", "SLACK_TOKEN", "SLACK_SIGNING_SECRET", "LOCK_STORE_URL")}
    log = open(tmp_path / "rasa.log", "wb")
    proc = subprocess.Popen([sys.executable, "-m", "rasa", "run", "--model", str(model_path(load_settings())),
                             "--port", str(port), "--interface", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_http(f"http://127.0.0.1:{port}/webhooks/rest/", 180, proc)
        request = urllib.request.Request(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                                         data=json.dumps({"sender": "plain", "message": "what is co-production?"}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as r:
            messages = json.loads(r.read())
        assert "Source:" in messages[0]["text"]
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()
