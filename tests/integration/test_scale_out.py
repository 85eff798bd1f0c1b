"""Two Rasa servers sharing a PostgreSQL tracker store and a Redis lock store: one conversation
alternating between them keeps its state (needs `make test`, which starts both services)."""
from __future__ import annotations

import os

import pytest
import sqlalchemy as sa

from bot import db
from bot.runner import Stack, ephemeral_settings, model_path
from bot.settings import load_settings
from tests.integration.conftest import Bot, _fresh_postgres, start_bot


@pytest.fixture(scope="module")
def two_servers():
    pg, redis_url = os.environ.get("TEST_POSTGRES_URL"), os.environ.get("TEST_REDIS_URL")
    if not (pg and redis_url):
        pytest.fail("TEST_POSTGRES_URL and TEST_REDIS_URL are required: run the tests with `make test`")
    url = _fresh_postgres(pg)
    first = start_bot(url, {"LOCK_STORE_URL": redis_url})
    settings = ephemeral_settings(url, {"ACTION_PORT": str(first.stack.settings.action_port)})
    second_stack = Stack(settings)
    env = {**first.env, "RASA_PORT": str(settings.rasa_port)}
    second_stack.start_rasa(env, model=model_path(load_settings()))
    second_stack.wait_ready(timeout=180)
    second = Bot(second_stack, settings.rasa_url, url, env)
    yield first, second
    second_stack.stop()
    first.stack.stop()
    db.get_engine(url).dispose()


def test_conversation_alternating_between_two_rasa_servers(two_servers):
    a, b = two_servers
    sender = "scale-1"
    servers = [a, b]
    replies = []
    script = ["/start_self_check", "I work in the service", "Outreach team", "3", "2", "3", "1", "2", "3", "skip", "yes"]
    for i, text in enumerate(script):
        replies.append(servers[i % 2].text(sender, text))
    assert "Statement 1 of 6" in replies[2] and "Statement 6 of 6" in replies[7]
    assert "Overall" in replies[-1]
    rows = a.rows("SELECT COUNT(*) FROM submission WHERE team = 'Outreach team'")
    assert rows == [(1,)]
    lock_log = "\\n".join(open(p).read() for p in a.stack.logs.values() if p.exists())
    assert "Traceback" not in lock_log
