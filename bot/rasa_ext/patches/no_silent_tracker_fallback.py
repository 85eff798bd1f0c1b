"""A tracker store failure fails the turn instead of being hidden.

`FailSafeTrackerStore` (which Rasa wraps around every tracker store) hides database failures:
a failed read starts a brand-new conversation (an unfinished self-check is lost) and a failed
write goes to memory only. We let the error through instead, so the turn fails, the person is
told to try again in a moment (bot.rasa_ext.channels), and nothing is silently forgotten.
Replaces `FailSafeTrackerStore.retrieve` and `FailSafeTrackerStore.save`.
"""
from __future__ import annotations

import logging
from typing import Any, Text

from rasa.core.tracker_store import FailSafeTrackerStore

from bot.conversation_ids import log_id
from bot.rasa_ext.patches.base import apply_patch, replace

NAME = "no_silent_tracker_fallback"
log = logging.getLogger("coprod.tracker_store")


async def retrieve(self: FailSafeTrackerStore, sender_id: Text) -> Any:
    """The inner store's tracker; its error is logged and raised (Rasa returns None: a new conversation)."""
    try:
        return await self._tracker_store.retrieve(sender_id)
    except Exception:
        log.error("tracker store read failed sender=%s", log_id(sender_id))
        raise


async def save(self: FailSafeTrackerStore, tracker: Any) -> None:
    """Save in the inner store; its error is logged and raised (Rasa saves to memory instead)."""
    try:
        await self._tracker_store.save(tracker)
    except Exception:
        log.error("tracker store write failed sender=%s", log_id(tracker.sender_id))
        raise


def _install() -> None:
    replace(FailSafeTrackerStore, "retrieve", retrieve)
    replace(FailSafeTrackerStore, "save", save)


def apply() -> bool:
    """Let tracker store errors through (once; Rasa 3.6.x only)."""
    return apply_patch(NAME, "a failed tracker read or write fails the turn, no silent fallback to memory", _install)
