"""Whether the domain is empty, worked out once per domain instead of on every message.

Before each message's intent is checked against the domain, Rasa 3.6's message processor asks
`Domain.is_empty()`, which builds a new empty Domain and compares the two as dictionaries:
about 3% of the Rasa server's CPU with 20 users (py-spy). A loaded model's domain does not
change while the server runs, so a "not empty" is kept on the domain object the first time.
(Only that answer: a domain object filled in after it was found empty is still seen as it is.)
Replaces `Domain.is_empty`.
"""
from __future__ import annotations

from rasa.shared.core.domain import Domain

from bot.rasa_ext.patches.base import apply_patch, original, replace

NAME = "domain_is_empty_once"
_KEY = "_coprod_is_empty"


def is_empty(domain: Domain) -> bool:
    """Rasa's `Domain.is_empty`; a False is remembered on the domain object."""
    if domain.__dict__.get(_KEY):
        return False
    empty = bool(original(Domain, "is_empty")(domain))
    if not empty:
        domain.__dict__[_KEY] = True  # known not to be empty
    return empty


def _install() -> None:
    replace(Domain, "is_empty", is_empty)


def apply() -> bool:
    """Answer `Domain.is_empty` once per domain (once; Rasa 3.6.x only)."""
    return apply_patch(NAME, "Domain.is_empty worked out once per domain", _install)
