"""Our changes to Rasa 3.6 internals, one module each, applied by `apply_all()`.

Importing this package changes nothing. The Rasa server applies them with one call at start:
`python -m bot.rasa_ext.server run ...` (bot.rasa_ext.server; what `python -m bot run`, the
tests and the benchmark start, through bot.runner.Stack.start_rasa). A plain `rasa run` still
works, without them; our tracker store then logs a WARNING naming what is missing.

1. action_reply_validation: action server replies checked with a compiled schema, per event type.
2. no_silent_tracker_fallback: a failed tracker read or write fails the turn (no fresh conversation,
   no writes to memory only).
3. shared_action_session: one kept-alive session per action endpoint, closed when the server stops.
4. debug_only_copies: no deep copies for debug log lines unless --debug.
5. sequential_graph_runner: the model's graphs run in a fixed order, without dask.
6. action_timeout: action server calls time out after 20 s, not 300 s.
7. domain_is_empty_once: whether the domain is empty is worked out once, not on every message.
8. event_types_once: a stored event's class is found by its type name once, not by a walk of all
   Event subclasses for every event read.
The ninth change, RulePolicy's rules found through an index, is not a patch: it is the policy
`bot.rasa_ext.rule_index.IndexedRulePolicy` named in config.yml, so it is part of the model.

Each `apply()` checks the Rasa version first (bot.rasa_ext.patches.base: on anything but 3.6.x it
logs a WARNING and leaves Rasa's behaviour), is idempotent, and logs what it applied (INFO,
logger "coprod.patches").
"""
from __future__ import annotations

from typing import Callable, List, Tuple

from bot.rasa_ext.patches import (
    action_reply_validation,
    action_timeout,
    debug_only_copies,
    domain_is_empty_once,
    event_types_once,
    no_silent_tracker_fallback,
    sequential_graph_runner,
    shared_action_session,
)
from bot.rasa_ext.patches.base import applied

PATCHES: Tuple[Tuple[str, Callable[[], bool]], ...] = tuple((m.NAME, m.apply) for m in (
    action_reply_validation, no_silent_tracker_fallback, shared_action_session, debug_only_copies,
    sequential_graph_runner, action_timeout, domain_is_empty_once, event_types_once))


def apply_all() -> List[str]:
    """Apply every patch that applies to the installed Rasa; the names of those in effect."""
    return [name for name, apply in PATCHES if apply()]


def not_applied() -> List[str]:
    """The patches not in effect in this process (all of them under a plain `rasa run`)."""
    done = set(applied())
    return [name for name, _ in PATCHES if name not in done]


__all__ = ["PATCHES", "apply_all", "applied", "not_applied"]
