"""What every patch shares: the Rasa version check, applying once, and the record of what is applied.

Version policy: the patches replace internals of Rasa 3.6 (they were written and measured
against 3.6.21). On any other Rasa version a patch logs a WARNING and is not applied, so the
server runs with Rasa's own behaviour (slower, and without "no silent fallback to memory")
rather than with code written for internals that may have changed. The tracker store then
warns at start (bot.rasa_ext.tracker_store), and tests/unit/test_rasa_patches.py fails, so an
upgrade is noticed before it is deployed.
"""
from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Optional, Tuple

import rasa

SUPPORTED_RASA = (3, 6)  # major, minor: any 3.6.x
log = logging.getLogger("coprod.patches")

_MISSING = object()
_applied: Dict[str, str] = {}  # patch name -> what it changed, in the order applied
_originals: Dict[Tuple[int, str], Tuple[Any, str, Any, Any]] = {}  # (id(owner), attribute) -> owner, attribute, value, own


def rasa_version_supported(version: Optional[str] = None) -> bool:
    """True for the Rasa versions the patches were written for (3.6.x)."""
    parts = (rasa.__version__ if version is None else version).split(".")
    try:
        return (int(parts[0]), int(parts[1])) == SUPPORTED_RASA
    except (IndexError, ValueError):
        return False


def replace(owner: Any, attribute: str, value: Any) -> None:
    """Set `owner.attribute` (a class or module), remembering Rasa's original the first time."""
    key = (id(owner), attribute)
    if key not in _originals:
        _originals[key] = (owner, attribute, getattr(owner, attribute), vars(owner).get(attribute, _MISSING))
    setattr(owner, attribute, value)


def original(owner: Any, attribute: str) -> Any:
    """Rasa's own `owner.attribute`, whether or not a patch replaced it."""
    saved = _originals.get((id(owner), attribute))
    return saved[2] if saved else getattr(owner, attribute)


def apply_patch(name: str, what: str, install: Callable[[], None]) -> bool:
    """Install one patch once, on a supported Rasa only; True when it is in effect."""
    if name in _applied:
        return True
    if not rasa_version_supported():
        log.warning("Rasa patch %s NOT applied: it was written for Rasa %d.%d.x and this is Rasa %s, "
                    "so Rasa's own behaviour stays instead of: %s", name, *SUPPORTED_RASA, rasa.__version__, what)
        return False
    install()
    _applied[name] = what
    log.info("Rasa patch applied: %s - %s", name, what)
    return True


def applied() -> List[str]:
    """The patches in effect in this process, in the order they were applied."""
    return list(_applied)


def revert_all() -> None:
    """Put every replaced attribute back (tests only: a server never takes its patches off)."""
    for owner, attribute, _, own in reversed(list(_originals.values())):
        if own is _MISSING:
            delattr(owner, attribute)
        else:
            setattr(owner, attribute, own)
    _originals.clear()
    _applied.clear()
