"""No deep copies made only for debug log lines that are dropped.

The message processor and RulePolicy deep-copy tracker states and events on every turn only
to pass them to `structlogger.debug(...)`, which then drops them unless Rasa runs with
--debug (8% of the Rasa CPU with 20 users, py-spy). In those two modules `copy.deepcopy`
is used for nothing else (tests/unit/test_rasa_patches.py checks the installed source);
it now returns its argument unless debug logging is on.
Replaces the `copy` module seen by `rasa.core.processor` and `rasa.core.policies.rule_policy`.
"""
from __future__ import annotations

import copy
import logging
from typing import Any

import rasa.core.policies.rule_policy
import rasa.core.processor

from bot.rasa_ext.patches.base import apply_patch, replace

NAME = "debug_only_copies"
MODULES = (rasa.core.processor, rasa.core.policies.rule_policy)


class CopyForDebugLogOnly:
    """Stands in for the `copy` module inside rasa.core.processor and rasa.core.policies.rule_policy,
    where every `copy.deepcopy(...)` is an argument of a `structlogger.debug(...)` call."""

    _rasa_log = logging.getLogger("rasa")

    @classmethod
    def deepcopy(cls, value: Any, memo: Any = None) -> Any:
        return copy.deepcopy(value, memo) if cls._rasa_log.isEnabledFor(logging.DEBUG) else value


def _install() -> None:
    for module in MODULES:
        replace(module, "copy", CopyForDebugLogOnly)


def apply() -> bool:
    """Skip the debug-only deep copies unless debug logging is on (once; Rasa 3.6.x only)."""
    return apply_patch(NAME, "no deep copies for debug logs unless --debug", _install)
