"""Calls to the action server time out after ACTION_TIMEOUT_S, not 300 s.

A call to the action server may take 300 s (`DEFAULT_REQUEST_TIMEOUT`), longer than any client
waits. It now times out after ACTION_TIMEOUT_S; Rasa logs the failed action and the channel
answers with our friendly "try again in a moment" (bot.rasa_ext.channel_common).
Replaces `rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT`, read by `RemoteAction.run` at each call.
"""
from __future__ import annotations

import rasa.core.actions.action as rasa_action

from bot.rasa_ext.patches.base import apply_patch, replace

NAME = "action_timeout"
ACTION_TIMEOUT_S = 20


def apply() -> bool:
    """Shorten the action call timeout (once; Rasa 3.6.x only)."""
    return apply_patch(NAME, f"action server calls time out after {ACTION_TIMEOUT_S} s",
                       lambda: replace(rasa_action, "DEFAULT_REQUEST_TIMEOUT", ACTION_TIMEOUT_S))
