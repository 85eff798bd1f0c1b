"""Integration fixtures: the real action server and Rasa server on free ports, over HTTP.

Each backend (SQLite always; PostgreSQL when TEST_POSTGRES_URL is set, which `make test`
does after starting a local server) gets its own fresh database and its own stack.
"""
from __future__ import annotations

import asyncio
import json
import os
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Dict, List, Optional

import pytest
import sqlalchemy as sa

from bot import db
from bot.runner import Stack, ephemeral_settings, model_path, stack_env
from bot.settings import load_settings


def run_coroutine(coro: Any) -> Any:
    """Run a coroutine to the end in its own thread (other tests may leave an event loop running here)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


def _fresh_postgres(base_url: str) -> str:
    name = f"coprod_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base_url.rsplit("/", 1)[0] + f"/{name}"


def backends() -> List[str]:
    out = ["sqlite"]
    if os.environ.get("TEST_POSTGRES_URL"):
        out.append("postgresql")
    elif os.environ.get("CI_REQUIRE_POSTGRES"):
        raise RuntimeError("TEST_POSTGRES_URL is not set; run the tests with `make test`")
    return out


def database_for(kind: str, tmp_dir) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_dir / 'coprod.db'}"
    return _fresh_postgres(os.environ["TEST_POSTGRES_URL"])


@dataclass
class Bot:
    """A running stack and helpers to talk to it."""

    stack: Stack
    url: str
    database_url: str
    env: Dict[str, str]

    def post(self, body: Any, raw: Optional[bytes] = None) -> tuple:
        data = raw if raw is not None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.url}/webhooks/rest/webhook", data=data,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def say(self, sender: str, text: str) -> List[Dict[str, Any]]:
        status, messages = self.post({"sender": sender, "message": text})
        assert status == 200, messages
        return messages

    def text(self, sender: str, text: str) -> str:
        return "\n".join(m.get("text", "") for m in self.say(sender, text))

    def engine(self) -> sa.engine.Engine:
        return db.get_engine(self.database_url)

    def rows(self, sql: str, **params: Any) -> List[tuple]:
        with self.engine().connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]

    def user_turns(self, sender_id: str, at_least: int = 0, timeout: float = 10.0) -> int:
        """How many user turns the tracker store holds for `sender_id` ("socketio:<id>", "rest:<id>").

        Over socket.io Rasa emits the bot's messages before it saves the tracker, so a reply can
        arrive a moment before its turn is in the database: wait (up to `timeout`) until at least
        `at_least` turns are there, then return the count, which the caller compares exactly."""
        deadline = time.monotonic() + timeout
        while True:
            count = self.rows("SELECT COUNT(*) FROM events WHERE sender_id = :s AND type_name = 'user'",
                              s=sender_id)[0][0]
            if count >= at_least or time.monotonic() > deadline:
                return count
            time.sleep(0.05)


def start_bot(database_url: str, extra_env: Optional[Dict[str, str]] = None, actions: bool = True) -> Bot:
    db.migrate(database_url)
    settings = ephemeral_settings(database_url, extra_env)  # the stack's own settings see the same env
    stack = Stack(settings)
    env = stack_env(settings, {"SESSION_SECRET": "test-secret", **(extra_env or {})})
    if actions:
        stack.start_actions(env)
    stack.start_rasa(env, model=model_path(load_settings()))
    try:
        stack.wait_ready(timeout=180)
    except Exception:
        logs = "\n".join(f"--- {n}\n{stack.tail(n)}" for n in stack.procs)
        stack.stop()
        raise RuntimeError(f"stack did not start:\n{logs}")
    return Bot(stack, settings.rasa_url, database_url, env)


@pytest.fixture(scope="session", params=backends())
def bot(request, tmp_path_factory):
    if not model_path(load_settings()).exists():
        pytest.fail("No trained model: run `make test` (it trains first)")
    url = database_for(request.param, tmp_path_factory.mktemp(request.param))
    b = start_bot(url)
    yield b
    b.stack.stop()
    db.get_engine(url).dispose()


@pytest.fixture
def sender():
    return f"test-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def staffed(tmp_path_factory):
    """A stack with Slack and the handoff channel on, posting to a loopback stand-in for Slack."""
    from tests.integration.slack_standin import HANDOFF_CHANNEL, SECRET, FakeSlackAPI

    api = FakeSlackAPI()
    url = f"sqlite:///{tmp_path_factory.mktemp('handoff') / 'coprod.db'}"
    bot = start_bot(url, {"SLACK_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": api.url,
                          "HANDOFF_SLACK_CHANNEL": HANDOFF_CHANNEL})
    yield bot, api
    bot.stack.stop()
    api.server.shutdown()
