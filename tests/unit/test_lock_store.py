"""bot.rasa_ext.lock_store against a real Redis (TEST_REDIS_URL, started by `make test`): two
stores, as two Rasa servers would have, share one conversation's lock. Also against a Redis of its
own that speaks only TLS and has a user with a password (`tls_redis_url`), as managed Redis services do."""
from __future__ import annotations

import asyncio
import os
import secrets
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Awaitable, Callable, Coroutine, Dict, List

import pytest
import redis.asyncio as aioredis
from rasa.core.lock_store import LockError, LockStore
from rasa.utils.endpoints import EndpointConfig, read_endpoint_config

from bot.rasa_ext.lock_store import CoprodLockStore
from bot.runner import effective_endpoints, free_port, port_in_use


@pytest.fixture(scope="module")
def redis_url() -> str:
    url = os.environ.get("TEST_REDIS_URL")
    if not url:
        pytest.fail("TEST_REDIS_URL is required: run the tests with `make test` "
                    "(or `bash scripts/test_services.sh && source var/test-services.env`)")
    return url


@pytest.fixture
def conversation() -> str:
    return f"lock-test-{uuid.uuid4().hex}"


@pytest.fixture(scope="module")
def tls_redis_url(tmp_path_factory) -> Any:
    """A Redis that accepts only TLS (a certificate made here) and only the user `coprod` with a
    random password; yields its rediss:// URL, which names the certificate to trust."""
    d = tmp_path_factory.mktemp("tls-redis")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(d / "key.pem"), "-out", str(d / "cert.pem")],
                   check=True, capture_output=True)
    password, port = secrets.token_hex(16), free_port()
    (d / "redis.conf").write_text("\n".join([
        "port 0", f"tls-port {port}", "bind 127.0.0.1", 'save ""', "appendonly no", "tls-auth-clients no",
        f"tls-cert-file {d / 'cert.pem'}", f"tls-key-file {d / 'key.pem'}", f"tls-ca-cert-file {d / 'cert.pem'}",
        "user default off", f"user coprod on >{password} ~* &* +@all", ""]))
    server = subprocess.Popen(["redis-server", str(d / "redis.conf")], stdout=subprocess.DEVNULL,
                              stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        while not port_in_use("127.0.0.1", port):
            assert server.poll() is None and time.monotonic() < deadline, "the TLS Redis did not start"
            time.sleep(0.05)
        yield f"rediss://coprod:{password}@127.0.0.1:{port}/2?ssl_ca_certs={d / 'cert.pem'}"
    finally:
        server.terminate()
        server.wait(10)


def store(url: str) -> CoprodLockStore:
    """A store as a Rasa server makes it from our endpoints file: the whole URL (bot.runner.effective_endpoints)."""
    return CoprodLockStore(EndpointConfig(url=url, key_prefix="coprodtest"))


def run(main: Callable[..., Coroutine[Any, Any, Any]], *args: Any) -> Any:
    """Run `main(*args)` in a fresh event loop of its own thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main(*args)).result()


async def with_stores(url: str, count: int, body: Callable[..., Awaitable[Any]]) -> Any:
    stores = [store(url) for _ in range(count)]
    try:
        return await body(*stores)
    finally:
        for s in stores:
            await s.close()


async def queued(s: CoprodLockStore, conversation: str) -> int:
    return int(await s.red.zcard(s.queue_key(conversation)))


async def until_queued(s: CoprodLockStore, conversation: str, tickets: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while await queued(s, conversation) < tickets:
        assert time.monotonic() < deadline, f"fewer than {tickets} tickets queued after {timeout} s"
        await asyncio.sleep(0.001)


def test_endpoints_register_this_store(redis_url, monkeypatch):
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:1/webhook")
    monkeypatch.setenv("LOCK_STORE_URL", redis_url)  # the Rasa server's environment
    path = effective_endpoints({"LOCK_STORE_URL": redis_url, "RASA_PORT": "unit-lock-store"})
    created = LockStore.create(read_endpoint_config(str(path), "lock_store"))
    assert type(created) is CoprodLockStore and created.key_prefix == "coprod:turns:"
    path.unlink()


def test_a_tls_url_with_a_user_reaches_the_store_and_its_password_stays_off_disk(monkeypatch):
    url = "rediss://coprod:s3cret-pw@redis.example:6380/3?ssl_ca_certs=/etc/ssl/certs/ca-certificates.crt"
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:1/webhook")
    monkeypatch.setenv("LOCK_STORE_URL", url)
    path = effective_endpoints({"LOCK_STORE_URL": url, "RASA_PORT": "unit-lock-store-tls"})
    try:
        assert "s3cret-pw" not in path.read_text()
        created = LockStore.create(read_endpoint_config(str(path), "lock_store"))
    finally:
        path.unlink()
    assert isinstance(created, CoprodLockStore)
    pool = created.red.connection_pool
    assert pool.connection_class is aioredis.SSLConnection
    options = pool.connection_kwargs
    assert (options["host"], options["port"], options["db"]) == ("redis.example", 6380, 3)
    assert (options["username"], options["password"]) == ("coprod", "s3cret-pw")
    assert options["ssl_ca_certs"] == "/etc/ssl/certs/ca-certificates.crt"


def test_rasa_style_host_options_still_work():
    created = CoprodLockStore(EndpointConfig(url="redis.example", port=6390, db=4, username="u", password="p",
                                             use_ssl=True))
    pool = created.red.connection_pool
    assert pool.connection_class is aioredis.SSLConnection
    assert {k: pool.connection_kwargs[k] for k in ("host", "port", "db", "username", "password")} == \
        {"host": "redis.example", "port": 6390, "db": 4, "username": "u", "password": "p"}
    assert CoprodLockStore(EndpointConfig(url="redis://redis.example")).red.connection_pool.connection_kwargs["db"] == 1


def test_the_lock_works_over_tls_with_a_user_and_password(tls_redis_url, conversation):
    order: List[str] = []

    async def turn(s: CoprodLockStore, name: str) -> None:
        async with s.lock(conversation):
            order.append(f"{name} in")
            await asyncio.sleep(0.01)
            order.append(f"{name} out")

    async def body(a: CoprodLockStore, b: CoprodLockStore) -> None:
        await asyncio.gather(turn(a, "a"), turn(b, "b"))
        assert await a.red.zcard(a.queue_key(conversation)) == 0  # both tickets released

    run(with_stores, tls_redis_url, 2, body)
    assert sorted(order) == ["a in", "a out", "b in", "b out"]
    assert order[1] == order[0].replace("in", "out")  # one at a time


def test_a_wrong_password_over_tls_is_a_lock_error(tls_redis_url, conversation):
    wrong = tls_redis_url.replace("coprod:", "coprod:not-", 1)

    async def body(s: CoprodLockStore) -> None:
        with pytest.raises(LockError):
            async with s.lock(conversation):
                pass

    run(with_stores, wrong, 1, body)


def test_two_stores_in_two_threads_never_overlap(redis_url, conversation):
    """Two event loops with a store each (two servers), 20 turns each at once; each turn reads a
    shared counter, awaits, writes it back: any overlap loses an increment or shows as two inside."""
    shared: Dict[str, int] = {"count": 0, "inside": 0, "most_inside": 0}
    guard, start = threading.Lock(), threading.Barrier(2)

    async def turn(s: CoprodLockStore) -> None:
        async with s.lock(conversation):
            with guard:
                shared["inside"] += 1
                shared["most_inside"] = max(shared["most_inside"], shared["inside"])
            value = shared["count"]
            await asyncio.sleep(0.002)
            shared["count"] = value + 1
            with guard:
                shared["inside"] -= 1

    async def server() -> None:
        s = store(redis_url)
        start.wait()
        try:
            await asyncio.gather(*(turn(s) for _ in range(20)))
        finally:
            await s.close()

    with ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(asyncio.run, server()) for _ in range(2)]:
            future.result(timeout=60)
    assert shared == {"count": 40, "inside": 0, "most_inside": 1}


def test_first_come_first_served_across_two_stores(redis_url, conversation):
    async def body(a: CoprodLockStore, b: CoprodLockStore) -> List[int]:
        order: List[int] = []

        async def turn(s: CoprodLockStore, k: int) -> None:
            async with s.lock(conversation):
                order.append(k)
                await asyncio.sleep(0.001)

        tasks = []
        async with a.lock(conversation):  # hold the lock while ten turns queue up, alternating stores
            for k in range(10):
                tasks.append(asyncio.create_task(turn((a, b)[k % 2], k)))
                await until_queued(a, conversation, k + 2)  # turn k has its ticket before k+1 asks
        await asyncio.gather(*tasks)
        return order

    assert run(with_stores, redis_url, 2, body) == list(range(10))


def test_release_removes_only_the_callers_ticket(redis_url, conversation):
    async def body(a: CoprodLockStore, b: CoprodLockStore) -> None:
        async with a.lock(conversation):
            waiter = uuid.uuid4().hex
            await b.issue(conversation, waiter, 60_000)
            assert not await b.release(conversation, uuid.uuid4().hex)  # nobody's token: nothing removed
            assert await queued(a, conversation) == 2
            assert await b.release(conversation, waiter)  # its own ticket
            assert await queued(a, conversation) == 1
            third = uuid.uuid4().hex
            await b.issue(conversation, third, 60_000)
            assert not await b.is_my_turn(conversation, third, 60_000)  # the holder still holds
            await b.release(conversation, third)
        assert await queued(a, conversation) == 0

    run(with_stores, redis_url, 2, body)


def test_an_expired_holder_lets_the_next_in_and_its_late_release_changes_nothing(redis_url, conversation):
    async def body(a: CoprodLockStore, b: CoprodLockStore) -> None:
        crashed = uuid.uuid4().hex  # takes the lock with a 0.3 s lifetime and never releases it
        await a.issue(conversation, crashed, 300)
        assert await a.is_my_turn(conversation, crashed, 300)
        started = time.monotonic()
        async with b.lock(conversation):
            assert time.monotonic() - started >= 0.25  # it waited for the expiry
            assert not await a.release(conversation, crashed)  # the late release of the crashed holder
            later = uuid.uuid4().hex
            await a.issue(conversation, later, 60_000)
            assert not await a.is_my_turn(conversation, later, 60_000)  # b still holds
        assert await a.is_my_turn(conversation, later, 60_000)
        await a.release(conversation, later)

    run(with_stores, redis_url, 2, body)


def test_a_waiter_gets_a_whole_lifetime_once_its_turn_comes(redis_url, conversation):
    async def body(a: CoprodLockStore, b: CoprodLockStore) -> int:
        waiter = uuid.uuid4().hex
        async with a.lock(conversation):
            await b.issue(conversation, waiter, 500)
            assert not await b.is_my_turn(conversation, waiter, 500)
            await asyncio.sleep(0.3)  # most of the waiter's lifetime passes in the queue
        assert await b.is_my_turn(conversation, waiter, 500)
        left = int(await b.red.pttl(b.ticket_key(waiter)))
        await b.release(conversation, waiter)
        return left

    assert run(with_stores, redis_url, 2, body) > 400


def test_lock_error_when_the_wait_outlasts_the_lifetime(redis_url, conversation):
    async def body(a: CoprodLockStore, b: CoprodLockStore) -> float:
        async with a.lock(conversation):
            started = time.monotonic()
            with pytest.raises(LockError):
                async with b.lock(conversation, lock_lifetime=0.3):
                    pytest.fail("entered while another store held the lock")
            waited = time.monotonic() - started
            assert await queued(a, conversation) == 1  # the holder's ticket only
        async with b.lock(conversation, lock_lifetime=0.3):  # free again at once
            pass
        return waited

    assert 0.25 <= run(with_stores, redis_url, 2, body) < 5
