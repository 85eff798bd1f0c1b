"""Two Rasa servers sharing a PostgreSQL tracker store and a Redis lock store: one conversation
alternating between them keeps its state, and messages of one conversation arriving on both
servers at the same moment are processed once each, one at a time, in arrival order
(needs `make test`, which starts both services)."""
from __future__ import annotations

import json
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Dict, List, Tuple

import pytest
import redis

from bot import db
from bot.conversation_ids import conversation_key
from bot.rasa_ext.channel_common import SORRY
from bot.rasa_ext.lock_store import CoprodLockStore
from bot.runner import Stack, ephemeral_settings, model_path
from bot.settings import load_settings
from tests.integration.conftest import Bot, _fresh_postgres, start_bot
from tests.integration.slack_standin import SECRET, FakeSlackAPI, answers_after_barrier, event, signed_post

PER_CONVERSATION = 10


@pytest.fixture(scope="module")
def two_servers():
    pg, redis_url = os.environ.get("TEST_POSTGRES_URL"), os.environ.get("TEST_REDIS_URL")
    if not (pg and redis_url):
        pytest.fail("TEST_POSTGRES_URL and TEST_REDIS_URL are required: run the tests with `make test`")
    url = _fresh_postgres(pg)
    slack = FakeSlackAPI()
    first = start_bot(url, {"LOCK_STORE_URL": redis_url, "SLACK_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": SECRET,
                            "SLACK_API_URL": slack.url})
    first.slack = slack
    settings = ephemeral_settings(url, {"ACTION_PORT": str(first.stack.settings.action_port)})
    second_stack = Stack(settings)
    env = {**first.env, "RASA_PORT": str(settings.rasa_port)}
    second_stack.start_rasa(env, model=model_path(load_settings()))
    second_stack.wait_ready(timeout=180)
    second = Bot(second_stack, settings.rasa_url, url, env)
    yield first, second
    second_stack.stop()
    first.stack.stop()
    slack.server.shutdown()
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
    lock_log = "\n".join(p.read_text() for p in a.stack.logs.values() if p.exists())
    assert "Traceback" not in lock_log


def _store_keys() -> CoprodLockStore:
    """The lock store as the servers configure it (key prefix "coprod"), to name its Redis keys."""
    return CoprodLockStore(key_prefix="coprod")


def _send(server: Bot, sender: str, text: str) -> Tuple[int, str]:
    status, messages = server.post({"sender": sender, "message": text})
    return status, "\n".join(m.get("text", "") for m in messages or [] if isinstance(m, dict))


def _stored(bot: Bot, sender: str) -> List[Tuple[str, str, float]]:
    """(type, text, timestamp) of the conversation's stored events, in the order they were written."""
    rows = bot.rows("SELECT type_name, data, timestamp FROM events WHERE sender_id = :s ORDER BY id",
                    s=conversation_key("rest", sender))
    return [(kind, json.loads(data).get("text") or "", stamp) for kind, data, stamp in rows]


def _user_texts(bot: Bot, sender: str) -> List[str]:
    return [text for kind, text, _ in _stored(bot, sender) if kind == "user"]


def _turns_never_overlap(bot: Bot, sender: str) -> bool:
    """Each message's event is later than every event written before it: no turn began while
    another was still running (two turns on the same state would interleave their times)."""
    latest = 0.0
    for kind, _, stamp in _stored(bot, sender):
        if kind == "user" and stamp < latest:
            return False
        latest = max(latest, stamp)
    return True


def _answered(results: List[Tuple[int, str]]) -> List[Tuple[int, str]]:
    """The replies that are not a proper answer (an error status, nothing, or the SORRY fallback)."""
    return [(status, text) for status, text in results if status != 200 or not text or SORRY in text]


def _tickets_issued(red: "redis.Redis") -> int:
    return int(red.get(_store_keys().counter_key()) or 0)


def test_simultaneous_messages_on_two_servers_are_each_processed_once(two_servers):
    a, b = two_servers
    red = redis.Redis.from_url(os.environ["TEST_REDIS_URL"])
    issued_before = _tickets_issued(red)
    senders = [f"burst-{uuid.uuid4().hex[:8]}-{c}" for c in range(3)]
    jobs = [(sender, k) for sender in senders for k in range(PER_CONVERSATION)]
    start = threading.Barrier(len(jobs))

    def send(job: Tuple[str, int]) -> Tuple[int, str]:
        sender, k = job
        start.wait()  # every message of every conversation leaves at the same moment, half to each server
        return _send((a, b)[k % 2], sender, f"hello {k}")

    with ThreadPoolExecutor(len(jobs)) as pool:
        results = list(pool.map(send, jobs))
    assert _answered(results) == []
    for sender in senders:
        texts = _user_texts(a, sender)
        assert sorted(texts) == sorted(f"hello {k}" for k in range(PER_CONVERSATION)), texts  # once each
        assert _turns_never_overlap(a, sender)
    assert _tickets_issued(red) - issued_before >= len(jobs)  # both servers took their turns from Redis
    for server in (a, b):
        log = server.stack.tail("rasa", 100_000)
        assert "Lock store: atomic, first come first served" in log and "Traceback" not in log


def _send_in_turn(servers: Tuple[Bot, Bot], sender: str, texts: List[str],
                  tickets_queued: Callable[[], int]) -> List[Tuple[int, str]]:
    """Send message k+1 (to the other server) as soon as message k has its ticket, while the
    earlier ones are still queued: the order of arrival at the lock store is the order sent."""
    results: Dict[int, Tuple[int, str]] = {}
    done = [0]
    guard = threading.Lock()

    def send(k: int) -> None:
        results[k] = _send(servers[k % 2], sender, texts[k])
        with guard:
            done[0] += 1

    threads = []
    for k in range(len(texts)):
        threads.append(threading.Thread(target=send, args=(k,)))
        threads[-1].start()
        deadline = time.monotonic() + 30
        # finished turns first, then queued tickets: a ticket released in between is counted at most once
        while (done[0] + tickets_queued()) < k + 1:
            assert time.monotonic() < deadline, f"message {k} got no ticket within 30 s"
            time.sleep(0.002)
    for thread in threads:
        thread.join(90)
    return [results[k] for k in range(len(texts))]


def test_messages_on_two_servers_are_processed_in_arrival_order(two_servers):
    a, b = two_servers
    red = redis.Redis.from_url(os.environ["TEST_REDIS_URL"])
    sender = f"order-{uuid.uuid4().hex[:8]}"
    queue = _store_keys().queue_key(conversation_key("rest", sender))
    texts = [f"hello {k}" for k in range(PER_CONVERSATION)]
    results = _send_in_turn((a, b), sender, texts, lambda: int(red.zcard(queue)))
    assert _answered(results) == []
    assert _user_texts(a, sender) == texts
    assert _turns_never_overlap(a, sender)
    assert red.exists(queue) == 0  # the last turn left no ticket behind


def test_a_slack_retry_reaching_the_other_server_is_answered_once(two_servers):
    a, b = two_servers
    api = a.slack
    user = f"U{uuid.uuid4().hex[:8].upper()}"
    start = len(api.posts)
    body = event("what are the benefits of co-production?", f"Ev-{uuid.uuid4().hex}", user=user)
    assert signed_post(a, body, "application/json") == 200
    api.wait_for(start + 1)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"}
    assert signed_post(b, body, "application/json", headers=retry) == 200
    answers = answers_after_barrier(b, api, start, user)  # the barrier goes to the retry's server
    assert len(answers) == 1 and "benefit" in answers[0].lower(), answers
