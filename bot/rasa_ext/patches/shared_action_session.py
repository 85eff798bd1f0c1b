"""One kept-alive HTTP session per endpoint (the action server), closed when the server stops.

`EndpointConfig.request` opens a new aiohttp session, so a new TCP connection, for every
call to the action server (12% of the Rasa CPU of a self-check step, py-spy). We keep one
session per endpoint and event loop, with keep-alive shorter than the action server's. It
writes the request (the whole tracker) with ujson, a third of the time of `json.dumps`.
Replaces `EndpointConfig.session`, and wraps `rasa.core.run.configure_app` so that every
Rasa server app gets an `after_server_stop` listener that closes the sessions opened on its loop.
"""
from __future__ import annotations

import asyncio
import functools
import logging
from typing import Any, Callable, List, Tuple

import aiohttp
import rasa.core.run
import ujson
from rasa.utils.endpoints import EndpointConfig

from bot.rasa_ext.patches.action_timeout import ACTION_TIMEOUT_S
from bot.rasa_ext.patches.base import apply_patch, original, replace

NAME = "shared_action_session"
CLIENT_KEEPALIVE_S = 30  # must stay below the action server's keep-alive (bot.action_server)
log = logging.getLogger("coprod.patches")

_open: List[Tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]] = []  # every shared session not yet closed


class KeepOpen:
    """`async with endpoint.session() as s` without closing the shared session at the end."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc: Any) -> bool:
        return False


def shared_session(self: EndpointConfig) -> KeepOpen:
    """Rasa's session settings (headers, basic auth, timeout), made once per endpoint and loop."""
    loop = asyncio.get_running_loop()
    cached = getattr(self, "_coprod_session", None)
    if cached is None or cached[0] is not loop or cached[1].closed:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        session = aiohttp.ClientSession(headers=self.headers, auth=auth,
                                        timeout=aiohttp.ClientTimeout(total=ACTION_TIMEOUT_S),
                                        connector=aiohttp.TCPConnector(keepalive_timeout=CLIENT_KEEPALIVE_S),
                                        json_serialize=ujson.dumps)
        cached = (loop, session)
        self._coprod_session = cached
        _open[:] = [(lp, s) for lp, s in _open if not s.closed] + [cached]
    return KeepOpen(cached[1])


async def close_shared_sessions() -> int:
    """Close the shared sessions opened on the running loop; how many were open."""
    loop = asyncio.get_running_loop()
    closing = [s for lp, s in _open if lp is loop and not s.closed]
    _open[:] = [(lp, s) for lp, s in _open if lp is not loop and not s.closed]
    for session in closing:
        await session.close()
    log.info("closed %d shared endpoint session(s)", len(closing))
    return len(closing)


async def close_on_server_stop(app: Any, loop: asyncio.AbstractEventLoop) -> None:
    """Sanic `after_server_stop` listener."""
    await close_shared_sessions()


def _closing_sessions_on_stop(configure_app: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(configure_app)
    def configure(*args: Any, **kwargs: Any) -> Any:
        app = configure_app(*args, **kwargs)
        app.register_listener(close_on_server_stop, "after_server_stop")
        return app

    return configure


def _install() -> None:
    replace(EndpointConfig, "session", shared_session)
    replace(rasa.core.run, "configure_app", _closing_sessions_on_stop(original(rasa.core.run, "configure_app")))


def apply() -> bool:
    """Share one session per endpoint and loop, closed at server stop (once; Rasa 3.6.x only)."""
    return apply_patch(NAME, f"one kept-alive session per action endpoint (keep-alive {CLIENT_KEEPALIVE_S} s), "
                             "closed when the server stops", _install)
