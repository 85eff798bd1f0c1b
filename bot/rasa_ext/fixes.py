"""Four fixes to Rasa 3.6 internals, applied in the Rasa server process (imported by our tracker store).

1. Rasa validates every action server reply with `jsonschema.validate`, which rebuilds the
   validator each call: 37% of the Rasa CPU of a self-check step (py-spy). We keep the
   validation but compile the schema once.
2. `FailSafeTrackerStore` hides database failures: a failed read starts a brand-new
   conversation (an unfinished self-check is lost) and a failed write goes to memory only.
   We let the error through instead, so the turn fails, the person is told to try again in a
   moment (bot.rasa_ext.channels), and nothing is silently forgotten.
3. `EndpointConfig.request` opens a new aiohttp session, so a new TCP connection, for every
   call to the action server (12% of the Rasa CPU of a self-check step, py-spy). We keep one
   session per endpoint and event loop, with keep-alive shorter than the action server's.
4. The message processor and RulePolicy deep-copy tracker states and events on every turn only
   to pass them to `structlogger.debug(...)`, which then drops them unless Rasa runs with
   --debug (8% of the Rasa CPU with 20 users, py-spy). In those two modules `copy.deepcopy`
   is used for nothing else; it now returns its argument unless debug logging is on.
"""
from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any, Dict, Text

import aiohttp

from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.utils.endpoints import EndpointConfig

_VALIDATOR: list = []


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for

    if not _VALIDATOR:
        schema = self.action_response_format_spec()
        _VALIDATOR.append(validator_for(schema)(schema))  # the same validator class `validate()` picks
    try:
        _VALIDATOR[0].validate(result)
        return True
    except ValidationError as e:
        e.message += (f". Failed to validate Action server response from API, make sure your response from the "
                      f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions")
        raise e


RemoteAction._validate_action_result = _validate_action_result

log = logging.getLogger("coprod.tracker_store")


async def _retrieve(self: FailSafeTrackerStore, sender_id: Text) -> Any:
    try:
        return await self._tracker_store.retrieve(sender_id)
    except Exception:
        log.error("tracker store read failed sender=%s", sender_id)
        raise


async def _save(self: FailSafeTrackerStore, tracker: Any) -> None:
    try:
        await self._tracker_store.save(tracker)
    except Exception:
        log.error("tracker store write failed sender=%s", tracker.sender_id)
        raise


FailSafeTrackerStore.retrieve = _retrieve
FailSafeTrackerStore.save = _save


CLIENT_KEEPALIVE_S = 30  # must stay below the action server's keep-alive (bot.action_server)


class _KeepOpen:
    """`async with endpoint.session() as s` without closing the shared session at the end."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(self, *exc: Any) -> bool:
        return False


def _shared_session(self: EndpointConfig) -> _KeepOpen:
    """Rasa's session settings (headers, basic auth, timeout), made once per endpoint and loop."""
    loop = asyncio.get_running_loop()
    cached = getattr(self, "_coprod_session", None)
    if cached is None or cached[0] is not loop or cached[1].closed:
        auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
        session = aiohttp.ClientSession(headers=self.headers, auth=auth,
                                        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                                        connector=aiohttp.TCPConnector(keepalive_timeout=CLIENT_KEEPALIVE_S))
        cached = (loop, session)
        self._coprod_session = cached
    return _KeepOpen(cached[1])


EndpointConfig.session = _shared_session


class _CopyForDebugLogOnly:
    """Stands in for the `copy` module inside rasa.core.processor and rasa.core.policies.rule_policy,
    where every `copy.deepcopy(...)` is an argument of a `structlogger.debug(...)` call."""

    _rasa_log = logging.getLogger("rasa")

    @classmethod
    def deepcopy(cls, value: Any, memo: Any = None) -> Any:
        return copy.deepcopy(value, memo) if cls._rasa_log.isEnabledFor(logging.DEBUG) else value


def _skip_debug_only_copies() -> None:
    import rasa.core.policies.rule_policy as rule_policy
    import rasa.core.processor as processor

    for module in (processor, rule_policy):
        module.copy = _CopyForDebugLogOnly


_skip_debug_only_copies()
