"""Six fixes to Rasa 3.6 internals, applied in the Rasa server process (imported by our tracker store).

1. Rasa validates every action server reply with `jsonschema.validate`, which rebuilds the
   validator each call: 37% of the Rasa CPU of a self-check step (py-spy). We keep the
   validation but compile the schema once, and check each event only against its own type's
   part of the schema (the same verdict; 6% of the Rasa CPU with 20 users before).
2. `FailSafeTrackerStore` hides database failures: a failed read starts a brand-new
   conversation (an unfinished self-check is lost) and a failed write goes to memory only.
   We let the error through instead, so the turn fails, the person is told to try again in a
   moment (bot.rasa_ext.channels), and nothing is silently forgotten.
3. `EndpointConfig.request` opens a new aiohttp session, so a new TCP connection, for every
   call to the action server (12% of the Rasa CPU of a self-check step, py-spy). We keep one
   session per endpoint and event loop, with keep-alive shorter than the action server's. It
   writes the request (the whole tracker) with ujson, a third of the time of `json.dumps`.
4. The message processor and RulePolicy deep-copy tracker states and events on every turn only
   to pass them to `structlogger.debug(...)`, which then drops them unless Rasa runs with
   --debug (8% of the Rasa CPU with 20 users, py-spy). In those two modules `copy.deepcopy`
   is used for nothing else; it now returns its argument unless debug logging is on.
5. The message processor runs the model's graphs through dask three times a turn; dask's
   scheduling was 9% of the Rasa CPU with 20 users (py-spy). The processor now loads the model
   into `SequentialGraphRunner` (bot.rasa_ext.graph_runner): same nodes, same results.
6. RulePolicy tests every memorised rule against the whole history on each prediction (10% of
   the Rasa CPU with 20 users, py-spy). It now looks the candidates up in an index on the last
   state (bot.rasa_ext.rule_index); each candidate still passes Rasa's own check.
"""
from __future__ import annotations

import asyncio
import copy
import logging
from typing import Any, Dict, Text

import aiohttp
import ujson

from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.constants import DOCS_BASE_URL
from rasa.utils.endpoints import EndpointConfig

class _ActionReplyValidator:
    """Rasa's schema for action server replies, checked the same way, in less time.

    The schema lists the 23 event types under one `oneOf`, each fixed by `event: {const: ...}`,
    so jsonschema tries every type for every event. An event can only match alternatives whose
    const is its own `event` name, so validating against the alternatives of the names present
    gives the same verdict; anything else (no or odd `event` names, any failure) goes to the
    full schema, which also words the error exactly as Rasa would.
    """

    def __init__(self, schema: Dict[Text, Any]) -> None:
        from jsonschema.validators import validator_for

        self.schema = schema
        self.cls = validator_for(schema)  # the same validator class `jsonschema.validate()` picks
        self.full = self.cls(schema)
        self.by_names: Dict[frozenset, Any] = {}

    def _for_names(self, names: frozenset) -> Any:
        if names not in self.by_names:
            if len(self.by_names) > 64:
                self.by_names.clear()
            schema = copy.deepcopy(self.schema)
            items = schema["properties"]["events"]["items"]
            items["oneOf"] = [alt for alt in items["oneOf"] if alt["properties"]["event"]["const"] in names]
            self.by_names[names] = self.cls(schema)
        return self.by_names[names]

    def validate(self, result: Any) -> None:
        events = result.get("events") if isinstance(result, dict) else None
        if isinstance(events, list) and all(isinstance(e, dict) and isinstance(e.get("event"), str) for e in events):
            if self._for_names(frozenset(e["event"] for e in events)).is_valid(result):
                return
        from jsonschema.exceptions import best_match

        error = best_match(self.full.iter_errors(result))  # what `jsonschema.validate` raises
        if error is not None:
            raise error


_VALIDATOR: list = []


def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    from jsonschema import ValidationError

    if not _VALIDATOR:
        _VALIDATOR.append(_ActionReplyValidator(self.action_response_format_spec()))
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
                                        connector=aiohttp.TCPConnector(keepalive_timeout=CLIENT_KEEPALIVE_S),
                                        json_serialize=ujson.dumps)
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


def _run_graphs_in_order() -> None:
    import rasa.core.processor as processor

    from bot.rasa_ext.graph_runner import SequentialGraphRunner

    processor.DaskGraphRunner = SequentialGraphRunner


_run_graphs_in_order()


def _index_rules() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    from bot.rasa_ext.rule_index import possible_keys

    RulePolicy._get_possible_keys = possible_keys


_index_rules()
