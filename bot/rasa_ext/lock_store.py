"""A Redis lock store with an atomic acquire and a token-checked release.

Several Rasa servers share one lock store so that the messages of one conversation are
processed one at a time. Rasa's RedisLockStore reads the lock, adds a ticket and writes the
lock back in separate round trips (RasaHQ/rasa#9213): two servers receiving messages of one
conversation at the same moment can both believe they hold it and process a turn twice on
the same state; it also polls once a second. Here every step is one Lua script:

- issue: INCR a ticket number, give the caller's ticket its own key with a PX expiry (the lock
  lifetime, so the ticket of a crashed server disappears) and queue it in the conversation's
  sorted set, scored by number: first come, first served;
- check: drop expired tickets from the head of the queue and tell whether the caller's ticket
  is at the head (its expiry then restarts: the holder gets a whole lifetime);
- release: remove the caller's own ticket (a random token), never anyone else's.

Waiters poll every POLL_SECONDS. A waiter whose own ticket expired (it waited longer than the
lock lifetime, TICKET_LOCK_LIFETIME) gets Rasa's LockError, as with Rasa's store.
`bot.runner.effective_endpoints` configures it (`lock_store: type: bot.rasa_ext.lock_store.
CoprodLockStore`) when LOCK_STORE_URL is set.
"""
from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections import deque
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Dict, List, Optional, Union

import redis.asyncio as aioredis
from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError

from bot.conversation_ids import log_id

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.02
SOCKET_TIMEOUT_SECONDS = 10.0

# KEYS: counter, queue, ticket  ARGV: token, lifetime (ms)  -> the ticket's number
_ISSUE = """
local number = redis.call('INCR', KEYS[1])
redis.call('SET', KEYS[3], number, 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], number, ARGV[1])
if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[2], ARGV[2]) end
return number
"""
# KEYS: queue, ticket  ARGV: ticket key prefix, token, lifetime (ms)
# -> 1 the caller's turn, 0 someone is ahead, -1 the caller's ticket has expired
_CHECK = """
local head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
while head and redis.call('EXISTS', ARGV[1] .. head) == 0 do
  redis.call('ZREM', KEYS[1], head)
  head = redis.call('ZRANGE', KEYS[1], 0, 0)[1]
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('ZREM', KEYS[1], ARGV[2])
  return -1
end
if head ~= ARGV[2] then return 0 end
redis.call('PEXPIRE', KEYS[2], ARGV[3])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[3]) then redis.call('PEXPIRE', KEYS[1], ARGV[3]) end
return 1
"""
# KEYS: queue, ticket  ARGV: token  -> 1 if the caller's ticket was still queued
_RELEASE = """
redis.call('DEL', KEYS[2])
return redis.call('ZREM', KEYS[1], ARGV[1])
"""


def redis_client(address: str, options: Optional[Dict[str, Any]] = None) -> "aioredis.Redis":
    """The Redis client for `address`: a whole Redis URL (redis://, rediss:// for TLS, user name and
    password, /db, redis-py's query options such as ssl_ca_certs), or, as in Rasa's own lock store,
    a host name with `port`, `db`, `username`, `password` and `use_ssl` in `options`.
    The db is 1 unless given (Rasa's default for lock stores)."""
    options = options or {}
    timeout = float(options.get("socket_timeout", SOCKET_TIMEOUT_SECONDS))
    if "://" in address:
        return aioredis.from_url(address, db=1, socket_timeout=timeout)  # the URL's own parts win
    return aioredis.Redis(host=address, port=int(options.get("port", 6379)), db=int(options.get("db", 1)),
                          username=options.get("username"), password=options.get("password"),
                          ssl=bool(options.get("use_ssl", False)), socket_timeout=timeout)


class CoprodLockStore(LockStore):
    """Ticket lock per conversation on Redis, shared by every Rasa server (see the module docstring)."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **options: Any) -> None:
        if endpoint_config is not None:
            options = {"host": endpoint_config.url, **endpoint_config.kwargs, **options}
        self.red = redis_client(str(options.get("host") or "localhost"), options)
        self.key_prefix = key_prefix(str(options.get("key_prefix") or ""))
        self._issue = self.red.register_script(_ISSUE)
        self._check = self.red.register_script(_CHECK)
        self._release_script = self.red.register_script(_RELEASE)
        where = self.red.connection_pool.connection_kwargs
        logger.info("Lock store: atomic, first come first served, on Redis %s:%s db %s%s", where.get("host"),
                    where.get("port"), where.get("db"), " over TLS" if self.red.connection_pool.connection_class
                    is aioredis.SSLConnection else "")
        super().__init__()

    def queue_key(self, conversation_id: str) -> str:
        """The conversation's queue; named by a hash, so Redis holds no web-chat session id."""
        return f"{self.key_prefix}queue:{hashlib.sha256(conversation_id.encode()).hexdigest()[:32]}"

    def counter_key(self) -> str:
        return f"{self.key_prefix}counter"

    def ticket_key(self, token: str) -> str:
        return f"{self.key_prefix}ticket:{token}"

    @asynccontextmanager
    async def lock(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        """Wait for this conversation's turn (first come, first served); release it on leaving."""
        lifetime_ms = max(1, int(lock_lifetime * 1000))
        token = uuid.uuid4().hex
        number = await self.issue(conversation_id, token, lifetime_ms)
        try:
            poll = max(0.001, min(POLL_SECONDS, wait_time_in_seconds))
            await self._wait_for_turn(conversation_id, token, lifetime_ms, poll)
            yield TicketLock(conversation_id, deque([Ticket(number, time.time() + lock_lifetime)]))
        finally:
            await asyncio.shield(self.release(conversation_id, token))

    async def issue(self, conversation_id: str, token: str, lifetime_ms: int) -> int:
        """Queue a ticket for `token`; returns its number."""
        logger.debug("Issuing a ticket for conversation %s", log_id(conversation_id))
        keys = [self.counter_key(), self.queue_key(conversation_id), self.ticket_key(token)]
        return await self._run(self._issue, keys, [token, lifetime_ms])

    async def is_my_turn(self, conversation_id: str, token: str, lifetime_ms: int) -> bool:
        """True when `token` holds the lock; LockError when its ticket has expired."""
        keys = [self.queue_key(conversation_id), self.ticket_key(token)]
        state = await self._run(self._check, keys, [self.ticket_key(""), token, lifetime_ms])
        if state < 0:
            raise LockError("The ticket expired before the conversation's turn came "
                            "(waited longer than the lock lifetime).")
        return state == 1

    async def release(self, conversation_id: str, token: str) -> bool:
        """Remove `token`'s ticket (only that one); True if it was still queued."""
        keys = [self.queue_key(conversation_id), self.ticket_key(token)]
        try:
            return await self._run(self._release_script, keys, [token]) == 1
        except LockError as error:  # the ticket expires by itself
            logger.warning("Could not release a conversation lock: %s", error)
            return False

    async def close(self) -> None:
        await self.red.close()
        await self.red.connection_pool.disconnect()  # also the pool's TLS connections, before the loop ends

    async def _wait_for_turn(self, conversation_id: str, token: str, lifetime_ms: int, poll: float) -> None:
        while not await self.is_my_turn(conversation_id, token, lifetime_ms):
            await asyncio.sleep(poll)
        logger.debug("Acquired the lock for conversation %s", log_id(conversation_id))

    @staticmethod
    async def _run(script: Any, keys: List[str], args: List[Union[str, int]]) -> int:
        try:
            return int(await script(keys=keys, args=args))
        except RedisError as error:
            raise LockError(f"Error in the Redis lock store: {error}") from error


def key_prefix(prefix: str) -> str:
    """Where our keys live: '<prefix>:turns:' (Rasa's own store uses '<prefix>:lock:')."""
    if prefix and not prefix.isalnum():
        logger.warning("Ignoring the non-alphanumeric lock store key prefix %r", prefix)
        prefix = ""
    return f"{prefix}:turns:" if prefix else "turns:"
