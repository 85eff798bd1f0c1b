"""Slack retries are recognised in this process, and across servers through Redis."""
from __future__ import annotations

import os
import uuid

import pytest

from bot.rasa_ext.seen_events import InProcessSeenEvents, RedisSeenEvents
from tests.integration.conftest import run_coroutine  # other tests may leave an event loop running



async def _twice(store, key):
    return [await store.check_and_add(key), await store.check_and_add(key)]


def test_in_process_a_second_sight_is_a_retry():
    store = InProcessSeenEvents()
    assert run_coroutine(_twice(store, "event:Ev1")) == [False, True]
    assert run_coroutine(store.check_and_add("event:Ev2")) is False


def test_through_redis_a_retry_reaching_another_server_is_recognised():
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.fail("TEST_REDIS_URL is required: run the tests with `make test`")
    key = f"event:{uuid.uuid4().hex}"

    async def two_servers():
        first, second = RedisSeenEvents(url), RedisSeenEvents(url)  # as two Rasa processes would have
        return [await first.check_and_add(key), await second.check_and_add(key), await first.check_and_add(key)]

    assert run_coroutine(two_servers()) == [False, True, True]
