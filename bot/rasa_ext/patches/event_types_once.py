"""An event class found by its type name once, instead of by a walk of every Event subclass each time.

Rasa 3.6 turns each stored event back into an object with `Event.resolve_by_type(name)`, which
lists all subclasses of Event, recursively, and tests each: about 2% of the Rasa server's CPU
with 20 users (py-spy), as every turn reads the conversation back. A name found once keeps its
class; a name not found is looked up as Rasa does every time (so a class imported later is found).
Replaces `Event.resolve_by_type`.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Type

from rasa.shared.core.events import Event

from bot.rasa_ext.patches.base import apply_patch, original, replace

NAME = "event_types_once"
_found: Dict[str, Type[Event]] = {}


def resolve_by_type(type_name: str, default: Optional[Type[Event]] = None) -> Any:
    """Rasa's `Event.resolve_by_type`, with each class found remembered by its name."""
    known = _found.get(type_name)
    if known is not None:
        return known
    found = original(Event, "resolve_by_type")(type_name, default)
    if found is not None and found is not default:
        _found[type_name] = found
    return found


def _install() -> None:
    _found.clear()
    replace(Event, "resolve_by_type", staticmethod(resolve_by_type))


def apply() -> bool:
    """Find each event class by name once (once; Rasa 3.6.x only)."""
    return apply_patch(NAME, "event classes found by type name once", _install)
